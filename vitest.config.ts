// Two test projects: `workers` runs the worker, the publish pipeline and the pure modules inside
// workerd, each file with empty storage and its own modules evaluated anew in a workerd it shares
// with the files before it; `publish-cli` runs the publish command in Node on real files, as an
// editor would. Vitest runs one project's files, then the next's: each project switch starts its
// runtimes again, so the pure modules (test/unit) run in `workers` rather than in a project of
// their own, whose workerds cost more to start than its tests took.
// Long property sweeps and the simulation's long sweep run in `npm run test:long` (vitest.long.config.ts).
import { defineConfig } from 'vitest/config';
import { scratchInMemory } from './vitest.scratch.ts';
import { RUNTIME_NOISE, WORKERS_CACHE_DIR, WORKERS_DEPS, workersPlugin } from './vitest.workers.ts';

scratchInMemory();

export default defineConfig({
  test: {
    // Vitest's default on two cores is one file at a time; most of a file's time is spent waiting
    // on workerd or on a spawned publish, so a few files side by side keep both cores busy.
    maxWorkers: 3,
    projects: [
      {
        plugins: [workersPlugin()],
        cacheDir: WORKERS_CACHE_DIR,
        test: {
          name: 'workers',
          deps: WORKERS_DEPS,
          globalSetup: [RUNTIME_NOISE],
          // A workerd per file cost each file seconds of start-up and module loading; files take
          // turns in a few instead, and fresh-file.ts gives each one what a fresh workerd gave it.
          // test/unit's files touch no binding, and the set-up costs them a few empty listings.
          isolate: false,
          setupFiles: ['./test/support/fresh-file.ts'],
          // A publish of the sample content takes a few seconds when the machine is shared; the
          // defaults (5 s, 10 s) fail on load rather than on a fault.
          testTimeout: 30_000,
          hookTimeout: 60_000,
          include: ['test/integration/**/*.test.{ts,tsx}', 'test/unit/**/*.test.{ts,tsx}'],
          provide: { longSweeps: false },
        },
      },
      {
        // openapi-typescript drives the TypeScript 5 compiler API, which the project's TypeScript 7
        // (a native compiler) does not offer: it is given typescript 5 under its own name.
        resolve: { alias: { typescript: 'typescript-5' } },
        test: {
          name: 'publish-cli',
          environment: 'node',
          // The files share their workers' modules: each importing the publish command anew cost
          // seconds. Nothing of a run outlives it (command.ts restores the directory, environment
          // and console), and each file publishes into a scratch folder of its own.
          isolate: false,
          include: ['test/publish/**/*.test.ts'],
          // Each test spawns one to three publishes, each several seconds on a shared machine.
          testTimeout: 180_000,
          hookTimeout: 60_000,
          server: { deps: { inline: ['openapi-typescript'] } },
        },
      },
    ],
  },
});
