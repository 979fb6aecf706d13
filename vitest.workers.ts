// The workerd set-up shared by `npm test` (vitest.config.ts) and `npm run test:long`
// (vitest.long.config.ts): one worker configuration, so the long sweeps test what the fast loop tests.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { TEST_PUSH_BINDINGS } from './test/support/push-config.ts';

export function workersPlugin() {
  return cloudflareTest({
    wrangler: { configPath: './wrangler.toml' },
    miniflare: {
      // The publish pipeline (markdown-it, sanitize-html) runs in tests too; the worker itself needs no Node APIs.
      compatibilityFlags: ['nodejs_compat'],
      // Push delivery: the admin secret, test partners, and retries without waiting.
      bindings: TEST_PUSH_BINDINGS,
      // wrangler.toml's consumers (keep them in step), except that a batch leaves at once rather
      // than after a second, so thirteen attempts take milliseconds.
      queueConsumers: {
        'mirrorwire-push': {
          maxBatchSize: 10,
          maxBatchTimeout: 0,
          maxRetries: 12,
          deadLetterQueue: 'mirrorwire-push-dead',
        },
        'mirrorwire-push-dead': { maxBatchSize: 10, maxBatchTimeout: 0 },
      },
    },
  });
}

/** sanitize-html pulls in CommonJS (postcss, nanoid) that workerd loads only once pre-bundled. */
export const WORKERS_DEPS = {
  optimizer: { ssr: { enabled: true, include: ['sanitize-html', 'markdown-it'] } },
};
