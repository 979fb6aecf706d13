// Types `exports.default` from cloudflare:workers as the worker's own entry point.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../src/index');
  }
}
