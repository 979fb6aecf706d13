// Which of node's own arguments keep the publish command from setting a V8 flag of its own (cli.ts).
import { describe, expect, it } from 'vitest';
import { v8FlagGiven } from '../../src/publish/node/v8-flags';

describe('v8FlagGiven', () => {
  it.each([
    ['--allocation-site-pretenuring'],
    ['--no-allocation-site-pretenuring'],
    ['--no_allocation_site_pretenuring'],
    ['--noallocation-site-pretenuring'],
    ['--allocation_site-pretenuring'],
  ])('finds %s however V8 spells it', (flag) => {
    expect(v8FlagGiven(['--import', 'tsx', flag], 'allocation-site-pretenuring')).toBe(true);
  });

  it('finds a flag given with a value', () => {
    expect(v8FlagGiven(['--heap-growing-percent=0'], 'heap-growing-percent')).toBe(true);
    expect(v8FlagGiven(['--heap_growing_percent=50'], 'heap-growing-percent')).toBe(true);
  });

  it('does not take another flag, a longer one beginning with the same words, or a value', () => {
    const name = 'allocation-site-pretenuring';
    expect(v8FlagGiven([], name)).toBe(false);
    expect(v8FlagGiven(['--max-old-space-size=8192', '--import', 'tsx'], name)).toBe(false);
    expect(v8FlagGiven(['--allocation-site-pretenuring-limit=3'], name)).toBe(false);
    expect(v8FlagGiven(['--trace-allocation-site-pretenuring'], name)).toBe(false);
    expect(v8FlagGiven(['--import', 'allocation-site-pretenuring'], name)).toBe(false);
  });
});
