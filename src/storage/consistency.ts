// How the worker tells a settled KV read from a stale one under eventual consistency. Every value
// a publish writes carries, in KV metadata, the publish generation that wrote it; the manifest of
// generation g names the keys rewritten or deleted within the settling window, with the generation
// of that write. A read is judged against both before its response may be cached (docs/storage.md).
import * as z from 'zod/mini';
import { isoSeconds } from '../shared/iso-time';

/**
 * How long after a publish its writes are tracked in the manifest. Workers KV makes a write visible
 * elsewhere once a location's cached copy expires (60 s with the default cacheTtl); ten times that
 * leaves room for slow propagation and for the publishing machine's clock being somewhat off.
 */
export const SETTLING_WINDOW_SECONDS = 600;

/**
 * Keys the manifest names at most: about 110 KB of JSON, parsed once per isolate per manifest. A
 * one-article publish writes a few dozen keys, plus the search shards of its words (a few hundred).
 */
export const RECENT_KEYS_MAX = 4000;

/** KV metadata of every value a publish writes (a type, not an interface: it is sent as a record). */
export type ValueMetadata = {
  /** SHA-256 (hex) of the value: the next publish diffs without reading values. */
  hash: string;
  /** The publish generation that wrote it. */
  gen: number;
};

/** Reads KV metadata written by any version of publish; older values carry no generation. */
export function readValueMetadata(metadata: unknown): Partial<ValueMetadata> {
  if (!metadata || typeof metadata !== 'object') return {};
  const found: Partial<ValueMetadata> = {};
  if ('hash' in metadata && typeof metadata.hash === 'string') found.hash = metadata.hash;
  if ('gen' in metadata && typeof metadata.gen === 'number' && Number.isSafeInteger(metadata.gen))
    found.gen = metadata.gen;
  return found;
}

export const recentWritesSchema = z.object({
  /** Key → generation of its last write, for writes within the settling window. */
  written: z.record(z.string(), z.int()),
  /** Key → generation that deleted it, likewise. */
  deleted: z.record(z.string(), z.int()),
  /** Generation → its publish time, for every generation named above (pruning needs it). */
  at: z.record(z.string(), z.string()),
  /** Set when some writes within the window could not be listed: reads are unverifiable until then. */
  unverifiedUntil: z.optional(z.string()),
});

export type RecentWrites = z.output<typeof recentWritesSchema>;

/** What the manifest of generation `gen` tells a reader about recent writes. */
export interface ConsistencyState {
  gen: number;
  recent: RecentWrites;
}

/**
 * - `settled`: the value (or its absence) is the one the manifest's generation has;
 * - `unverified`: within the window of a publish too large to list: maybe behind, so never cached;
 * - `behind`: an older value than the manifest's (this location has not caught up yet);
 * - `ahead`: written by a newer publish than the manifest this isolate has.
 */
export type ReadVerdict = 'settled' | 'unverified' | 'behind' | 'ahead';

const VERDICT_RANK: Record<ReadVerdict, number> = { settled: 0, unverified: 1, ahead: 2, behind: 3 };

/** The verdict of a response built from several reads: the worst of them. */
export function worseVerdict(a: ReadVerdict, b: ReadVerdict): ReadVerdict {
  return VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a;
}

export interface JudgedRead {
  verdict: ReadVerdict;
  /** The manifest says this key was deleted: answer "absent" whatever this location still holds. */
  deleted: boolean;
}

/**
 * Judges one read of `key` (found with generation `gen`, or absent) under the manifest's state.
 * Keys outside the recent map were last written before the settling window, so every location
 * holds their current value.
 */
export function judgeRead(
  key: string,
  found: { present: boolean; gen: number | undefined },
  state: ConsistencyState,
  nowMs: number,
): JudgedRead {
  const valueGen = found.gen ?? 0;
  if (found.present && valueGen > state.gen) return { verdict: 'ahead', deleted: false };
  // A write older than the window has reached every location: what is read is what there is.
  const recent = (g: number | undefined) =>
    g !== undefined && nowMs < Date.parse(state.recent.at[String(g)] ?? '') + SETTLING_WINDOW_SECONDS * 1000;
  const written = recent(state.recent.written[key]) ? state.recent.written[key] : undefined;
  const deletedAt = recent(state.recent.deleted[key]) ? state.recent.deleted[key] : undefined;
  if (deletedAt !== undefined && (written === undefined || deletedAt > written)) {
    // Publish deletes after its manifest flips, so the value may still be there: it is gone all the same.
    return { verdict: 'settled', deleted: true };
  }
  if (written !== undefined) {
    const current = found.present && valueGen === written;
    return { verdict: current ? 'settled' : 'behind', deleted: false };
  }
  const until = state.recent.unverifiedUntil;
  if (until !== undefined && nowMs < Date.parse(until)) return { verdict: 'unverified', deleted: false };
  return { verdict: 'settled', deleted: false };
}

interface RecentInput {
  previous: ConsistencyState | null;
  gen: number;
  now: Date;
  /**
   * Keys this publish writes and deletes, each key once (a plan's are), each read twice:
   * collections, or views that start afresh, not generators.
   */
  writes: Iterable<string>;
  deletes: Iterable<string>;
  /**
   * Keys stored by a publish that never committed its manifest (their generation is above the
   * previous manifest's): what they hold is part of this generation's state.
   */
  uncommitted: ReadonlyMap<string, number>;
}

/**
 * The recent map of generation `gen`: the previous map plus this publish's writes and deletes,
 * less what left the settling window. When it would name more than RECENT_KEYS_MAX keys, the oldest
 * generations are dropped and reads stay unverifiable until their window has passed.
 */
export function nextRecentWrites(input: RecentInput): RecentWrites {
  const { previous, gen, now } = input;
  const nowMs = now.getTime();
  const windowStart = nowMs - SETTLING_WINDOW_SECONDS * 1000;
  const at = new Map<number, number>();
  const written = new Map<string, number>();
  const deleted = new Map<string, number>();
  if (previous) {
    for (const [g, time] of Object.entries(previous.recent.at)) at.set(Number(g), Date.parse(time));
    for (const [key, g] of Object.entries(previous.recent.written)) written.set(key, g);
    for (const [key, g] of Object.entries(previous.recent.deleted)) deleted.set(key, g);
  }
  for (const [key, g] of input.uncommitted) {
    written.set(key, g);
    deleted.delete(key);
    if (!at.has(g)) at.set(g, nowMs);
  }
  at.set(gen, nowMs);
  // This generation's keys are counted before they are held: a generation over the bound is
  // dropped whole below, and a first publish's (every key of the archive) was a map of millions.
  let mine = 0;
  for (const keys of [input.writes, input.deletes])
    for (const key of keys) {
      written.delete(key);
      deleted.delete(key);
      mine++;
    }
  if (mine <= RECENT_KEYS_MAX) {
    for (const key of input.writes) written.set(key, gen);
    // A key both written and deleted counts as deleted.
    for (const key of input.deletes) {
      deleted.set(key, gen);
      written.delete(key);
    }
  }

  let unverifiedUntil = previous?.recent.unverifiedUntil ? Date.parse(previous.recent.unverifiedUntil) : 0;
  const expired = (g: number) => (at.get(g) ?? 0) < windowStart && g !== gen;
  const counts = new Map<number, number>(mine > RECENT_KEYS_MAX ? [[gen, mine]] : []);
  for (const map of [written, deleted]) {
    for (const [key, g] of map) {
      if (expired(g)) map.delete(key);
      else counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  // Newest generations first; a generation that does not fit is dropped whole.
  let kept = 0;
  const dropped = new Set<number>();
  for (const g of [...counts.keys()].sort((a, b) => b - a)) {
    const count = counts.get(g) ?? 0;
    if (dropped.size === 0 && kept + count <= RECENT_KEYS_MAX) kept += count;
    else {
      dropped.add(g);
      unverifiedUntil = Math.max(unverifiedUntil, (at.get(g) ?? nowMs) + SETTLING_WINDOW_SECONDS * 1000);
    }
  }
  const recent: RecentWrites = { written: {}, deleted: {}, at: {} };
  const named = new Set<number>();
  for (const [map, out] of [
    [written, recent.written],
    [deleted, recent.deleted],
  ] as const) {
    for (const key of [...map.keys()].sort()) {
      const g = map.get(key) ?? 0;
      if (dropped.has(g)) continue;
      out[key] = g;
      named.add(g);
    }
  }
  for (const g of [...named].sort((a, b) => a - b)) recent.at[String(g)] = isoSeconds(at.get(g) ?? nowMs);
  if (unverifiedUntil > nowMs) recent.unverifiedUntil = isoSeconds(unverifiedUntil);
  return recent;
}
