// The content version: one short hash of everything a publish leaves in KV. Cache keys derive from
// it (src/http/content-cache.ts), so it must change with any record and be the same however a
// record was obtained (built, or kept as stored), in whatever order the builders produced it.
import type { SiteConfig } from '../config/site-config';
import { sha256Hex } from '../shared/digest';

/** Keys and hashes hashed together at a time: a bounded input at any archive size. */
const CHUNK_KEYS = 4096;

/**
 * At most about this many keys are sorted at once. An archive with more has its keys split into
 * buckets by a hash of each key, and each bucket sorted and hashed in turn: one sorted list of
 * every key (1.86 million at 500,000 articles) and V8's copy of it while sorting were about 30 MB
 * more, in a script, at the end of a first publish's build, where its memory peaks
 * (docs/publishing-measured.md, "Keys held in one piece"). Up to this many keys, the version is the
 * one of a single sorted list.
 */
export const VERSION_BUCKET_KEYS = 1 << 18;

/** A set of keys whose size is known before they are read (a record store, the kept keys). */
export interface KeySet {
  readonly size: number;
  keys(): Iterable<string>;
}

/**
 * The content version: a hash of the configuration, the change log's head (its pages are not all
 * rewritten, but the head moves whenever one is) and every record's key and hash. The keys are put
 * in buckets by a hash of the key (one bucket up to `bucketKeys` keys), each bucket's keys sorted,
 * hashed a chunk at a time, and the chunks' hashes hashed together: no list of keys grows past a
 * bucket (each key's bucket is kept in two bytes), and no text past a chunk.
 */
export async function contentVersion(
  site: SiteConfig,
  changesHead: number,
  keySets: readonly KeySet[],
  hashOf: (key: string) => string | undefined,
  bucketKeys = VERSION_BUCKET_KEYS,
): Promise<string> {
  const total = keySets.reduce((sum, set) => sum + set.size, 0);
  const buckets = Math.max(1, Math.ceil(total / bucketKeys));
  if (buckets > 0xffff) throw new Error(`the content version cannot put ${total} keys in buckets`);
  // With several buckets: each key's bucket, by its place in the sets' order (the same on every
  // pass: nothing changes the sets meanwhile), and how many keys each bucket has.
  const bucketAt = buckets > 1 ? new Uint16Array(total) : undefined;
  const counts = bucketAt ? new Array<number>(buckets).fill(0) : [total];
  if (bucketAt)
    forEachKey(keySets, total, (key, place) => {
      const bucket = bucketOf(key, buckets);
      bucketAt[place] = bucket;
      counts[bucket] = (counts[bucket] as number) + 1;
    });
  const chunks: string[] = [JSON.stringify(site), String(changesHead)];
  for (let bucket = 0; bucket < buckets; bucket++) {
    // Made at its size: pushed to, a list is copied as it grows.
    const keys = new Array<string>(counts[bucket] as number);
    let filled = 0;
    forEachKey(keySets, total, (key, place) => {
      if (bucketAt && bucketAt[place] !== bucket) return;
      if (filled === keys.length) throw miscounted();
      keys[filled++] = key;
    });
    if (filled !== keys.length) throw miscounted();
    keys.sort();
    for (let start = 0; start < keys.length; start += CHUNK_KEYS) {
      const end = Math.min(keys.length, start + CHUNK_KEYS);
      let text = '';
      for (let i = start; i < end; i++) {
        const key = keys[i] as string;
        text += `${i === start ? '' : '\u0000'}${key}\u0000${hashOf(key) ?? ''}`;
      }
      chunks.push(await sha256Hex(text));
    }
  }
  return (await sha256Hex(chunks.join('\u0000'))).slice(0, 16);
}

const miscounted = () => new Error(`the content version's key sets do not hold as many keys as they count`);

/**
 * Calls `each` with every key of the sets and its place, in their order, refusing sets that hold
 * more or fewer keys than they count. (A callback, not a generator: a publish of 500,000 articles
 * reads its 1.86 million keys nine times here, and in a script a generator took 1 to 4 s more.)
 */
function forEachKey(
  keySets: readonly KeySet[],
  total: number,
  each: (key: string, place: number) => void,
): void {
  let at = 0;
  for (const set of keySets)
    for (const key of set.keys()) {
      if (at === total) throw miscounted();
      each(key, at++);
    }
  if (at !== total) throw miscounted();
}

/** A key's bucket: FNV-1a over its UTF-16 code units, modulo the number of buckets. */
function bucketOf(key: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % buckets;
}
