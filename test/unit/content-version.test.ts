// The content version is taken from the records' sum, which digests every record's key and hash
// together: the same records give the same version however they are split between sets and in
// whatever order, any change gives another, and a sum moved by the records that changed equals the
// sum of the records as they are now.
import { describe, expect, it } from 'vitest';
import { compileSiteConfig } from '../../src/content/compile';
import { contentVersion, type KeySet, RecordSum, recordSum } from '../../src/publish/content-version';
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
const setOf = (keys: readonly string[]): KeySet => ({ keys: () => keys });

/** The records' keys in three sets, split at `cuts`. */
function split(keys: readonly string[], cuts: [number, number]): KeySet[] {
  return [setOf(keys.slice(0, cuts[0])), setOf(keys.slice(cuts[0], cuts[1])), setOf(keys.slice(cuts[1]))];
}

/** A synchronous SHA-256 made of Web Crypto's results, computed ahead for the texts a test sums. */
async function syncDigestOf(hashes: ReadonlyMap<string, string>[]): Promise<(text: string) => Uint8Array> {
  const known = new Map<string, Uint8Array>();
  for (const map of hashes)
    for (const [key, hash] of map) {
      const text = `${key}\u0000${hash}`;
      known.set(text, new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
    }
  return (text) => {
    const digest = known.get(text);
    if (!digest) throw new Error(`no digest computed ahead for ${text}`);
    return digest;
  };
}

describe('the content version', () => {
  const keys = [...records.keys()];
  const shuffled = [...keys].sort((a, b) =>
    a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1,
  );
  const version = async (sets: KeySet[], hashes = records, head = 7) =>
    contentVersion(site, head, await recordSum(sets, hashOf(hashes)));

  it('is the same however the keys are split between sets and ordered', async () => {
    expect(shuffled).not.toEqual(keys);
    const first = await version(split(keys, [100, 200]));
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(await version(split(shuffled, [10, 290]))).toBe(first);
    expect(await version([setOf(shuffled)])).toBe(first);
  });

  it("changes with one record's hash, one key, two values swapped, or the change log's head", async () => {
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
    const swapped = new Map(records)
      .set(keys[3] as string, records.get(keys[4] as string) as string)
      .set(keys[4] as string, records.get(keys[3] as string) as string);
    expect(await version(split(keys, [100, 200]), swapped)).not.toBe(first);
    expect(await version(split(keys, [100, 200]), records, 8)).not.toBe(first);
  });

  it('gives the same sum with a synchronous digest as with Web Crypto', async () => {
    const digest = await syncDigestOf([records]);
    const sets = split(keys, [100, 200]);
    expect(await recordSum(sets, hashOf(records), digest)).toBe(await recordSum(sets, hashOf(records)));
  });

  it('is moved by the records an edit changes, added and removed, to the sum of the records as they are', async () => {
    const edited = new Map(records);
    edited.set(keys[10] as string, 'a'.repeat(64)).set(keys[200] as string, 'b'.repeat(64));
    edited.delete(keys[20] as string);
    edited.set('search:v2:8:17:fresh', 'c'.repeat(64));
    const digest = await syncDigestOf([records, edited]);
    for (const given of [undefined, digest]) {
      const moved = new RecordSum(given, await recordSum([setOf(keys)], hashOf(records), given));
      for (const key of [keys[10], keys[200], keys[20]] as string[])
        await moved.remove(key, records.get(key) as string);
      for (const key of [keys[10], keys[200], 'search:v2:8:17:fresh'] as string[])
        await moved.add(key, edited.get(key) as string);
      expect(await moved.hex()).toBe(await recordSum([setOf([...edited.keys()])], hashOf(edited), given));
    }
  });

  it('refuses a stored sum that is not 64 hex characters', () => {
    expect(() => new RecordSum(undefined, 'f'.repeat(63))).toThrow(/64 hex characters/);
  });
});
