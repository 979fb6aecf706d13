// The stored hashes a publish diffs against (publish/stored-hashes.ts): a view of the listing that
// answers as the map of hashes it replaced, with what a publish killed while deleting left hidden.
import { describe, expect, it } from 'vitest';
import type { StoredKeys } from '../../src/publish/plan';
import { StoredHashes } from '../../src/publish/stored-hashes';

const listed: StoredKeys = new Map([
  ['article:v1:1', { hash: 'a1', gen: 3 }],
  ['article:v1:2', { hash: 'a2', gen: 2 }],
  ['list:v3:home', { gen: 4 }],
  ['api:v1:article:2', { hash: 'p2', gen: 2 }],
]);

/** The map of hashes a publish made before: every listed key but the hidden ones, with its hash. */
function copied(hidden: ReadonlySet<string>): Map<string, string | undefined> {
  return new Map([...listed].filter(([key]) => !hidden.has(key)).map(([key, { hash }]) => [key, hash]));
}

describe('StoredHashes', () => {
  it('answers as the copy it replaced, a key listed without a hash included', () => {
    const view = new StoredHashes(listed, new Set());
    const copy = copied(new Set());
    for (const key of [...listed.keys(), 'article:v1:9']) {
      expect(view.has(key), key).toBe(copy.has(key));
      expect(view.get(key), key).toBe(copy.get(key));
    }
    expect(view.has('list:v3:home')).toBe(true);
    expect(view.get('list:v3:home')).toBeUndefined();
    expect([...view.keys()]).toEqual([...copy.keys()]);
  });

  it('hides what a publish killed while deleting left listed, in every answer', () => {
    const hidden = new Set(['article:v1:2', 'api:v1:article:2']);
    const view = new StoredHashes(listed, hidden);
    const copy = copied(hidden);
    for (const key of listed.keys()) {
      expect(view.has(key), key).toBe(copy.has(key));
      expect(view.get(key), key).toBe(copy.get(key));
    }
    expect(view.has('api:v1:article:2')).toBe(false);
    expect(view.get('api:v1:article:2')).toBeUndefined();
    expect([...view.keys()]).toEqual(['article:v1:1', 'list:v3:home']);
    // Each call gives a fresh pass, as a map's keys() does.
    expect([...view.keys()]).toEqual([...view.keys()]);
  });
});
