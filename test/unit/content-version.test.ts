// The content version hashes every record's key and hash: the same records give the same version
// however they are split between sets and in whatever order, and any change gives another, with
// the keys in one sorted list or in buckets.
import { describe, expect, it } from 'vitest';
import { compileSiteConfig } from '../../src/content/compile';
import { contentVersion, type KeySet } from '../../src/publish/content-version';
import { repositoryContent } from '../support/content';

const site = compileSiteConfig(repositoryContent().site);

/** 300 keys like a publish's, each with a hash of its own. */
const records = new Map(
  Array.from({ length: 300 }, (_, i) => [
    `article:v3:${(i * 7919) % 1000}:html`,
    i.toString(16).padStart(64, '0'),
  ]),
);
const hashOf = (hashes: ReadonlyMap<string, string>) => (key: string) => hashes.get(key);
const setOf = (keys: readonly string[]): KeySet => ({ size: keys.length, keys: () => keys });

/** The records' keys in three sets, split at `cuts` after being put in `order`. */
function split(keys: readonly string[], cuts: [number, number]): KeySet[] {
  return [setOf(keys.slice(0, cuts[0])), setOf(keys.slice(cuts[0], cuts[1])), setOf(keys.slice(cuts[1]))];
}

describe('the content version', () => {
  const keys = [...records.keys()];
  const shuffled = [...keys].sort((a, b) =>
    a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1,
  );

  for (const bucketKeys of [1 << 18, 40, 1]) {
    describe(`with up to ${bucketKeys} keys sorted at once`, () => {
      const version = (sets: KeySet[], hashes = records, head = 7) =>
        contentVersion(site, head, sets, hashOf(hashes), bucketKeys);

      it('is the same however the keys are split between sets and ordered', async () => {
        expect(shuffled).not.toEqual(keys);
        const first = await version(split(keys, [100, 200]));
        expect(first).toMatch(/^[0-9a-f]{16}$/);
        expect(await version(split(shuffled, [10, 290]))).toBe(first);
        expect(await version([setOf(shuffled)])).toBe(first);
      });

      it("changes with one record's hash, one key, or the change log's head", async () => {
        const first = await version(split(keys, [100, 200]));
        const rehashed = new Map(records).set(keys[150] as string, 'f'.repeat(64));
        expect(await version(split(keys, [100, 200]), rehashed)).not.toBe(first);
        const renamed = [...keys.slice(0, -1), 'article:v3:9999:html'];
        const renamedHashes = new Map([...records].slice(0, -1)).set(
          'article:v3:9999:html',
          records.get(keys.at(-1) as string) as string,
        );
        expect(await version(split(renamed, [100, 200]), renamedHashes)).not.toBe(first);
        expect(await version(split(keys.slice(1), [100, 200]))).not.toBe(first);
        expect(await version(split(keys, [100, 200]), records, 8)).not.toBe(first);
      });
    });
  }

  it('puts the keys in buckets only past the number sorted at once', async () => {
    const sets = split(keys, [100, 200]);
    const single = await contentVersion(site, 7, sets, hashOf(records), keys.length);
    expect(await contentVersion(site, 7, sets, hashOf(records), 1 << 18)).toBe(single);
    expect(await contentVersion(site, 7, sets, hashOf(records), keys.length - 1)).not.toBe(single);
  });

  it('refuses sets that hold more or fewer keys than they count', async () => {
    const short: KeySet = { size: 3, keys: () => keys.slice(0, 2) };
    const long: KeySet = { size: 1, keys: () => keys.slice(0, 2) };
    for (const bucketKeys of [1 << 18, 1])
      for (const set of [short, long])
        await expect(contentVersion(site, 7, [set], hashOf(records), bucketKeys)).rejects.toThrow(
          /do not hold as many keys as they count/,
        );
  });
});
