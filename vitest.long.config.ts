// `npm run test:long`: the full-size property sweeps, whose smaller sizes run in `npm test`, and
// sweeps too long for `npm test` at all (CI runs both). Same workerd set-up as the `workers`
// project in vitest.config.ts.
import { defineConfig } from 'vitest/config';
import { scratchInMemory } from './vitest.scratch.ts';
import { RUNTIME_NOISE, WORKERS_CACHE_DIR, WORKERS_DEPS, workersPlugin } from './vitest.workers.ts';

scratchInMemory();

export default defineConfig({
  plugins: [workersPlugin()],
  cacheDir: WORKERS_CACHE_DIR,
  test: {
    name: 'long',
    deps: WORKERS_DEPS,
    globalSetup: [RUNTIME_NOISE],
    include: [
      'test/long/**/*.test.ts',
      // Files whose property sizes read `longSweeps` (test/support/sweep-size.ts).
      'test/integration/escaping.property.test.tsx',
      'test/integration/change-log-kills.test.ts',
      'test/integration/edit-in-place.test.ts',
      'test/unit/compile.property.test.ts',
      'test/unit/list-read.property.test.ts',
    ],
    provide: { longSweeps: true },
    // As in vitest.config.ts: publishes take seconds on a shared machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
