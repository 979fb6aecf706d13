// Decides what a publish writes: only keys whose value changed (each stored value carries its
// hash in KV metadata), in an order that keeps the live site consistent at every step.
import { OWNED_KEY_PREFIXES } from '../articles/keys';
import type { ValueMetadata } from '../storage/consistency';
import type { RecordSet } from './build-records';
import { sha256Hex } from './hash';

export interface KvWrite {
  key: string;
  value: string;
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
  unchanged: number;
}

/**
 * `stored` has every key now in KV (under the owned prefixes) with its metadata; every write is
 * stamped with generation `gen`.
 */
export async function planPublish(records: RecordSet, stored: StoredKeys, gen: number): Promise<PublishPlan> {
  let unchanged = 0;
  const diff = async (entries: Iterable<[string, string]>): Promise<KvWrite[]> => {
    const writes: KvWrite[] = [];
    for (const [key, value] of entries) {
      const hash = records.hashes.get(key) ?? (await sha256Hex(value));
      if (stored.get(key)?.hash === hash) unchanged++;
      else writes.push({ key, value, metadata: { hash, gen } });
    }
    return writes;
  };
  const phases: PublishPlan['phases'] = [
    { name: 'changes', writes: await diff(records.changes) },
    { name: 'articles', writes: await diff(records.articles) },
    { name: 'indexes', writes: await diff(records.indexes) },
    { name: 'manifest', writes: await diff([[records.manifest.key, records.manifest.value]]) },
  ];
  const produced = new Set([...records.articles.keys(), ...records.indexes.keys(), records.manifest.key]);
  const deletes = [...stored.keys()]
    .filter((key) => !produced.has(key) && OWNED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)))
    .sort();
  return { phases, deletes, unchanged };
}
