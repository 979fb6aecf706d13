// The publish-time index builders: each surface that serves precomputed data registers the
// function that builds its records here. Every record is written after the article records.
import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import type { Manifest } from '../../storage/records';
import type { GroupOutput } from '../record-memo';
import type { Parking } from '../record-store';
import { buildRemovalRecords } from '../removals';
import {
  API_ARTICLES_BUILDER,
  API_LISTS_BUILDER,
  apiArticleGroups,
  apiListGroups,
  remakeApiArticle,
  remakeApiListBucket,
} from './api-records';
import { FEED_ARCHIVES_BUILDER, feedArchiveGroups, remakeFeedArchive } from './feed-archives';
import { FEEDS_BUILDER, feedGroups, remakeFeed } from './feeds';
import { LISTS_BUILDER, listPageGroups, remakeListPage } from './list-pages';
import type { Recipe } from './recipe';
import { SEARCH_BUILDER, searchIndexGroups } from './search-index';
import {
  NEWS_SITEMAP_BUILDER,
  newsSitemapGroups,
  remakeNewsSitemap,
  remakeSitemap,
  SITEMAPS_BUILDER,
  sitemapGroups,
} from './sitemaps';
import { remakeTermPage, TERM_PAGES_BUILDER, termPageGroups } from './term-pages';

/** KV key → stored value. */
export type Records = Map<string, string>;

type CompiledArticle = CompiledContent['articles'][number];

/**
 * Records built together from inputs a builder can name. With `inputs`, a publish that remembers
 * the hashes these inputs produced (record-memo.ts) and finds every one of those keys stored with
 * that hash does not build them at all; without, they are always built.
 */
export interface RecordGroup {
  /** Everything the records depend on besides site.yaml and the code; called only with a memo. */
  inputs?: () => string[];
  /**
   * The group's records, key and value: a map, or given one at a time (the search index's parts,
   * each read back from where it waits), each stored before the next is given.
   */
  build: () => Iterable<readonly [key: string, value: string]>;
  /**
   * Called instead of `build` when the group is kept: a group that derives values per article
   * keeps them remembered here, or the memo would forget them and the next build redo them all.
   */
  kept?: () => void;
  /**
   * What this publish's group must tell the next one so that it can be updated rather than built
   * (one state per builder, remembered with the group's output). Only with `update`. Given in
   * pieces of bounded size, at least one, so that no text of it is made whole while the build runs:
   * the search index's names every article, tens of MB at 500,000 articles, and made as one text,
   * then copied into the memo's, it was a first publish's peak.
   */
  state?: () => Iterable<string>;
  /**
   * Tried, with a memo, before `build` when the group's inputs changed: its records from what the
   * previous publish left (its `state` and the keys and hashes it produced) and what KV holds,
   * rebuilt only where the inputs changed. Undefined means it cannot, and the group is built whole.
   * It must give exactly the records `build` would.
   */
  update?: (previous: { state: readonly string[]; output: GroupOutput }) => Promise<GroupUpdate | undefined>;
  /**
   * Where the group follows from articles' places alone (placement.ts): the articles its inputs
   * name and the keys it produces, both known without building it. A publish told which articles
   * alone may have changed, each placed as before (BuildOptions.edited), keeps a group that lists
   * none of them as KV holds it, without naming its inputs or asking the memo.
   */
  placed?: PlacedGroup;
  /**
   * Where the group follows from its members and its recipe, but not from places alone: the API's
   * `modified` scope (ordered by `updated`), the site's and sections' feeds (their tombstones
   * move with the date, and are in the recipe), and the documents dated by the newest article (the
   * pages sitemap, the sitemap index and the OPML list: no members, their dates in the recipe).
   * The group index holds it as it holds a placed group, so that an edit by key makes it again
   * (IndexBuilder.remake); an edit in place of the whole archive never keeps it unbuilt.
   */
  indexed?: PlacedGroup;
}

/** Which articles a group shows and which keys it produces, known without building it. */
export interface Placement {
  members: readonly CompiledArticle[];
  keys: () => string[];
}

/** A group placed by its articles' places alone, with what makes it again from its members (Remake). */
export interface PlacedGroup extends Placement {
  recipe: Recipe;
}

/** A group updated in place: the values it rebuilt, and the stored ones it keeps as they are. */
export interface GroupUpdate {
  built: Records;
  unchanged: GroupOutput;
}

export interface GroupContext {
  /** The manifest KV holds, if any: the search index keeps its shard count unless the archive outgrew it. */
  storedManifest: Manifest | null;
  /** What an input list can name: an article, by a digest of everything compiled for it. */
  article(article: CompiledArticle): string;
  /**
   * Something computed from one article alone (`kind` names the computation): remembered between
   * publishes with a memo, so an unchanged article is not processed again; computed otherwise.
   */
  derived(kind: string, article: CompiledArticle, compute: () => string): string;
  /** Keeps what `derived` remembered for the article (if anything) for the next publish, computing nothing. */
  keepDerived(kind: string, article: CompiledArticle): void;
  /** The article's card in a list (HTML): rendered once per publish, shared by every list showing it. */
  card: CardOf;
  /** What `derived` remembered for `kind` of the article that `article` named (an earlier version of it). */
  derivedOf(kind: string, article: string): string | undefined;
  /**
   * Where a builder puts away, as text, what it needs again later in its own build and need not
   * hold meanwhile (the search index's postings, a batch of shards at a time): on disk for the
   * publish command.
   */
  parking: Parking;
  /** The value KV holds for `key`, if it is stored with this hash (and its bytes have it). */
  storedValue(key: string, hash: string): Promise<string | undefined>;
  /**
   * On an edit in place (BuildOptions.edited), keeps a placed group that lists no edited article
   * as KV holds it, when KV holds each of its keys (true); false otherwise, and always on any other
   * publish. The publish asks it of every group it takes; a builder may ask first, with the
   * group's `placed` part alone, and not make the rest of a group kept (at 100,000 articles, most
   * of an edit's groups).
   */
  keptUnedited(placed: Placement): boolean;
}

/** An article's card as list records store it (views/ArticleCard.tsx `renderCard`). */
export type CardOf = (article: CompiledArticle) => string;

export interface IndexBuilder {
  /** Part of every fingerprint, so two builders' groups never share one. */
  name: string;
  groups(content: CompiledContent, context: GroupContext): Iterable<RecordGroup>;
  /** For a builder of placed or indexed groups: the group `groups` made with this recipe and these members. */
  remake?: Remake;
}

/**
 * Makes a placed or indexed group again from its recipe and members (PlacedGroup.recipe), as its
 * builder cut it.
 */
export type Remake = (
  site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: GroupContext,
) => RecordGroup;

/** Every group's records built, by key (what a publish without a memo writes). */
export function buildGroups(groups: Iterable<RecordGroup>): Records {
  const records: Records = new Map();
  for (const group of groups) for (const [key, value] of group.build()) records.set(key, value);
  return records;
}

/** A builder whose records are always built whole. */
const whole = (name: string, build: (content: CompiledContent) => Records): IndexBuilder => ({
  name,
  groups: (content) => [{ build: () => build(content) }],
});

export const INDEX_BUILDERS: readonly IndexBuilder[] = [
  { name: LISTS_BUILDER, groups: listPageGroups, remake: remakeListPage },
  { name: FEEDS_BUILDER, groups: feedGroups, remake: remakeFeed },
  { name: FEED_ARCHIVES_BUILDER, groups: feedArchiveGroups, remake: remakeFeedArchive },
  { name: SITEMAPS_BUILDER, groups: sitemapGroups, remake: remakeSitemap },
  { name: NEWS_SITEMAP_BUILDER, groups: newsSitemapGroups, remake: remakeNewsSitemap },
  { name: API_ARTICLES_BUILDER, groups: apiArticleGroups, remake: remakeApiArticle },
  { name: API_LISTS_BUILDER, groups: apiListGroups, remake: remakeApiListBucket },
  whole('removals', buildRemovalRecords),
  { name: TERM_PAGES_BUILDER, groups: termPageGroups, remake: remakeTermPage },
  { name: SEARCH_BUILDER, groups: searchIndexGroups },
];
