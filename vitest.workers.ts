// The workerd set-up shared by `npm test` (vitest.config.ts) and `npm run test:long`
// (vitest.long.config.ts): one worker configuration, so the long sweeps test what the fast loop tests.
import { createHash } from 'node:crypto';
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

/** Drops the lines workerd and Miniflare print about the test machinery itself (see the file). */
export const RUNTIME_NOISE = './test/support/runtime-noise.ts';

/**
 * Dependencies pre-bundled for workerd. sanitize-html pulls in CommonJS (postcss, nanoid) that
 * workerd loads only once pre-bundled. The others are pre-bundled for speed: every module workerd
 * imports is one round trip to Vite, and a test file starts a fresh workerd that imports them all
 * again, so a package of a hundred small files (hono, zod, yaml, fast-check) costs more to import
 * than its tests take. Every entry point that src/ and test/ import is listed: a package must not be
 * loaded both pre-bundled and not, or it would exist twice (two `HTTPException` classes).
 */
export const WORKERS_DEPS = {
  optimizer: {
    ssr: {
      enabled: true,
      include: [
        'sanitize-html',
        'markdown-it',
        'hono',
        'hono/cors',
        'hono/factory',
        'hono/html',
        'hono/http-exception',
        'hono/jsx',
        'hono/jsx/jsx-runtime',
        'hono/jsx/jsx-dev-runtime',
        'hono/secure-headers',
        'hono/utils/http-status',
        'hono/validator',
        'zod',
        'zod/mini',
        'zod/v4/core',
        'yaml',
        'fast-check',
        'htmlparser2',
        'domhandler',
        'domutils',
        'css-select',
        'fast-xml-parser',
        '@cfworker/json-schema',
        'standardwebhooks',
        'image-size',
      ],
    },
  },
};

/**
 * Where Vite keeps the pre-bundles: a folder named after the list above. Vite names its folder after
 * the project alone, so a run with another list (another branch, in a checkout or a worktree that
 * shares node_modules) would rebuild the pre-bundles under a run already using them, and its files
 * would fail with "There is a new version of the pre-bundle". Named after the list, each list keeps
 * its own.
 */
export const WORKERS_CACHE_DIR = `node_modules/.vite/workerd-${createHash('sha256')
  .update(JSON.stringify(WORKERS_DEPS))
  .digest('hex')
  .slice(0, 12)}`;
