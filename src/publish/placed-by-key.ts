// The placed and indexed groups that show some articles (the API's `modified` buckets, the site's
// and sections' feeds: index-builder.ts RecordGroup.indexed), made again by key rather than cut
// from the archive: found in the group index (group-index.ts), their members read by id, and each
// made by its builder from its recipe (IndexBuilder.remake) twice. With the members as published, the group's
// fingerprint names what the record memo remembers it to have produced, which is what KV holds
// while KV is as this machine's last publish left it; with the edited articles in their places, it
// gives the values an edit would write. What an edit by key writes of its placed groups is those
// values whose hashes differ from the remembered ones. Only an article placed as it was may be
// edited so: its groups, and so their keys, are then the same (placement.ts).
import type { SiteConfig } from '../config/site-config';
import type { CompiledContent } from '../content/compile';
import { groupFingerprint, siteInputOf } from './build-records';
import type { IndexedGroup } from './group-index';
import { ARTICLE_RECORDS } from './indexes/article-records';
import {
  buildGroups,
  type GroupContext,
  INDEX_BUILDERS,
  type PlacedGroup,
  type Records,
} from './indexes/index-builder';
import type { Recipe } from './indexes/recipe';
import type { MovedBucket } from './modified-by-key';
import { placeOf } from './placement';
import type { GroupOutput, RecordMemo } from './record-memo';

type CompiledArticle = CompiledContent['articles'][number];

const BUILDERS = [ARTICLE_RECORDS, ...INDEX_BUILDERS];

export interface PlacedByKeySource {
  /** The site as the last publish built with it (its stored manifest's). */
  site: SiteConfig;
  /** The placed groups that list the article (group-index.ts). */
  groupsOf(id: number): Promise<IndexedGroup[]>;
  /** The articles as last published, in the order asked (the compile cache, by the index's file keys). */
  articles(ids: readonly number[]): Promise<CompiledArticle[]>;
  memo: RecordMemo;
  /**
   * What the builders make their groups in: its `article` must name an article as the publish does
   * (build-records.ts articleInputs), or no fingerprint is the memo's.
   */
  context: GroupContext;
  /**
   * The `modified` scope's buckets that change when an edited article's `updated` moves it to the
   * newest end (modified-by-key.ts): each made again with its new recipe and members.
   */
  moved?: readonly MovedBucket[];
}

/**
 * The groups the index names for each edited article, by id. One it names in none was not
 * published as an article (a draft until now): no edit by key (NotByKeyError).
 */
export async function listingsOf(
  edited: readonly Pick<CompiledArticle, 'id'>[],
  groupsOf: PlacedByKeySource['groupsOf'],
): Promise<Map<number, IndexedGroup[]>> {
  const listings = new Map<number, IndexedGroup[]>();
  for (const { id } of edited) {
    const listing = await groupsOf(id);
    if (listing.length === 0) throw new NotByKeyError(`the group index names no group of article ${id}`);
    listings.set(id, listing);
  }
  return listings;
}

/** What remakeGroup reads: the site as published, the memo, and the builders' context. */
export type RemakeSource = Pick<PlacedByKeySource, 'site' | 'memo' | 'context'>;

/** One placed group showing an edited article, made again. */
export interface RemadeGroup {
  builder: string;
  /** Its first key: its name in the index. */
  key: string;
  /** Its members' ids as it is made now, in its order. */
  members: readonly number[];
  /**
   * What the memo remembers the group as published to have produced (each key and its value's
   * hash): undefined when the memo does not know it, and then what KV holds is not known by key.
   * It names the same keys as `values`, the group being placed as it was.
   */
  remembered: GroupOutput | undefined;
  /** Its values with the edited articles. */
  values: Records;
  /** The group with the edited articles, as the group index records it. */
  now: PlacedGroup | undefined;
  /** Its inputs with the edited articles: what names its values in the memo. */
  nowInputs: string[] | undefined;
}

/** An edited article that cannot be made by key: not in the index, or placed elsewhere now. */
export class NotByKeyError extends Error {
  override readonly name = 'NotByKeyError';
}

/**
 * Every placed group that lists one of `edited` (each an article as it is now), made again, each
 * once however many of them it lists. Refuses (NotByKeyError) an article the index names in no
 * group (every published article has its own records' group) or one placed otherwise than it was
 * published.
 */
export async function remakePlacedByKey(
  edited: readonly CompiledArticle[],
  source: PlacedByKeySource,
): Promise<RemadeGroup[]> {
  const now = new Map(edited.map((article) => [article.id, article]));
  const groups = new Map<
    string,
    { group: IndexedGroup; after: { recipe: Recipe; members: readonly number[] } }
  >();
  for (const listing of (await listingsOf(edited, source.groupsOf)).values())
    for (const group of listing) groups.set(group.key, { group, after: group });
  for (const bucket of source.moved ?? [])
    groups.set(bucket.before.key, { group: bucket.before, after: bucket });
  // Every member once, however many groups list it.
  const ids = [
    ...new Set([...groups.values()].flatMap(({ group, after }) => [...group.members, ...after.members])),
  ];
  const read = await source.articles(ids);
  const published = new Map(ids.map((id, at) => [id, read[at] as CompiledArticle]));
  for (const [id, article] of now) {
    const before = published.get(id);
    if (!before || JSON.stringify(placeOf(before)) !== JSON.stringify(placeOf(article)))
      throw new NotByKeyError(`article ${id} is not placed as it was published`);
  }
  const asPublished = (ids: readonly number[]) => ids.map((id) => published.get(id) as CompiledArticle);
  const asNow = (ids: readonly number[]) =>
    ids.map((id) => now.get(id) ?? (published.get(id) as CompiledArticle));
  return [...groups.values()].map(({ group, after }) =>
    remakeGroup(
      source,
      group,
      { recipe: group.recipe, members: asPublished(group.members) },
      { recipe: after.recipe, members: asNow(after.members) },
    ),
  );
}

/**
 * A group as the index holds it, made again twice by its builder (IndexBuilder.remake): as
 * published (`before`: what the memo remembers it to have produced) and as it is now (`after`).
 */
export function remakeGroup(
  source: RemakeSource,
  group: Pick<IndexedGroup, 'builder' | 'key'>,
  before: { recipe: Recipe; members: readonly CompiledArticle[] },
  after: { recipe: Recipe; members: readonly CompiledArticle[] },
): RemadeGroup {
  const remake = BUILDERS.find((builder) => builder.name === group.builder)?.remake;
  if (!remake)
    throw new Error(`the group index names ${group.builder}, which makes no placed or indexed group`);
  const site = siteInputOf(source.memo, source.site);
  const asPublished = remake(source.site, before.recipe, before.members, source.context).inputs?.();
  const remembered =
    asPublished && source.memo.lookup(groupFingerprint(source.memo, group.builder, site, asPublished));
  const made = remake(source.site, after.recipe, after.members, source.context);
  return {
    builder: group.builder,
    key: group.key,
    members: after.members.map((article) => article.id),
    remembered,
    values: buildGroups([made]),
    now: made.placed ?? made.indexed,
    nowInputs: made.inputs?.(),
  };
}
