// List records for the home page and each section (with its child sections): the home's newest
// articles, each section's head, and its closed chronological buckets (see storage/list-shards.ts).

import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { sectionArticles } from '../../content/section-articles';
import { homeListKey, sectionBucketKey, sectionHeadKey } from '../../storage/keys';
import { countSectionPages, cutShards } from '../../storage/list-shards';
import type { ListShard, ManifestSection } from '../../storage/records';
import { buildGroups, type CardOf, type GroupContext, type RecordGroup, type Records } from './index-builder';
import { oneValueGroup, type Recipe, recipeLength, recipeText } from './recipe';

export const HOME_LIST_SIZE = 20;

/** Sections with their article and page counts, for the manifest (so a page maps to a shard without a read). */
export function manifestSections(content: CompiledContent): ManifestSection[] {
  return content.site.sections.map((section) => {
    const articles = sectionArticles(content, section.slug).length;
    return { ...section, articles, pages: countSectionPages(articles) };
  });
}

const shard = (cards: string[]): string => JSON.stringify({ cards } satisfies ListShard);

type CompiledArticle = CompiledContent['articles'][number];

/** The builder of the home and section lists, by name (index-builder.ts registers it). */
export const LISTS_BUILDER = 'lists';

/**
 * The group of one stored shard of cards (a list value, or a term's closed bucket: term-pages.ts),
 * of `builder`: its recipe is its key. It depends on its articles' cards alone, so an edit rebuilds
 * only the values that show the article, and the cards of the rest are not rendered.
 */
export function shardGroup(
  builder: string,
  recipe: Recipe,
  articles: readonly CompiledArticle[],
  context: Pick<GroupContext, 'card' | 'article'>,
): RecordGroup {
  recipeLength(recipe, 1, builder);
  const key = recipeText(recipe, 0, builder);
  return oneValueGroup({ key, recipe, members: articles }, context, [key], () =>
    shard(articles.map(context.card)),
  );
}

/** The group of one list value (shardGroup). */
export function remakeListPage(
  _site: SiteConfig,
  recipe: Recipe,
  articles: readonly CompiledArticle[],
  context: Pick<GroupContext, 'card' | 'article'>,
): RecordGroup {
  return shardGroup(LISTS_BUILDER, recipe, articles, context);
}

/** One group per stored value (remakeListPage): the home list, and each section's head and closed buckets. */
export function* listPageGroups(
  content: CompiledContent,
  context: Pick<GroupContext, 'card' | 'article'>,
): Iterable<RecordGroup> {
  const group = (key: string, articles: readonly CompiledArticle[]) =>
    remakeListPage(content.site, [key], articles, context);
  // Given one at a time, as the publish takes them (term-pages.ts).
  yield group(homeListKey(), content.articles.slice(0, HOME_LIST_SIZE));
  for (const section of content.site.sections) {
    const { head, buckets } = cutShards(sectionArticles(content, section.slug));
    for (const [i, items] of buckets.entries()) yield group(sectionBucketKey(section.slug, i + 1), items);
    yield group(sectionHeadKey(section.slug), head);
  }
}

/** Every list value at once (each group built), by key. */
export function buildListPages(content: CompiledContent, card: CardOf): Records {
  return buildGroups(listPageGroups(content, { card, article: () => '' }));
}
