// An edit by key: the publish of a few articles corrected in place, planned from the group index,
// the record memo and a few reads of KV, never from the whole archive. It writes exactly what the
// publish of every article would write (pipeline.ts), and declines, saying why, wherever it cannot
// know that by key; the caller then publishes every article. What it takes:
// - the placed and indexed groups that list the edited articles, made again by key
//   (placed-by-key.ts), their stored hashes from the memo;
// - the search index's parts the edited articles' terms touch (search-index.ts searchPartsByKey);
// - the change log's entries for them (changes.ts appendEdits);
// - for one article whose correction moved its `updated` past every other article's, the API's
//   `modified` buckets around its old place and at the newest end (modified-by-key.ts), and the
//   documents dated by the newest article: the pages sitemap, the sitemap index and the OPML list
//   (dated-by-key.ts).
// - the records' sum moved by the values it changes (content-version.ts), and the manifest.
// Every other record is the same by definition while the edited articles keep their places and
// their publication dates, site.yaml is as published, no removal is new, the feeds' tombstones are
// the same and no part of the search index's older layout is left for the publish to delete: the
// `modified` scope's anchors (no cut moves), the OpenAPI document (the site's name) and the removal
// registry. The caller vouches that KV is as this machine's last publish left
// it (its writer token and manifest), that the group index is complete for that state, and that the
// articles given are the only ones whose files changed.

import { orderKeyOf } from '../api/paging';
import type { SiteConfig } from '../config/site-config';
import { type CompiledContent, imageSourceOf } from '../content/compile';
import { isImageUrl } from '../content/image-source';
import { FEED_FORMAT_IDS } from '../feeds/feed-formats';
import { recentRemovals, scopeTombstones } from '../feeds/feed-items';
import type { SecretKey } from '../mirrors/minisign';
import { sha256Hex } from '../shared/digest';
import { nextRecentWrites } from '../storage/consistency';
import { feedKey, manifestKey, removalRegistryKey } from '../storage/keys';
import { type Manifest, manifestSchema, removalRegistrySchema } from '../storage/records';
import { articleInputs, groupContextOf, groupFingerprint, siteInputOf, valueWithHash } from './build-records';
import { appendEdits } from './changes';
import { contentVersion, RecordSum, type SyncDigest } from './content-version';
import { redatedByKey } from './dated-by-key';
import type { IndexedGroup } from './group-index';
import { rememberedHead, rememberHead } from './group-state';
import { ApiArticles } from './indexes/api-records';
import { ARTICLE_RECORDS } from './indexes/article-records';
import { FEEDS_BUILDER } from './indexes/feeds';
import type { PlacedGroup } from './indexes/index-builder';
import { SEARCH_BUILDER, searchPartsByKey } from './indexes/search-index';
import { lastModified } from './indexes/sitemaps';
import { buildMirrorList } from './mirror-list';
import { isModifiedBucket, type MovedBucket, movedToNewest } from './modified-by-key';
import { publishStamp, readChangeLogTail } from './pipeline';
import { listingsOf, NotByKeyError, remakePlacedByKey } from './placed-by-key';
import { KvLimitError, type KvWrite, kvLimitProblems, type PublishPlan } from './plan';
import type { GroupOutput, RecordMemo } from './record-memo';
import { memoryScratch } from './record-store';
import { parseStored } from './stored-json';

type CompiledArticle = CompiledContent['articles'][number];

/**
 * Past this many edited articles, an edit by key reads about as much as the publish of every
 * article (the search index's update in place stops at as many).
 */
const MAX_EDITED = 500;

/** What an edit by key reads. */
export interface EditByKeySource {
  /** The placed and indexed groups that list the article (group-index.ts). */
  groupsOf(id: number): Promise<IndexedGroup[]>;
  /** The group whose first key is `key`, as the index holds it. */
  group(key: string): Promise<IndexedGroup | undefined>;
  /** The articles as last published, in the order asked (the compile cache, by the index's file keys). */
  articles(ids: readonly number[]): Promise<CompiledArticle[]>;
  memo: RecordMemo;
  /**
   * A value KV holds: the manifest, the change log's pages, the removal registry, and the values
   * the builders start from (GroupContext.storedValue, checked against the memo's hashes).
   */
  getText(key: string): Promise<string | null>;
  /** A synchronous SHA-256 for the records' sum (content-version.ts). */
  digest?: SyncDigest;
  /**
   * Whether KV may still hold parts of the search index's layout before its last change
   * (lingeringSearchParts), which the publish of every article deletes once the settling window
   * after the change has passed: an edit by key reads no listing to find them.
   */
  olderSearchParts: boolean;
}

/** An edit by key planned: the plan, what it leaves in the manifest, and what to remember once written. */
export interface PlannedEdit {
  plan: PublishPlan;
  manifest: Manifest;
  /** The change log before this publish (the committed head) and after it. */
  changeLog: { from: number; to: number };
  /**
   * The groups made again, each as it is now (its members the edited ones in their places): the
   * group index records them, so that it names the edited articles' new files.
   */
  remade: readonly IndexedGroupNow[];
  /** Tells the memo what this edit built; call once its writes succeeded, before saving the memo. */
  remember(): void;
}

/** A group made again, with what the group index records of it. */
export interface IndexedGroupNow {
  builder: string;
  group: PlacedGroup;
}

/** Why an edit cannot be taken by key: the publish of every article takes it. */
export class DeclinedByKey extends Error {
  override readonly name = 'DeclinedByKey';
}

/** The records the plan writes in each phase, and the keys it deletes (search parts left empty). */
interface Changed {
  articles: KvWrite[];
  indexes: KvWrite[];
  deletes: string[];
  /** Each written or deleted record's hash before (for the records' sum). */
  before: Map<string, string>;
}

/**
 * Plans the publish of `edited` (each as compiled now) by key, at `now`, with `site` as compiled
 * now. Throws DeclinedByKey when it cannot; nothing is read but what it names, and nothing written.
 */
export async function planEditByKey(
  edited: readonly CompiledArticle[],
  site: SiteConfig,
  source: EditByKeySource,
  now: Date,
  signingKey: SecretKey | null,
): Promise<PlannedEdit> {
  if (edited.length === 0) throw new DeclinedByKey('no article was edited');
  if (edited.length > MAX_EDITED)
    throw new DeclinedByKey(`${edited.length} articles were edited, more than ${MAX_EDITED}`);
  const stamp = publishStamp(now);
  const { memo } = source;
  // What the builders make their groups in: articles named as a publish names them, values read
  // from KV by the hashes the memo remembers; nothing kept unbuilt, and the memo forgets nothing.
  const context = groupContextOf({
    memo,
    articleInput: articleInputs(memo),
    scratch: memoryScratch(),
    storedManifest: null,
    storedValue: async (key, hash) => valueWithHash(await source.getText(key), hash),
    keptUnedited: () => false,
    passesOver: true,
  });
  const { raw, manifest } = await storedManifest(source);
  if (JSON.stringify(site) !== JSON.stringify(raw.site)) throw new DeclinedByKey('site.yaml changed');
  const gen = manifest.gen as number;
  if (source.olderSearchParts)
    throw new DeclinedByKey("the search index's parts of an older layout may still be stored");
  await sameTombstones(site, source, stamp);
  // The mirror list is signed again only when its addresses or its key change: not by an edit.
  const mirrorList = await buildMirrorList(site, manifest.mirrorList, stamp, signingKey);
  if (mirrorList !== manifest.mirrorList)
    throw new DeclinedByKey('the mirror list is due to be signed again');

  // The groups that list each edited article, read once: an article the index names in no group
  // was not published (a draft until now), and is not read.
  const listings = await orDeclined(listingsOf(edited, source.groupsOf));
  // Each edited article as published, to see what moved. A correction moves its `updated` later,
  // past every other article's: the `modified` scope and the documents dated by the newest article
  // change, by key for one such article (modified-by-key.ts, dated-by-key.ts).
  const published = await source.articles(edited.map((article) => article.id));
  const corrected: CompiledArticle[] = [];
  for (const [at, article] of edited.entries()) {
    const before = published[at] as CompiledArticle;
    if (article.published !== before.published)
      throw new DeclinedByKey(`article ${article.id}'s publication date changed`);
    if (article.updated !== before.updated) {
      // The documents take their newest date as text (sitemaps.ts, feed-items.ts): a date later
      // as text leaves each entry the newer of the two, one earlier may leave another article's.
      if (lastModified(article) < lastModified(before))
        throw new DeclinedByKey(`article ${article.id}'s last modification moved earlier`);
      corrected.push(article);
    }
    if (imageOrigin(article) !== imageOrigin(before))
      throw new DeclinedByKey(`article ${article.id}'s image comes from another origin`);
  }
  if (corrected.length > 1)
    throw new DeclinedByKey(`${corrected.length} articles' dates moved, more than one`);
  const [moved] = corrected;
  const groupsOf = async (id: number) => listings.get(id) ?? source.groupsOf(id);
  const remade = await orDeclined(
    (async () => {
      const buckets = moved && (await movedBuckets(moved, listings.get(moved.id) ?? [], source));
      const placed = await remakePlacedByKey(edited, { site, ...source, groupsOf, context, moved: buckets });
      if (!moved) return placed;
      const group = (key: string) => source.group(key);
      return [...placed, ...(await redatedByKey(moved, placed, { site, memo, context, group }))];
    })(),
  );
  const changed: Changed = { articles: [], indexes: [], deletes: [], before: new Map() };
  for (const group of remade) {
    if (!group.remembered) throw new DeclinedByKey(`the memo does not know the group ${group.key}`);
    const hashes = new Map(group.remembered);
    // A key the group no longer makes would be deleted by the publish of every article.
    for (const key of hashes.keys())
      if (!group.values.has(key)) throw new DeclinedByKey(`the group ${group.key} no longer makes ${key}`);
    for (const [key, value] of group.values) {
      const hash = hashes.get(key);
      if (hash === undefined) throw new DeclinedByKey(`the memo does not know ${key}`);
      const write = await recordWrite(key, value, gen + 1);
      if (write.metadata.hash === hash) continue;
      (group.builder === ARTICLE_RECORDS.name ? changed.articles : changed.indexes).push(write);
      changed.before.set(key, hash);
    }
  }

  const siteInput = siteInputOf(source.memo, site);
  const searchState = rememberedHead(source.memo, SEARCH_BUILDER, siteInput);
  if (!searchState) throw new DeclinedByKey('the memo does not know the search index');
  // The articles edited by key since the last publish of every article, each as it is now, this
  // edit's over the earlier ones': one piece of the search state, bounded as the edit is.
  const editedSince = new Map<number, string>();
  for (const piece of searchState.added)
    for (const [id, input] of JSON.parse(piece) as [number, string][]) editedSince.set(id, input);
  for (const article of edited) editedSince.set(article.id, context.article(article));
  if (editedSince.size > MAX_EDITED)
    throw new DeclinedByKey(
      `${editedSince.size} articles were edited by key since every article was published`,
    );
  const search = await searchPartsByKey(
    edited.map((article, at) => ({
      before: context.article(published[at] as CompiledArticle),
      now: article,
    })),
    searchState,
    context,
    manifest.searchIndex?.shards,
  );
  if (!search) throw new DeclinedByKey('the search index cannot be updated by key');
  const partHashes = new Map(searchState.output);
  const searchOutput: [string, string][] = [];
  for (const [key, value] of search.built) {
    const write = await recordWrite(key, value, gen + 1);
    searchOutput.push([key, write.metadata.hash]);
    const before = partHashes.get(key);
    if (write.metadata.hash === before) continue;
    changed.indexes.push(write);
    if (before !== undefined) changed.before.set(key, before);
  }
  const kept = new Set(search.unchanged.map(([key]) => key));
  for (const [key, hash] of searchState.output)
    if (!search.built.has(key) && !kept.has(key)) {
      changed.deletes.push(key);
      changed.before.set(key, hash);
    }
  searchOutput.push(...search.unchanged.map(([key, hash]) => [key, hash] as [string, string]));

  // The change log: an upsert for each edited article whose API record changed.
  const head = manifest.changes?.head ?? 0;
  const tail = await readChangeLogTail(source, head, false);
  const apiHashes = new Map(remade.flatMap((group) => group.remembered ?? []));
  const changeLog = await appendEdits(
    new ApiArticles({ site, articles: [...edited], drafts: 0 }),
    { head, tail: tail.entries, stored: apiHashes, removedGuids: new Map(), lostPages: tail.lost },
    stamp,
  );
  if (!changeLog) throw new DeclinedByKey('the change log has entries past its head');
  const changes: KvWrite[] = [];
  for (const key of changeLog.pages.keys())
    changes.push(await recordWrite(key, changeLog.pages.get(key) as string, gen + 1));

  // The records' sum, moved by what changed; the content version taken from it.
  const sum = new RecordSum(source.digest, manifest.recordSum);
  for (const [key, hash] of changed.before) await sum.remove(key, hash);
  for (const write of [...changed.articles, ...changed.indexes])
    await sum.add(write.key, write.metadata.hash);
  const recordSum = await sum.hex();
  const version = await contentVersion(site, changeLog.head, recordSum);
  // The stored manifest's own fields in their order, as the publish of every article makes them.
  const { gen: _gen, recent: _recent, ...draft } = raw;
  const next = {
    ...draft,
    version,
    recordSum,
    publishedAt: version === manifest.version ? manifest.publishedAt : stamp,
    changes: { head: changeLog.head },
  };
  const written = [...changes, ...changed.articles, ...changed.indexes].map((write) => write.key);
  const plan: PublishPlan = {
    phases: [
      { name: 'changes', writes: changes },
      { name: 'articles', writes: changed.articles },
      { name: 'indexes', writes: changed.indexes },
      { name: 'manifest', writes: [] },
    ],
    deletes: changed.deletes.sort(),
    retire: [],
    unchanged: 0,
  };
  let result: Manifest = manifest;
  if (written.length > 0 || plan.deletes.length > 0) {
    result = {
      ...next,
      gen: gen + 1,
      recent: nextRecentWrites({
        previous: manifest.recent ? { gen, recent: manifest.recent } : null,
        gen: gen + 1,
        now,
        writes: written,
        deletes: plan.deletes,
        uncommitted: new Map(),
      }),
    } as Manifest;
    const manifestPhase = plan.phases[3] as PublishPlan['phases'][number];
    manifestPhase.writes = [await recordWrite(manifestKey(), JSON.stringify(result), gen + 1)];
  }
  return {
    plan,
    manifest: result,
    changeLog: { from: head, to: changeLog.head },
    remade: remade.flatMap((group) => (group.now ? [{ builder: group.builder, group: group.now }] : [])),
    remember() {
      // What this edit passes over is not stale: the memo forgets nothing of it.
      memo.keepAll?.();
      const writtenHashes = new Map(
        [...changed.articles, ...changed.indexes].map((write) => [write.key, write.metadata.hash]),
      );
      for (const group of remade) {
        if (!group.nowInputs) continue;
        const remembered = new Map(group.remembered);
        const output: GroupOutput = [...group.values.keys()].map((key) => [
          key,
          writtenHashes.get(key) ?? remembered.get(key) ?? '',
        ]);
        memo.remember(groupFingerprint(memo, group.builder, siteInput, group.nowInputs), output);
      }
      // The edited articles as they are now, named over what the rest of the state names.
      rememberHead(memo, SEARCH_BUILDER, siteInput, {
        head: searchState.head,
        added: [JSON.stringify([...editedSince])],
        output: searchOutput,
      });
    },
  };
}

/** What `work` gives, a NotByKeyError from it declining the edit by key with its reason. */
async function orDeclined<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NotByKeyError) throw new DeclinedByKey(error.message);
    throw error;
  }
}

/**
 * The `modified` scope's buckets that change as `article`'s new `updated` moves it to the newest
 * end, given the groups that list it.
 */
async function movedBuckets(
  article: CompiledArticle,
  listing: readonly IndexedGroup[],
  source: EditByKeySource,
): Promise<MovedBucket[]> {
  return movedToNewest(article.id, orderKeyOf(article, 'modified'), listing.filter(isModifiedBucket), {
    group: (key) => source.group(key),
    getText: (key) => source.getText(key),
    orderKey: async (id) => {
      const [other] = await source.articles([id]);
      if (!other) throw new NotByKeyError(`the compile cache has no article ${id}`);
      return orderKeyOf(other, 'modified');
    },
  });
}

/** The origin of an article's image given as a URL (the manifest lists them for the pages' CSP). */
function imageOrigin(article: CompiledArticle): string | undefined {
  const src = imageSourceOf(article);
  return src !== undefined && isImageUrl(src) ? new URL(src).origin : undefined;
}

/** The manifest KV holds, as stored and as read; declined when it is not one an edit can follow. */
async function storedManifest(
  source: EditByKeySource,
): Promise<{ raw: Record<string, unknown>; manifest: Manifest }> {
  const text = await source.getText(manifestKey());
  const raw = text === null ? null : (parseStored(text) as Record<string, unknown> | null);
  const parsed = manifestSchema.safeParse(raw);
  if (!raw || !parsed.success) throw new DeclinedByKey('the manifest cannot be read');
  const manifest = parsed.data;
  if (manifest.gen === undefined || manifest.recordSum === undefined || !manifest.searchIndex)
    throw new DeclinedByKey('the manifest is older code’s');
  // A staged release takes the live state's generation onwards; the publish of every article restages it.
  if (manifest.release) throw new DeclinedByKey('a release is staged');
  return { raw, manifest };
}

/**
 * Declines when the site's or a section's feed would carry other tombstones than it does: their
 * window moves with the date, and the OPML list takes the site feed's date from them.
 */
async function sameTombstones(site: SiteConfig, source: EditByKeySource, stamp: string): Promise<void> {
  const stored = parseStored(await source.getText(removalRegistryKey()));
  const registry = stored === null ? { articles: [] } : removalRegistrySchema.safeParse(stored).data;
  if (!registry) throw new DeclinedByKey('the removal registry cannot be read');
  const removals = recentRemovals({ removals: { asOf: stamp, articles: registry.articles } });
  const sections = site.sections.map((section) => ({ type: 'section' as const, slug: section.slug }));
  for (const scope of [{ type: 'site' as const }, ...sections]) {
    // A feed group's first key is its first format's (feeds.ts remakeFeed).
    const key = feedKey(scope, FEED_FORMAT_IDS[0] ?? 'rss');
    const group = await source.group(key);
    if (!group || group.builder !== FEEDS_BUILDER) throw new DeclinedByKey(`the group index has no ${key}`);
    if (group.recipe[3] !== JSON.stringify(scopeTombstones(site, scope, removals)))
      throw new DeclinedByKey(`the tombstones of ${key} moved with the date`);
  }
}

/** A record's write, with its size checked against what KV takes. */
async function recordWrite(key: string, value: string, gen: number): Promise<KvWrite> {
  const write = { key, value, metadata: { hash: await sha256Hex(value), gen } };
  const refusals = kvLimitProblems(write);
  if (refusals.length > 0) throw new KvLimitError(refusals);
  return write;
}
