// The map the record memo keeps its fingerprints in: it answers as a Map of the same hex strings
// would, through growth, deletes and keys set again (which keep their first place in the order),
// refuses to set a key that is not a digest, and holds none.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestMap, DigestSet } from '../../src/publish/node/digest-map';

const digest = (n: number) => createHash('sha256').update(`group ${n}`).digest('hex');

describe('DigestMap', () => {
  // The first chunk doubled several times (to 8,192 digests), and chunks of 16, crossed hundreds of times.
  it.each([
    ['full-sized', undefined],
    ['of 16 digests', 16],
  ])(
    'answers as a Map of the same keys through growth, deletes and keys set again (chunks %s)',
    (_, chunk) => {
      const map = new DigestMap<number>(chunk);
      const model = new Map<string, number>();
      // A fixed sequence of operations over a few thousand keys: past the first capacity several times.
      let state = 12345;
      const next = () => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return state;
      };
      for (let step = 0; step < 30_000; step++) {
        const key = digest(next() % 5000);
        const roll = next() % 10;
        if (roll < 6) {
          map.set(key, step);
          model.set(key, step);
        } else if (roll < 8) expect(map.delete(key)).toBe(model.delete(key));
        else expect(map.get(key)).toBe(model.get(key));
        expect(map.size).toBe(model.size);
      }
      expect(new Map(map)).toEqual(model);
      for (let n = 0; n < 5000; n++) expect(map.has(digest(n))).toBe(model.has(digest(n)));
      expect(map.has(digest(5001))).toBe(false);
      expect(map.get(digest(5001))).toBeUndefined();
    },
  );

  it('keeps the order keys were first set in', () => {
    const map = new DigestMap<string>();
    const keys = [3, 1, 2].map(digest);
    for (const key of keys) map.set(key, key);
    map.set(keys[0] as string, 'again');
    expect([...map.keys()]).toEqual(keys);
    expect([...map.values()]).toEqual(['again', keys[1], keys[2]]);
  });

  it('refuses to set a key that is not a SHA-256 digest in lowercase hex, and holds none', () => {
    const map = new DigestMap<number>();
    map.set(digest(1), 1);
    const upper = digest(1).toUpperCase();
    expect(() => map.set(upper, 1)).toThrow(/lowercase hex/);
    // Absent, not the digest its hex would decode to (Buffer reads upper case and stops at a bad digit).
    expect(map.get(upper)).toBeUndefined();
    expect(map.has(`${digest(1)}0`)).toBe(false);
    expect(map.delete(digest(1).slice(1))).toBe(false);
    expect(map.size).toBe(1);
  });

  it('keeps a key deleted and set again in its first place in the order', () => {
    const map = new DigestMap<number>();
    const keys = [1, 2, 3].map(digest);
    for (const key of keys) map.set(key, 0);
    map.delete(keys[0] as string);
    expect([...map.keys()]).toEqual(keys.slice(1));
    map.set(keys[0] as string, 1);
    expect([...map.keys()]).toEqual(keys);
  });

  it('has a set of its keys', () => {
    const set = new DigestSet();
    set.add(digest(1)).add(digest(2)).add(digest(1));
    expect(set.size).toBe(2);
    expect(set.has(digest(2))).toBe(true);
    expect(set.has(digest(3))).toBe(false);
  });
});
