// The long sweep of the eventual-consistency simulation (`npm run test:long`): many seeds of the
// same scenario that `npm test` runs for two. SIMULATION_SEEDS sets how many (default 40).
import { describe, expect, it } from 'vitest';
import { simulate, useSimulationClock } from '../support/consistency-simulation';

const SEEDS = Number(import.meta.env.SIMULATION_SEEDS ?? 40);

useSimulationClock();

describe('the storage layout under eventual consistency, long sweep', () => {
  it(`serves nothing stale and settles everywhere in time over ${SEEDS} seeds`, async () => {
    const violations: string[] = [];
    let requests = 0;
    for (let seed = 100; seed < 100 + SEEDS; seed++) {
      const result = await simulate(seed, { publishes: 8 });
      violations.push(...result.violations);
      requests += result.requests;
    }
    console.info(`consistency sweep: ${SEEDS} seeds, ${requests} requests, ${violations.length} violations`);
    expect(violations).toEqual([]);
  }, 3_600_000);
});
