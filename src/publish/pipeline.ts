// The publish pipeline that `npm run publish` and the tests both run: read what KV holds, build
// every record, log the changes, plan the writes, apply them in order. Storage is passed in.

import { CHANGES_PAGE_SIZE } from '../api/paging';
import { articleResponseSchema, type Change, changesPageSchema } from '../api/schemas';
import { type Manifest, manifestSchema } from '../articles/article';
import { apiArticleKey, changesPageKey, manifestKey } from '../articles/keys';
import type { CompiledContent } from '../content/compile';
import type { SecretKey } from '../mirrors/minisign';
import { buildRecords, type RecordSet } from './build-records';
import { appendChanges, removedIds } from './changes';
import { buildApiArticles } from './indexes/api-records';
import { buildMirrorList, checkSigningKey } from './mirror-list';
import { type KvWrite, type PublishPlan, planPublish } from './plan';

/** What a publish reads: the owned keys with their hashes, and single values. */
export interface PublishSource {
  listKeys(): Promise<Map<string, string | undefined>>;
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
}

/** Publish time as written in records: whole seconds, UTC. */
export function publishStamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function readJson(source: PublishSource, key: string): Promise<unknown> {
  const text = await source.getText(key);
  return text === null ? null : JSON.parse(text);
}

/** The manifest now in KV; null when absent, garbled or wrong-shaped: a publish repairs it. */
async function readPreviousManifest(source: PublishSource): Promise<Manifest | null> {
  let json: unknown;
  try {
    json = await readJson(source, manifestKey());
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
  const stored = await source.listKeys();
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
  return { records, plan: await planPublish(records, stored) };
}

/** Writes phase by phase (a phase starts only once the previous one is stored), deletes last. */
export async function applyPlan(plan: PublishPlan, target: PublishTarget): Promise<void> {
  for (const phase of plan.phases) await target.put(phase.writes, phase.name);
  await target.delete(plan.deletes);
}
