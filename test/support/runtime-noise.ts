// Global set-up of the workerd projects (vitest.config.ts, vitest.long.config.ts), in vitest's own
// process: drops the two lines the test runtime prints about its own machinery, never about the code
// under test, so that a clean run prints nothing but results.
//
// - `exception = workerd/api/web-socket.c++:NNN: disconnected: WebSocket peer disconnected`: the pool
//   (@cloudflare/vitest-pool-workers 0.15) talks to each test file's workerd over a WebSocket, and on
//   teardown closes it and disposes of workerd without waiting for the closing handshake; workerd
//   logs the cut as an exception, and the pool forwards it, once per test file. The pool already
//   drops its siblings (`disconnected: WebSocket was aborted`, `operation canceled`); later pool
//   releases add this one to that list (cloudflare/workers-sdk#13833), but they need a newer wrangler
//   than the one this project pins, and the pool's log handler cannot be replaced from a config.
// - `[mf:warn] Moving message "…" on queue "mirrorwire-push" to dead letter queue …`: Miniflare's
//   note when a push delivery exhausts its retries, which test/integration/push.test.ts provokes on
//   purpose and then asserts through the dead-letter records.
//
// A chunk is dropped only when it is exactly one such line; anything else, including these lines
// inside other output, is printed.

const NOISE = [
  /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected$/,
  /^\[mf:warn\] Moving message "[0-9a-f]+" on queue "mirrorwire-push" to dead letter queue "mirrorwire-push-dead" after \d+ failed attempts\.\.\.$/,
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are control characters
const COLOUR = /\u001b\[[0-9;]*m/g;

function isNoise(chunk: unknown): boolean {
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return false;
  const text = (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).replace(COLOUR, '');
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  return !line.includes('\n') && NOISE.some((pattern) => pattern.test(line));
}

function filter(stream: NodeJS.WriteStream): void {
  const write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (isNoise(chunk)) {
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as NodeJS.WriteStream['write'];
}

/** Left in place to the end: the pool's last teardown happens after global teardown. */
export default function setup(): void {
  filter(process.stdout);
  filter(process.stderr);
}
