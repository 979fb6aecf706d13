// Two test projects: `workers` runs inside workerd (the worker, its pure modules, the publish
// pipeline), `publish-cli` runs the publish command in Node on real files, as an editor would.
// Long property sweeps and the simulation's long sweep run in `npm run test:long` (vitest.long.config.ts).
import { defineConfig } from 'vitest/config';
import { WORKERS_DEPS, workersPlugin } from './vitest.workers.ts';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [workersPlugin()],
        test: {
          name: 'workers',
          deps: WORKERS_DEPS,
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.{ts,tsx}'],
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
          include: ['test/publish/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          server: { deps: { inline: ['openapi-typescript'] } },
        },
      },
    ],
  },
});
