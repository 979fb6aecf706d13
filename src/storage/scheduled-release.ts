// The cron trigger's work: apply every scheduled release that is due. Publish stored each release
// as the exact writes that lead from the state before it to the state after it (publish/schedule.ts),
// and the manifest names the next one; applying is writing them in order, then the manifest.
import * as z from 'zod/mini';
import { isoSeconds } from '../shared/iso-time';
import { manifestKey, releaseKey, writerTokenKey } from './keys';
import { type Manifest, manifestSchema } from './records';
import { releaseRecordSchema } from './release-record';

/** Releases one run applies at most, so a long outage catches up over a few runs, never all at once. */
const MAX_RELEASES_PER_RUN = 10;

async function readJson<S extends z.ZodMiniType>(
  kv: KVNamespace,
  key: string,
  schema: S,
): Promise<z.output<S> | null> {
  const text = await kv.get(key, 'text');
  if (text === null) return null;
  const parsed = z.safeParse(schema, JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${key} is not a ${key.startsWith('release:') ? 'release' : 'manifest'} record`);
  return parsed.data;
}

/** A fresh writer token (keys.ts writerTokenKey), put before and after a release's writes. */
function putWriterToken(kv: KVNamespace, gen: number): Promise<void> {
  return kv.put(writerTokenKey(), JSON.stringify({ by: 'release', gen, token: crypto.randomUUID() }));
}

/** A release the cron applied: its generation, and what publish said to push for it. */
export interface AppliedRelease {
  gen: number;
  event: unknown;
}

/**
 * Applies the releases due at `nowMs`, oldest first; returns what it applied. A release
 * record that is gone was superseded by a newer publish (which retires them before writing), or
 * already applied by an earlier run: nothing happens then.
 */
export async function applyDueReleases(kv: KVNamespace, nowMs: number): Promise<AppliedRelease[]> {
  const applied: AppliedRelease[] = [];
  for (let run = 0; run < MAX_RELEASES_PER_RUN; run++) {
    const manifest: Manifest | null = await readJson(kv, manifestKey(), manifestSchema);
    const next = manifest?.release;
    if (!next || Date.parse(next.at) > nowMs) break;
    const record = await readJson(kv, releaseKey(next.gen), releaseRecordSchema);
    // The record must be the release the manifest names, time included: never another one's.
    if (!record || record.gen !== next.gen || record.at !== next.at) break;
    // Before its first write, as every writer does: a publish no longer trusts what it remembers of KV.
    await putWriterToken(kv, record.gen);
    for (const phase of record.phases) {
      const writes = phase.writes.map((write) => {
        if (write.key !== manifestKey()) return write;
        // The recent writes are judged from when they happen, not from the scheduled minute. (The
        // metadata keeps publish's hash: only publish diffs by it, and it rewrites any manifest.)
        const staged = manifestSchema.parse(JSON.parse(write.value));
        const at = staged.recent?.at;
        if (at) at[String(record.gen)] = isoSeconds(nowMs);
        // Likewise the search layout's age: the live one's if the count stays, else from now, so
        // the layout before it stays readable for the settling window from when it was replaced
        // (publish/indexes/search-index.ts lingeringSearchParts).
        const search = staged.searchIndex;
        const live = manifest?.searchIndex;
        if (search) search.since = live?.shards === search.shards ? live.since : isoSeconds(nowMs);
        return { ...write, value: JSON.stringify(staged) };
      });
      await Promise.all(writes.map((w) => kv.put(w.key, w.value, { metadata: w.metadata })));
    }
    await Promise.all([...record.deletes, releaseKey(record.gen)].map((key) => kv.delete(key)));
    // And after its last: a publish that put its own token while this ran does not commit what it saw.
    await putWriterToken(kv, record.gen);
    applied.push({ gen: record.gen, event: record.event });
  }
  return applied;
}
