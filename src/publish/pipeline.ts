// The publish pipeline that `npm run publish` and the tests both run: read what KV holds, build
// every record, log the changes, plan the writes, apply them in order. Storage is passed in.

import { CHANGES_PAGE_SIZE } from '../api/paging';
import { articleResponseSchema, type Change, changesPageSchema } from '../api/schemas';
import type { CompiledContent } from '../content/compile';
import { ContentError } from '../content/problems';
import type { SecretKey } from '../mirrors/minisign';
import { sha256Hex } from '../shared/digest';
import { isoSeconds } from '../shared/iso-time';
import { nextRecentWrites } from '../storage/consistency';
import {
  apiArticleKey,
  articleKey,
  changesPageKey,
  manifestKey,
  RELEASE_KEY_PREFIX,
  releaseGenOf,
  releaseKey,
} from '../storage/keys';
import { articleSchema, type Manifest, manifestSchema } from '../storage/records';
import {
  articleInputs,
  type BuildOptions,
  buildRecords,
  type RecordSet,
  rememberedApiHashes,
} from './build-records';
import { appendChanges, removedIds } from './changes';
import type { GroupIndexSink } from './group-index';
import { ApiArticles } from './indexes/api-records';
import { buildMirrorList, checkSigningKey } from './mirror-list';
import {
  followedBy,
  KvLimitError,
  type KvWrite,
  kvLimitProblems,
  type PlannedWrites,
  type PublishPlan,
  planPublish,
  type StoredKeys,
} from './plan';
import { pushEventOf } from './push-event';
import type { GroupOutput, RecordMemo } from './record-memo';
import type { Scratch } from './record-store';
import { nextRemovals, readRemovedArticles, reusedIdProblems, UnreadableRegistryError } from './removals';
import {
  contentAsOf,
  MAX_STAGED_RELEASES,
  PlannedState,
  previewOf,
  type ReleaseRecord,
  releaseTimes,
} from './schedule';
import { StoredHashes } from './stored-hashes';
import { parseStored } from './stored-json';

/** What a publish reads: the owned keys with their KV metadata, and single values. */
export interface PublishSource {
  listKeys(): Promise<StoredKeys>;
  getText(key: string): Promise<string | null>;
  /**
   * After listKeys: the writer token KV holds, when listKeys gave what this machine's last publish
   * left, KV written by no one since (node/listing-snapshot.ts); undefined when KV was listed. Only
   * then can an edit keep groups as stored (PublishOptions.edited).
   */
  rememberedWriter?(): string | undefined;
}

/**
 * The only articles that may differ from what was last built into KV, each placed as it was
 * (node/edited-in-place.ts), and the writer token KV held then: the claim is about that state only.
 */
export interface EditedInPlace {
  articles: ReadonlySet<number>;
  recordedWith: string;
}

/** Where a publish writes, phase by phase. */
export interface PublishTarget {
  put(writes: PlannedWrites, phase: string): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

export interface PreparedPublish {
  records: RecordSet;
  plan: PublishPlan;
  /** The scheduled releases this publish staged, oldest first. */
  releases: { at: string; gen: number }[];
  /** Articles held back because their `published` is still to come. */
  scheduled?: number;
  /** The change log before this publish (the committed head) and after it: entries from+1 … to are news. */
  changeLog: { from: number; to: number };
}

/** Publish time as written in records: whole seconds, UTC. */
export function publishStamp(now: Date): string {
  return isoSeconds(now);
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

/**
 * A stored value that publish needs and cannot read. Nothing has been written when it is thrown;
 * `--repair` rebuilds what derives from content/ and keeps the change log's sequence.
 */
export class StoredStateError extends Error {
  override readonly name = 'StoredStateError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(
      `${key} ${reason}; nothing was written. \`npm run publish -- --repair\` (with --local or --remote) rebuilds it`,
    );
  }
}

export interface ChangeLogTail {
  head: number;
  entries: Change[];
  lost: Set<number>;
}

/**
 * The change-log pages from the head's page on, up to the first missing one. A page that does not
 * decode stops the publish, unless repairing: then it is lost, and with no manifest to say where
 * the head is, the repair takes the highest entry it can read, so no sequence number is reused.
 */
export async function readChangeLogTail(
  source: Pick<PublishSource, 'getText'>,
  previousHead: number | null,
  repair: boolean,
): Promise<ChangeLogTail> {
  const lost = new Set<number>();
  const pages: Change[][] = [];
  const firstPage = previousHead === null ? 0 : Math.floor(previousHead / CHANGES_PAGE_SIZE);
  for (let page = firstPage; ; page++) {
    const key = changesPageKey(page);
    const value = parseStored(await source.getText(key));
    if (value === null) break;
    const parsed = changesPageSchema.safeParse(value);
    if (parsed.success) pages.push(parsed.data.entries);
    else if (repair) lost.add(page);
    else throw new StoredStateError(key, 'is not a change-log page');
  }
  const entries = pages.flat();
  if (previousHead !== null || !repair) return { head: previousHead ?? 0, entries, lost };
  const head = entries.reduce((highest, entry) => Math.max(highest, entry.seq), 0);
  const headPage = Math.floor(head / CHANGES_PAGE_SIZE);
  return { head, entries: entries.filter((entry) => entry.seq > headPage * CHANGES_PAGE_SIZE), lost };
}

/**
 * The guid and section of each unpublished article, from its last API record (or article record):
 * the change log's tombstone and, for a deleted file, the removal registry need them.
 */
async function readRemovedGuids(
  source: PublishSource,
  ids: number[],
  repair: boolean,
): Promise<Map<number, { guid: string; section: string }>> {
  const guids = new Map<number, { guid: string; section: string }>();
  for (const id of ids) {
    const parsed = articleResponseSchema.safeParse(parseStored(await source.getText(apiArticleKey(id))));
    if (parsed.success) guids.set(id, { guid: parsed.data.data.guid, section: parsed.data.data.section });
    else if (repair) {
      const article = articleSchema.safeParse(parseStored(await source.getText(articleKey(id))));
      // Partners key removals by id; the guid is a courtesy a lost record cannot give.
      guids.set(
        id,
        article.success
          ? { guid: article.data.guid, section: article.data.section }
          : { guid: '', section: '' },
      );
    } else throw new StoredStateError(apiArticleKey(id), 'cannot be read, so its removal cannot be logged');
  }
  return guids;
}

/**
 * The removal registry after this publish, on the content the records are built from. Refuses
 * (ContentError, path:line) a file that reuses a removed id, before anything is written.
 */
async function withRemovals(
  content: CompiledContent,
  context: {
    source: PublishSource;
    listed: Iterable<string>;
    unpublished: ReadonlyMap<number, { guid: string; section: string }>;
    repair: boolean;
    stamp: string;
  },
): Promise<CompiledContent> {
  let stored: Awaited<ReturnType<typeof readRemovedArticles>>;
  try {
    stored = await readRemovedArticles(context.source, context.listed, context.repair);
  } catch (error) {
    if (error instanceof UnreadableRegistryError)
      throw new StoredStateError(error.key, 'is not a removal registry');
    throw error;
  }
  const problems = reusedIdProblems(content, stored);
  if (problems.length > 0) throw new ContentError(problems);
  // A draft still has its file: taken down for now, not removed, so it is no registry entry.
  const deleted = new Map([...context.unpublished].filter(([id]) => !content.ids?.has(id)));
  const articles = nextRemovals(content, { stored, deleted, stamp: context.stamp });
  return { ...content, removals: { asOf: context.stamp, articles } };
}

export interface PublishOptions {
  /** Signs /.well-known/mirrors.json (see preparePublish). */
  signingKey?: SecretKey | null;
  /**
   * Rewrite every record derived from content/, whatever its stored hash, and carry on past
   * unreadable change-log pages (marked lost; every live article is logged again after the head).
   */
  repair?: boolean;
  /** A local preview: scheduled articles are published at once, marked like drafts; nothing is staged. */
  preview?: boolean;
  /** What earlier publishes built (record-memo.ts): groups whose inputs and stored hashes match are not rebuilt. */
  memo?: RecordMemo;
  /** Where built values wait until written (record-store.ts); memory by default. */
  scratch?: Scratch;
  /**
   * The only articles that may differ from what was last built into KV. Taken only when KV is
   * still that state, as this machine's last publish left it, and the same articles are published
   * (not in a preview: it marks scheduled articles by the date). Then the groups that list none of
   * them are kept unbuilt (BuildOptions.edited).
   */
  edited?: EditedInPlace;
  /** Told as each builder of the live state's records finishes (BuildOptions.builderDone). */
  builderDone?: BuildOptions['builderDone'];
  /** Told of the live state's placed groups (BuildOptions.groupIndex), once KV's writer token is known. */
  groupIndex?: GroupIndexSink;
  /** A synchronous SHA-256 for the records' sum (BuildOptions.digest). */
  digest?: BuildOptions['digest'];
}

/** One state planned against what `source` holds: the live one, or a release's. */
interface PlannedPublish extends PreparedPublish {
  listed: StoredKeys;
  /** The generation the manifest carries after this plan: this publish's, or the kept one's. */
  gen: number;
  /** True when nothing changed, so the stored manifest and its generation are kept. */
  kept: boolean;
  /** Release records stored before this plan. Only the live plan acts on them: see planReleaseRecords. */
  storedReleases: string[];
  /** What commitManifest needs to stamp this plan's manifest again (see preparePublish). */
  commit: CommitContext;
}

/**
 * The edited articles (PublishOptions.edited) this plan may take: only for the live state planned
 * against KV exactly as the edit was recorded against and this machine's last publish left it,
 * publishing the same articles, and with a group index (PublishOptions.groupIndex) only a complete
 * one: it is told only of the groups a publish takes. A staged release, a repair, a preview, a
 * listing KV gave afresh, another writer's token, an article added or gone: undefined.
 */
function editedAsStored(
  edited: EditedInPlace | undefined,
  {
    live,
    writer,
    published,
    indexed,
  }: { live: boolean; writer: string | undefined; published: boolean; indexed: boolean },
): ReadonlySet<number> | undefined {
  return edited && live && writer === edited.recordedWith && published && indexed
    ? edited.articles
    : undefined;
}

async function prepareState(
  content: CompiledContent,
  source: PublishSource,
  now: Date,
  options: PublishOptions,
  role: 'live' | 'release',
): Promise<PlannedPublish> {
  const { signingKey = null, repair = false } = options;
  checkSigningKey(content.site, signingKey);
  const previous = await readPreviousManifest(source);
  const listed = await source.listKeys();
  // One pass over the listing (371,000 keys at 100,000 articles), for the generation above it.
  // Above every generation stored, so a manifest lost or garbled can never make values look newer than it.
  let highest = previous?.gen ?? 0;
  for (const [key, metadata] of listed) {
    const gen = metadata.gen ?? 0;
    if (gen > highest) highest = gen;
    // A new live generation also passes every stored release's, so that the releases staged after
    // it never take a key a stored one holds: a cron may be reading that record while this publish
    // runs. (A release's own plan sees the same keys and must not: its generation follows the live one.)
    if (role === 'live' && key.startsWith(RELEASE_KEY_PREFIX))
      highest = Math.max(highest, releaseGenOf(key) ?? 0);
  }
  const gen = highest + 1;
  // Publish deletes after its manifest: a key the committed manifest names as deleted, still
  // listed, is what a publish killed while deleting left behind; its removal is logged already.
  const leftBehind = new Set<string>();
  for (const [key, deletedAt] of Object.entries(previous?.recent?.deleted ?? {})) {
    const metadata = listed.get(key);
    if (metadata && (metadata.gen ?? 0) <= deletedAt) leftBehind.add(key);
  }
  const stored = new StoredHashes(listed, leftBehind);

  const articles = new ApiArticles(content);
  const gone = removedIds(stored.keys(), articles);
  const unpublished = await readRemovedGuids(source, gone, repair);
  // Only the live state is KV's once this publish is done: a staged release's groups are not told.
  const groupIndex = role === 'live' ? options.groupIndex?.begin(source.rememberedWriter?.()) : undefined;
  const edited = editedAsStored(options.edited, {
    // A preview publishes scheduled articles marked as drafts until their date: their places move with time.
    live: role === 'live' && !repair && !options.preview,
    writer: source.rememberedWriter?.(),
    // Asked only of an edit: 100,000 keys made for nothing otherwise.
    published:
      options.edited !== undefined &&
      gone.length === 0 &&
      content.articles.every((article) => stored.has(apiArticleKey(article.id))),
    // A group kept in place is not told to the index: one not complete would stay so.
    indexed: groupIndex?.complete !== false,
  });
  const current = await withRemovals(content, {
    source,
    listed: stored.keys(),
    unpublished,
    repair,
    stamp: publishStamp(now),
  });
  const tail = await readChangeLogTail(source, previous?.changes?.head ?? (repair ? null : 0), repair);
  // Articles are fingerprinted once, for the change log and the record builders alike.
  const memo = repair ? undefined : options.memo;
  const articleInput = memo && articleInputs(memo);
  const lookedUp = new Map<string, GroupOutput>();
  const changeLog = await appendChanges(
    articles,
    {
      head: tail.head,
      tail: tail.entries,
      stored,
      removedGuids: new Map([...unpublished].map(([id, { guid }]) => [id, guid])),
      lostPages: tail.lost,
      ...(edited
        ? // The others' API records are the stored ones: same article, same code.
          { knownHash: (id: number) => (edited.has(id) ? undefined : stored.get(apiArticleKey(id))) }
        : memo && articleInput && { knownHash: rememberedApiHashes(current, memo, articleInput, lookedUp) }),
    },
    publishStamp(now),
    options.scratch?.stores,
  );
  const mirrorList = await buildMirrorList(content.site, previous?.mirrorList, publishStamp(now), signingKey);
  // A repair trusts no stored hash: every record is built and written again.
  const trusted = repair ? new Map([...listed].map(([key, { gen }]) => [key, { gen }])) : listed;
  const records = await buildRecords(current, {
    previous,
    now,
    changeLog,
    mirrorList,
    stored: trusted,
    release: role === 'release',
    ...(memo &&
      articleInput && {
        memo,
        articleInput,
        readStored: (key: string) => source.getText(key),
        lookedUp,
      }),
    ...(options.scratch && { scratch: options.scratch }),
    ...(edited && { edited }),
    ...(role === 'live' && options.builderDone && { builderDone: options.builderDone }),
    ...(groupIndex && { groupIndex }),
    ...(options.digest && { digest: options.digest }),
  });
  const plan = await planPublish(records, trusted, gen);
  // Release records are not content: whether they stay is decided once every release is staged.
  const storedReleases = plan.deletes.filter((key) => releaseGenOf(key) !== null);
  plan.deletes = plan.deletes.filter((key) => releaseGenOf(key) === null);
  const commit = { previous, listed, gen, now, draft: records.manifest.manifest };
  const committed = await commitManifest(records, plan, commit, { keep: true });
  return {
    records,
    plan,
    releases: [],
    changeLog: { from: tail.head, to: changeLog.head },
    listed,
    ...committed,
    storedReleases,
    commit,
  };
}

/** The draft manifest without what only a committed generation has. */
function withoutGeneration(manifest: Manifest): string {
  const { gen: _gen, recent: _recent, release: _release, ...rest } = manifest;
  return JSON.stringify(rest);
}

interface CommitContext {
  previous: Manifest | null;
  listed: StoredKeys;
  gen: number;
  now: Date;
  /** The manifest as built, before any generation is stamped on it. */
  draft: Manifest;
}

/**
 * Stamps the manifest with this publish's generation and the keys it rewrites or deletes (the
 * worker judges reads by them), and plans its write last. With `keep`, a publish that changes
 * nothing keeps the stored manifest as it is, so it writes nothing at all.
 */
async function commitManifest(
  records: RecordSet,
  plan: PublishPlan,
  context: CommitContext,
  { keep }: { keep: boolean },
): Promise<{ gen: number; kept: boolean }> {
  const { previous, listed, gen, now, draft } = context;
  const manifestPhase = plan.phases.find((phase) => phase.name === 'manifest');
  if (!manifestPhase) throw new Error('the plan has no manifest phase');
  // The keys written before the manifest, read where the plan holds them: a first publish writes
  // every key of the archive, and a list and a set of them were tens of MB at its peak.
  const recordPhases = plan.phases.filter((phase) => phase.name !== 'manifest');
  const written: Iterable<string> = {
    *[Symbol.iterator]() {
      for (const phase of recordPhases) for (const write of phase.writes) yield write.key;
    },
  };
  if (
    keep &&
    previous?.gen !== undefined &&
    recordPhases.every((phase) => phase.writes.length === 0) &&
    plan.deletes.length === 0 &&
    withoutGeneration(previous) === withoutGeneration(draft)
  ) {
    records.manifest = { key: records.manifest.key, value: JSON.stringify(previous), manifest: previous };
    if (manifestPhase.writes.length > 0) plan.unchanged++;
    manifestPhase.writes = [];
    return { gen: previous.gen, kept: true };
  }
  // Keys stored by a publish that never committed (stamped past the manifest's generation), but
  // for those this one rewrites or deletes: found among the few so stamped, not the other way round.
  const uncommitted = new Map<string, number>();
  for (const [key, metadata] of listed) {
    const stamped = metadata.gen ?? 0;
    if (stamped > (previous?.gen ?? 0)) uncommitted.set(key, stamped);
  }
  if (uncommitted.size > 0)
    for (const keys of [written, plan.deletes]) for (const key of keys) uncommitted.delete(key);
  const recent =
    previous?.gen !== undefined && previous.recent ? { gen: previous.gen, recent: previous.recent } : null;
  const manifest: Manifest = {
    ...draft,
    gen,
    recent: nextRecentWrites({
      previous: recent,
      gen,
      now,
      writes: written,
      deletes: plan.deletes,
      uncommitted,
    }),
  };
  const value = JSON.stringify(manifest);
  records.manifest = { key: records.manifest.key, value, manifest };
  if (manifestPhase.writes.length === 0) plan.unchanged--;
  const write = { key: records.manifest.key, value, metadata: { hash: await sha256Hex(value), gen } };
  const refusals = kvLimitProblems(write);
  if (refusals.length > 0) throw new KvLimitError(refusals);
  manifestPhase.writes = [write];
  return { gen, kept: false };
}

/** A stored record's write, with its size checked against what KV takes. */
async function recordWrite(key: string, value: string, gen: number): Promise<KvWrite> {
  const write = { key, value, metadata: { hash: await sha256Hex(value), gen } };
  const refusals = kvLimitProblems(write);
  if (refusals.length > 0) throw new KvLimitError(refusals);
  return write;
}

/**
 * Plans `content` as it is live at `now`, then each scheduled release (up to MAX_STAGED_RELEASES)
 * against the state the one before leaves. Every release is stored as a record of its writes,
 * and each manifest names the next release, so the cron trigger can apply them one by one
 * (storage/scheduled-release.ts). `signingKey` signs /.well-known/mirrors.json; when site.yaml
 * sets `signing_key`, a missing or mismatched key throws SigningKeyError before anything is read.
 */
export async function preparePublish(
  content: CompiledContent,
  source: PublishSource,
  now: Date,
  options: PublishOptions = {},
): Promise<PreparedPublish> {
  const live = await prepareState(
    options.preview ? previewOf(content, now) : contentAsOf(content, now),
    source,
    now,
    options,
    'live',
  );
  const times = options.preview ? [] : releaseTimes(content, now).slice(0, MAX_STAGED_RELEASES);
  let staged = await stageReleases(content, source, live, times, options);
  // A release record is never rewritten in place: the cron might still read the older one. When
  // any of them changes, the live manifest takes a generation of its own and every release new keys.
  if (live.kept && (await releasesChanged(live, staged.records))) {
    Object.assign(live, await commitManifest(live.records, live.plan, live.commit, { keep: false }));
    staged = await stageReleases(content, source, live, times, options);
  }
  await nameNextRelease(live, staged.releases[0]);
  await planReleaseRecords(live, staged.records);
  return {
    records: live.records,
    plan: live.plan,
    changeLog: live.changeLog,
    releases: staged.releases,
    scheduled: content.articles.length - contentAsOf(content, now).articles.length,
  };
}

/**
 * Plans the release at each of `times` against the state the one before leaves (the first against
 * the live plan's), each manifest naming the release that follows it; returns the release records.
 */
async function stageReleases(
  content: CompiledContent,
  source: PublishSource,
  live: PlannedPublish,
  times: readonly Date[],
  options: PublishOptions,
): Promise<{ releases: { at: string; gen: number }[]; records: Map<string, string> }> {
  const stages: { at: Date; planned: PlannedPublish }[] = [];
  if (times.length > 0) {
    const state = new PlannedState(source, live.listed);
    state.apply(live.plan);
    for (const at of times) {
      const planned = await prepareState(
        contentAsOf(content, at),
        state,
        at,
        {
          signingKey: options.signingKey,
          ...(options.digest && { digest: options.digest }),
          ...(options.memo && { memo: options.memo }),
          ...(options.scratch && { scratch: options.scratch }),
        },
        'release',
      );
      state.apply(planned.plan);
      stages.push({ at, planned });
    }
  }
  const releases = stages.map(({ at, planned }) => ({ at: publishStamp(at), gen: planned.gen }));
  for (const [index, { planned }] of stages.entries()) await nameNextRelease(planned, releases[index + 1]);
  const records = new Map<string, string>();
  for (const { at, planned } of stages) {
    const event = pushEventOf(planned);
    const record: ReleaseRecord = {
      at: publishStamp(at),
      gen: planned.gen,
      // A release's writes are held in its record (a value KV takes: at most 25 MiB), so few.
      phases: planned.plan.phases.map(({ name, writes }) => ({ name, writes: [...writes] })),
      deletes: planned.plan.deletes,
      // Pushed by the cron when it applies the release, as a publish pushes after its writes.
      ...(event && { event }),
    };
    records.set(releaseKey(planned.gen), JSON.stringify(record));
  }
  return { releases, records };
}

/** Whether the release records differ from the stored ones: one added, changed or gone. */
async function releasesChanged(live: PlannedPublish, records: ReadonlyMap<string, string>): Promise<boolean> {
  if (live.storedReleases.some((key) => !records.has(key))) return true;
  for (const [key, value] of records)
    if (live.listed.get(key)?.hash !== (await sha256Hex(value))) return true;
  return false;
}

/** Sets the manifest's `release` to the next one (or none), writing it if that changed it. */
async function nameNextRelease(
  planned: PlannedPublish,
  next: { at: string; gen: number } | undefined,
): Promise<void> {
  const { records, plan, gen } = planned;
  const current = records.manifest.manifest.release;
  if (current?.at === next?.at && current?.gen === next?.gen) return;
  const { release: _release, ...rest } = records.manifest.manifest;
  const manifest: Manifest = next ? { ...rest, release: next } : rest;
  const value = JSON.stringify(manifest);
  records.manifest = { key: records.manifest.key, value, manifest };
  const manifestPhase = plan.phases.find((phase) => phase.name === 'manifest');
  if (!manifestPhase) throw new Error('the plan has no manifest phase');
  if (manifestPhase.writes.length === 0) plan.unchanged--;
  manifestPhase.writes = [await recordWrite(records.manifest.key, value, gen)];
}

/**
 * Adds the release records to the live plan (before its manifest, which names the first), and
 * retires every other stored release record before anything else is written: a release this
 * publish supersedes must not be applied by a cron that still sees the older manifest.
 */
async function planReleaseRecords(live: PlannedPublish, records: ReadonlyMap<string, string>): Promise<void> {
  const { plan, listed } = live;
  const indexes = plan.phases.find((phase) => phase.name === 'indexes');
  if (!indexes) throw new Error('the plan has no indexes phase');
  const changed: KvWrite[] = [];
  for (const [key, value] of records) {
    const write = await recordWrite(key, value, live.gen);
    if (listed.get(key)?.hash === write.metadata.hash) plan.unchanged++;
    else changed.push(write);
  }
  indexes.writes = followedBy(indexes.writes, changed);
  plan.retire = live.storedReleases.filter((key) => !records.has(key));
}

/**
 * Retires superseded releases first, then writes phase by phase (a phase starts only once the
 * previous one is stored), deletes last.
 */
export async function applyPlan(plan: PublishPlan, target: PublishTarget): Promise<void> {
  if (plan.retire.length > 0) await target.delete(plan.retire);
  for (const phase of plan.phases) await target.put(phase.writes, phase.name);
  await target.delete(plan.deletes);
}
