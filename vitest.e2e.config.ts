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
    // Publishing and starting wrangler dev on a busy two-core machine.
    hookTimeout: 180_000,
    teardownTimeout: 20_000,
  },
});
