// Decides what a publish writes: only keys whose value changed (each stored value carries its
// hash in KV metadata), in an order that keeps the live site consistent at every step.

import { KV_KEY_MAX_BYTES, KV_METADATA_MAX_BYTES, KV_VALUE_MAX_BYTES, utf8Bytes } from '../content/limits';
import { sha256Hex } from '../shared/digest';
import { sourcedGetter } from '../shared/read-when-asked';
import type { ValueMetadata } from '../storage/consistency';
import { isOwnedKey } from '../storage/keys';
import type { RecordSet } from './build-records';
import type { RecordStore } from './record-store';

export interface KvWrite {
  key: string;
  /** Read from the record store when the write happens (a getter): a plan holds no values. */
  readonly value: string;
  /** Stored as KV metadata: the next publish diffs by hash, the worker judges reads by generation. */
  metadata: ValueMetadata;
}

/** What a publish knows of a stored key without reading its value: its KV metadata. */
export type StoredKeys = ReadonlyMap<string, Partial<ValueMetadata>>;

export interface PublishPlan {
  /**
   * Write batches in order: change-log pages, articles, the indexes that point to them, the manifest.
   */
  phases: { name: 'changes' | 'articles' | 'indexes' | 'manifest'; writes: KvWrite[] }[];
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
  const diff = (store: RecordStore): KvWrite[] => {
    const writes: KvWrite[] = [];
    const source = { store, gen };
    for (const key of store.keys()) {
      // A stored key's hash is its store's (a key is built or kept, never both: buildRecords).
      if (stored.get(key)?.hash === (store.hash(key) ?? '')) {
        unchanged++;
        continue;
      }
      const write = storedWrite(key, source);
      refusals.push(...kvLimitProblems(write));
      writes.push(write);
    }
    return writes;
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

/** A planned write's value, read from its record store when asked for: one getter for every write. */
const valueFromStore = sourcedGetter<{ key: string }, RecordStore>('value', (store, write) => {
  const value = store.get(write.key);
  if (value === undefined) throw new Error(`${write.key} is planned but not in its record store`);
  return value;
});

/**
 * The UTF-8 size of a planned write's value, from the record store it waits in, without reading
 * it; undefined for a write made otherwise (the manifest, a release record) or a copy of one. (It
 * was a side table of 373,000 entries at 100,000 articles, 17 MB of a first publish's peak.)
 */
export function valueBytesOf(write: KvWrite): number | undefined {
  return valueFromStore.sourceOf(write)?.bytes(write.key);
}

/**
 * A planned write's metadata, made when asked for from the hash its record store keeps: one getter
 * for every write, its source the phase's store and generation. Held on each write, the hash as a
 * string of its own was about 90 bytes a value (373,000 values at 100,000 articles) from the plan to
 * the last write, where the store keeps it as its 32 bytes (columns.ts).
 */
const metadataFromStore = sourcedGetter<{ key: string }, { store: RecordStore; gen: number }>(
  'metadata',
  ({ store, gen }, write) => {
    const hash = store.hash(write.key);
    if (hash === undefined) throw new Error(`${write.key} is planned but not in its record store`);
    return { hash, gen } satisfies ValueMetadata;
  },
);

/**
 * A write whose value stays in the store until the writer asks for it, stamped with generation
 * `gen` (`source`: one per store and generation, shared by its writes).
 */
export function storedWrite(key: string, source: { store: RecordStore; gen: number }): KvWrite {
  // Fields in the order a release record serialises them: key, value, metadata.
  return metadataFromStore(valueFromStore({ key }, source.store), source) as KvWrite;
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
