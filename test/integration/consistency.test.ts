// Publishing under eventual consistency, through the real worker and pipeline: the simulation of
// several KV locations (support/consistency-simulation.ts) finds no stale or mixed response cached,
// and every location serves the latest publish within the stated bound. The layout before
// generations were recorded fails the same simulation. The long sweep is in test/long/.
import { describe, expect, it } from 'vitest';
import { simulate, useSimulationClock } from '../support/consistency-simulation';

useSimulationClock();

const SIMULATION_TIMEOUT_MS = 120_000;

describe('the storage layout under eventual consistency', () => {
  it.each([1])(
    'serves nothing stale and settles everywhere in time (seed %i)',
    async (seed) => {
      const result = await simulate(seed, { publishes: 5 });
      expect(result.violations).toEqual([]);
      expect(result.requests).toBeGreaterThan(200);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    'fails the same simulation with the layout before generations were recorded',
    async () => {
      const found: string[] = [];
      for (const seed of [1, 2]) {
        found.push(...(await simulate(seed, { publishes: 5, legacy: true })).violations);
        if (found.length > 0) break;
      }
      expect(found.length).toBeGreaterThan(0);
    },
    SIMULATION_TIMEOUT_MS,
  );
});
