// Two test projects: `workers` runs inside workerd (the worker, its pure modules, the publish
// pipeline), `publish-cli` runs the publish command in Node on real files, as an editor would.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_PUSH_BINDINGS } from './test/support/push-config.ts';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
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
          }),
        ],
        test: {
          name: 'workers',
          // sanitize-html pulls in CommonJS (postcss, nanoid) that workerd loads only once pre-bundled.
          deps: { optimizer: { ssr: { enabled: true, include: ['sanitize-html', 'markdown-it'] } } },
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
          // A publish of the sample site (records, feeds, archives, search index) takes seconds on
          // two shared cores; the defaults (5 s, 10 s) fail tests on load, not on behaviour.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // openapi-typescript drives the TypeScript 5 compiler API, which the project's TypeScript 7
        // (a native compiler) does not offer: it is given typescript 5 under its own name.
        resolve: { alias: { typescript: 'typescript-5' } },
        test: {
          name: 'publish-cli',
          environment: 'node',
          include: ['test/publish/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          server: { deps: { inline: ['openapi-typescript'] } },
        },
      },
    ],
  },
});
