// Decides what a publish writes: only keys whose value changed (each stored value carries its
// hash in KV metadata), in an order that keeps the live site consistent at every step.

import { KV_KEY_MAX_BYTES, KV_METADATA_MAX_BYTES, KV_VALUE_MAX_BYTES, utf8Bytes } from '../content/limits';
import { sha256Hex } from '../shared/digest';
import type { ValueMetadata } from '../storage/consistency';
import { isOwnedKey } from '../storage/keys';
import type { RecordSet } from './build-records';
import type { RecordStore } from './record-store';

/**
 * A key and value to write, with the metadata stored beside it. A plan's writes read both from their
 * record store when asked (StoredWrite): copy one with JSON (its `toJSON`), not by spreading it.
 */
export interface KvWrite {
  readonly key: string;
  /** Read from the record store when the write happens (a getter): a plan holds no values. */
  readonly value: string;
  /** Stored as KV metadata: the next publish diffs by hash, the worker judges reads by generation. */
  readonly metadata: ValueMetadata;
}

/**
 * A phase's writes: read as often as needed, each time in the same order, with their count. A record
 * store's writes are made as they are read (storeWrites): a first publish of 500,000 articles plans
 * 1.86 million, and an object for each held from the plan to the last write was about 100 MB of its
 * peak. Copy one with `[...writes]`.
 */
export interface PlannedWrites extends Iterable<KvWrite> {
  readonly length: number;
}

/** What a publish knows of a stored key without reading its value: its KV metadata. */
export type StoredKeys = ReadonlyMap<string, Partial<ValueMetadata>>;

export interface PublishPlan {
  /**
   * Write batches in order: change-log pages, articles, the indexes that point to them, the manifest.
   */
  phases: { name: 'changes' | 'articles' | 'indexes' | 'manifest'; writes: PlannedWrites }[];
  /** Keys no longer produced (removed or drafted articles, shrunk lists): deleted last. */
  deletes: string[];
  /** Release records this publish supersedes: deleted first, before anything is written. */
  retire: string[];
  unchanged: number;
}

/**
 * `stored` has every key now in KV (under the owned prefixes) with its metadata; every write is
 * stamped with generation `gen`.
 */
export async function planPublish(records: RecordSet, stored: StoredKeys, gen: number): Promise<PublishPlan> {
  let unchanged = 0;
  const refusals: string[] = [];
  const diff = (store: RecordStore): PlannedWrites => {
    const source = { store, gen };
    // The keys to write, listed only from the first key left out: a first publish writes every key
    // of each store, and reads them from the store itself (1.86 million at 500,000 articles).
    let listed: string[] | undefined;
    let seen = 0;
    for (const key of store.keys()) {
      // A stored key's hash is its store's (a key is built or kept, never both: buildRecords).
      if (stored.get(key)?.hash === (store.hash(key) ?? '')) {
        unchanged++;
        listed ??= firstKeys(store, seen);
      } else {
        refusals.push(...kvLimitProblems(storedWrite(key, source)));
        listed?.push(key);
      }
      seen++;
    }
    if (!listed) return storeWrites(() => store.keys(), store.size, source);
    const keys = listed;
    return storeWrites(() => keys.values(), keys.length, source);
  };
  // Kept keys were found stored with the hash their inputs produce: unchanged without a build.
  unchanged += records.kept.size;
  const manifestWrites: KvWrite[] = [];
  const phases: PublishPlan['phases'] = [
    { name: 'changes', writes: diff(records.changes) },
    { name: 'articles', writes: diff(records.articles) },
    { name: 'indexes', writes: diff(records.indexes) },
    { name: 'manifest', writes: manifestWrites },
  ];
  const { key, value } = records.manifest;
  const metadata = { hash: await sha256Hex(value), gen };
  if (stored.get(key)?.hash === metadata.hash) unchanged++;
  else {
    const write = { key, value, metadata };
    refusals.push(...kvLimitProblems(write));
    manifestWrites.push(write);
  }
  if (refusals.length > 0) throw new KvLimitError(refusals);
  const produced = (key: string) =>
    records.articles.has(key) ||
    records.indexes.has(key) ||
    records.kept.has(key) ||
    key === records.manifest.key;
  // Stored keys no record produces go, but for those still read by isolates on an older manifest.
  const stays = (key: string) => produced(key) || records.lingering.has(key);
  const deletes = [...stored.keys()].filter((key) => !stays(key) && isOwnedKey(key)).sort();
  return { phases, deletes, retire: [], unchanged };
}

/**
 * A planned write whose value and metadata are read from its record store when asked for: its own
 * fields are its key and where it reads from, `value` and `metadata` are the class's getters (so
 * one each for every write), and `toJSON` gives all three in the order a release record serialises
 * them. The metadata is made from the hash the store keeps as its 32 bytes (columns.ts), when
 * asked. A write is made each time its phase is read (storeWrites) and let go once used: held from
 * the plan to the last write, one each was 48 bytes and its place in a list, for the 1.86 million a
 * first publish of 500,000 articles plans.
 */
class StoredWrite implements KvWrite {
  constructor(
    readonly key: string,
    private readonly source: { store: RecordStore; gen: number },
  ) {}

  get value(): string {
    const value = this.source.store.get(this.key);
    if (value === undefined) throw new Error(`${this.key} is planned but not in its record store`);
    return value;
  }

  get metadata(): ValueMetadata {
    const hash = this.source.store.hash(this.key);
    if (hash === undefined) throw new Error(`${this.key} is planned but not in its record store`);
    return { hash, gen: this.source.gen };
  }

  /** The value's UTF-8 size, from the store, without reading it. */
  get bytes(): number | undefined {
    return this.source.store.bytes(this.key);
  }

  toJSON(): { key: string; value: string; metadata: ValueMetadata } {
    return { key: this.key, value: this.value, metadata: this.metadata };
  }
}

/**
 * The UTF-8 size of a planned write's value, from the record store it waits in, without reading
 * it; undefined for a write made otherwise (the manifest, a release record) or a copy of one. (It
 * was a side table of 373,000 entries at 100,000 articles, 17 MB of a first publish's peak.)
 */
export function valueBytesOf(write: KvWrite): number | undefined {
  return write instanceof StoredWrite ? write.bytes : undefined;
}

/**
 * A write whose value stays in the store until the writer asks for it, stamped with generation
 * `gen` (`source`: one per store and generation, shared by its writes).
 */
export function storedWrite(key: string, source: { store: RecordStore; gen: number }): KvWrite {
  return new StoredWrite(key, source);
}

/** The store's first `count` keys. */
function firstKeys(store: RecordStore, count: number): string[] {
  const keys: string[] = [];
  if (count === 0) return keys;
  for (const key of store.keys()) if (keys.push(key) === count) break;
  return keys;
}

/**
 * The writes of `length` keys (those `keys` gives, each time in the same order) from one record
 * store, a write made for each key as it is read.
 */
function storeWrites(
  keys: () => Iterable<string>,
  length: number,
  source: { store: RecordStore; gen: number },
): PlannedWrites {
  return {
    length,
    *[Symbol.iterator]() {
      for (const key of keys()) yield new StoredWrite(key, source);
    },
  };
}

/** `writes`, then `more` (a few writes made apart from the record stores, as release records are). */
export function followedBy(writes: PlannedWrites, more: readonly KvWrite[]): PlannedWrites {
  return {
    length: writes.length + more.length,
    *[Symbol.iterator]() {
      yield* writes;
      yield* more;
    },
  };
}

/** Records Workers KV would refuse: found while planning, so --dry-run stops exactly where a write would. */
export class KvLimitError extends Error {
  override readonly name = 'KvLimitError';
  constructor(readonly refusals: string[]) {
    super(refusals.join('\n'));
  }
}

/** A key as messages show it: a key too long to print whole is cut, its length is in the message. */
function shownKey(key: string): string {
  return key.length > 100 ? `${key.slice(0, 100)}…` : key;
}

/** A planned write's size from its record store (valueBytesOf) spares reading the value back. */
export function kvLimitProblems(write: KvWrite): string[] {
  const problems: string[] = [];
  const keyBytes = utf8Bytes(write.key);
  if (keyBytes > KV_KEY_MAX_BYTES)
    problems.push(`the key is ${keyBytes} bytes; Workers KV takes at most ${KV_KEY_MAX_BYTES}`);
  // A UTF-16 unit is at most 3 bytes of UTF-8: most values need no count.
  const bytes =
    valueBytesOf(write) ?? (write.value.length * 3 > KV_VALUE_MAX_BYTES ? utf8Bytes(write.value) : 0);
  if (bytes > KV_VALUE_MAX_BYTES)
    problems.push(`the value is ${bytes} bytes; Workers KV takes at most ${KV_VALUE_MAX_BYTES}`);
  // The writers store exactly this as metadata (node/kv-store.ts, test/support/publish.ts).
  const metadataBytes = utf8Bytes(JSON.stringify(write.metadata));
  if (metadataBytes > KV_METADATA_MAX_BYTES) {
    problems.push(
      `the metadata is ${metadataBytes} bytes; Workers KV takes at most ${KV_METADATA_MAX_BYTES}`,
    );
  }
  return problems.map((problem) => `${shownKey(write.key)}: ${problem}`);
}
