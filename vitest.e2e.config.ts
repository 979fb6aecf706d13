// The browser suite (`npm run test:e2e`): Node, one file at a time, bounded timeouts. It starts
// its own `wrangler dev` on loopback and drives the system's Chromium through playwright-core.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    // One more attempt for a failed test, each failed attempt reported in full (diagnostics.ts). Twice
    // so far (a fresh-clone CI run, then a stop's CI) a navigation got nothing for 30 s under
    // wrangler dev; the second time the worker answered the document, then saw the page's next
    // request only when the test gave up and closed the browser context. A test that fails twice
    // still fails the suite.
    retry: 1,
    // Publishing and starting wrangler dev on a busy two-core machine.
    hookTimeout: 180_000,
    teardownTimeout: 20_000,
  },
});
