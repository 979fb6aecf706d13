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
  // Each key's bucket, by its place in the sets' order (the same on every pass: nothing changes
  // the sets meanwhile), and how many keys each bucket has.
  const bucketAt = buckets > 1 ? new Uint16Array(total) : undefined;
  const counts = new Array<number>(buckets).fill(0);
  forEachKey(keySets, total, (key, place) => {
    const bucket = bucketAt ? bucketOf(key, buckets) : 0;
    if (bucketAt) bucketAt[place] = bucket;
    counts[bucket] = (counts[bucket] as number) + 1;
  });
  const chunks: string[] = [JSON.stringify(site), String(changesHead)];
  const chunk = new Utf8Chunk();
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
      chunk.clear();
      for (let i = start; i < end; i++) {
        const key = keys[i] as string;
        if (i !== start) chunk.addZero();
        chunk.add(key);
        chunk.addZero();
        chunk.add(hashOf(key) ?? '');
      }
      // The digest copies its input before it returns: the chunk's buffer may be reused at once.
      chunks.push(await sha256Hex(chunk.bytes()));
    }
  }
  return (await sha256Hex(chunks.join('\u0000'))).slice(0, 16);
}

const encoder = new TextEncoder();

/**
 * A chunk's keys and hashes as the UTF-8 of their text joined, each written straight into one
 * buffer reused for every chunk, rather than a text joined and encoded into a buffer of its own for
 * each chunk. Encoded apart, the pieces give the same bytes: a piece is a whole string, so no
 * surrogate pair is split between two.
 */
class Utf8Chunk {
  private buffer = new Uint8Array(1 << 20);
  private length = 0;

  clear(): void {
    this.length = 0;
  }

  addZero(): void {
    this.reserve(1);
    this.buffer[this.length++] = 0;
  }

  add(text: string): void {
    // UTF-8 takes at most 3 bytes for each UTF-16 unit.
    this.reserve(3 * text.length);
    this.length += encoder.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

const miscounted = () => new Error(`the content version's key sets do not hold as many keys as they count`);

/**
 * Calls `each` with every key of the sets and its place, in their order, refusing sets that hold
 * more or fewer keys than they count. (A callback, not a generator: a publish of 500,000 articles
 * reads its 1.86 million keys nine times here, and a generator's step was most of the time.)
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
