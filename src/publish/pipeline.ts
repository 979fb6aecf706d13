// The publish pipeline that `npm run publish` and the tests both run: read what KV holds, build
// every record, log the changes, plan the writes, apply them in order. Storage is passed in.

import { CHANGES_PAGE_SIZE } from '../api/paging';
import { articleResponseSchema, type Change, changesPageSchema } from '../api/schemas';
import { type Manifest, manifestSchema } from '../articles/article';
import { apiArticleKey, changesPageKey, manifestKey } from '../articles/keys';
import type { CompiledContent } from '../content/compile';
import type { SecretKey } from '../mirrors/minisign';
import { nextRecentWrites } from '../storage/consistency';
import { buildRecords, type RecordSet } from './build-records';
import { appendChanges, removedIds } from './changes';
import { sha256Hex } from './hash';
import { buildApiArticles } from './indexes/api-records';
import { buildMirrorList, checkSigningKey } from './mirror-list';
import { type KvWrite, type PublishPlan, planPublish, type StoredKeys } from './plan';

/** What a publish reads: the owned keys with their KV metadata, and single values. */
export interface PublishSource {
  listKeys(): Promise<StoredKeys>;
  getText(key: string): Promise<string | null>;
}

/** Where a publish writes, phase by phase. */
export interface PublishTarget {
  put(writes: KvWrite[], phase: string): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

export interface PreparedPublish {
  records: RecordSet;
  plan: PublishPlan;
  /** The change log before this publish (the committed head) and after it: entries from+1 … to are news. */
  changeLog: { from: number; to: number };
}

/** Publish time as written in records: whole seconds, UTC. */
export function publishStamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function readJson(source: PublishSource, key: string): Promise<unknown> {
  const text = await source.getText(key);
  return text === null ? null : JSON.parse(text);
}

/**
 * The manifest now in KV; null when absent, garbled or wrong-shaped: a publish repairs it. A read
 * that fails is an error, never "absent": that would restart the generations and the change log.
 */
async function readPreviousManifest(source: PublishSource): Promise<Manifest | null> {
  const text = await source.getText(manifestKey());
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: treat it as absent rather than refuse to run; this publish overwrites it.
    return null;
  }
  const parsed = manifestSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The change-log pages from the head's page on, up to the first missing one. */
async function readChangeLogTail(source: PublishSource, head: number): Promise<Change[]> {
  const entries: Change[] = [];
  for (let page = Math.floor(head / CHANGES_PAGE_SIZE); ; page++) {
    const value = await readJson(source, changesPageKey(page));
    if (value === null) return entries;
    const parsed = changesPageSchema.safeParse(value);
    if (!parsed.success) throw new Error(`${changesPageKey(page)} is corrupt: publish stopped`);
    entries.push(...parsed.data.entries);
  }
}

/** The guid of each removed article, from its last API record: a tombstone needs it. */
async function readRemovedGuids(source: PublishSource, ids: number[]): Promise<Map<number, string>> {
  const guids = new Map<number, string>();
  for (const id of ids) {
    const parsed = articleResponseSchema.safeParse(await readJson(source, apiArticleKey(id)));
    if (!parsed.success) throw new Error(`${apiArticleKey(id)} is unreadable: cannot log its removal`);
    guids.set(id, parsed.data.data.guid);
  }
  return guids;
}

/**
 * `signingKey` signs /.well-known/mirrors.json; when site.yaml sets `signing_key`, a missing or
 * mismatched key throws SigningKeyError before anything is read or written.
 */
export async function preparePublish(
  content: CompiledContent,
  source: PublishSource,
  now: Date,
  signingKey: SecretKey | null = null,
): Promise<PreparedPublish> {
  checkSigningKey(content.site, signingKey);
  const previous = await readPreviousManifest(source);
  const listed = await source.listKeys();
  // Publish deletes after its manifest: a key the committed manifest names as deleted, still
  // listed, is what a publish killed while deleting left behind; its removal is logged already.
  const leftover = (key: string, gen: number | undefined) => {
    const deletedAt = previous?.recent?.deleted[key];
    return deletedAt !== undefined && (gen ?? 0) <= deletedAt;
  };
  const stored = new Map<string, string | undefined>();
  for (const [key, metadata] of listed) if (!leftover(key, metadata.gen)) stored.set(key, metadata.hash);
  // Above every generation stored, so a manifest lost or garbled can never make values look newer than it.
  let highest = previous?.gen ?? 0;
  for (const metadata of listed.values()) highest = Math.max(highest, metadata.gen ?? 0);
  const gen = highest + 1;

  const articles = buildApiArticles(content);
  const head = previous?.changes?.head ?? 0;
  const changeLog = await appendChanges(
    articles,
    {
      head,
      tail: await readChangeLogTail(source, head),
      stored,
      removedGuids: await readRemovedGuids(source, removedIds(stored.keys(), articles)),
    },
    publishStamp(now),
  );
  const mirrorList = await buildMirrorList(content.site, previous?.mirrorList, publishStamp(now), signingKey);
  const records = await buildRecords(content, { previous, now, changeLog, mirrorList });
  const plan = await planPublish(records, listed, gen);
  await commitManifest(records, plan, { previous, listed, gen, now });
  return { records, plan, changeLog: { from: head, to: changeLog.head } };
}

/** The draft manifest without what only a committed generation has. */
function withoutGeneration(manifest: Manifest): string {
  const { gen: _gen, recent: _recent, ...rest } = manifest;
  return JSON.stringify(rest);
}

/**
 * Stamps the manifest with this publish's generation and the keys it rewrites or deletes (the
 * worker judges reads by them), and plans its write last. A publish that changes nothing keeps
 * the stored manifest as it is, so it writes nothing at all.
 */
async function commitManifest(
  records: RecordSet,
  plan: PublishPlan,
  context: { previous: Manifest | null; listed: StoredKeys; gen: number; now: Date },
): Promise<void> {
  const { previous, listed, gen, now } = context;
  const manifestPhase = plan.phases.find((phase) => phase.name === 'manifest');
  if (!manifestPhase) throw new Error('the plan has no manifest phase');
  const writes = plan.phases.flatMap((phase) => (phase.name === 'manifest' ? [] : phase.writes));
  const draft = records.manifest.manifest;
  if (
    previous?.gen !== undefined &&
    writes.length === 0 &&
    plan.deletes.length === 0 &&
    withoutGeneration(previous) === withoutGeneration(draft)
  ) {
    records.manifest = { key: records.manifest.key, value: JSON.stringify(previous), manifest: previous };
    if (manifestPhase.writes.length > 0) plan.unchanged++;
    manifestPhase.writes = [];
    return;
  }
  const rewritten = new Set(writes.map((write) => write.key));
  const deleted = new Set(plan.deletes);
  const uncommitted = new Map<string, number>();
  for (const [key, metadata] of listed) {
    const stamped = metadata.gen ?? 0;
    if (stamped > (previous?.gen ?? 0) && !rewritten.has(key) && !deleted.has(key))
      uncommitted.set(key, stamped);
  }
  const recent =
    previous?.gen !== undefined && previous.recent ? { gen: previous.gen, recent: previous.recent } : null;
  const manifest: Manifest = {
    ...draft,
    gen,
    recent: nextRecentWrites({
      previous: recent,
      gen,
      now,
      writes: rewritten,
      deletes: plan.deletes,
      uncommitted,
    }),
  };
  const value = JSON.stringify(manifest);
  records.manifest = { key: records.manifest.key, value, manifest };
  if (manifestPhase.writes.length === 0) plan.unchanged--;
  manifestPhase.writes = [
    { key: records.manifest.key, value, metadata: { hash: await sha256Hex(value), gen } },
  ];
}

/** Writes phase by phase (a phase starts only once the previous one is stored), deletes last. */
export async function applyPlan(plan: PublishPlan, target: PublishTarget): Promise<void> {
  for (const phase of plan.phases) await target.put(phase.writes, phase.name);
  await target.delete(plan.deletes);
}
