// List records for tag and author pages: per term, a head (its name, article count and newest
// articles) and closed chronological buckets, cut exactly like a section's (storage/list-shards.ts).
// Terms are not in the manifest (there can be thousands): a missing head is an unknown term.

import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { termBucketKey, termHeadKey } from '../../storage/keys';
import { cutShards } from '../../storage/list-shards';
import type { TermHead } from '../../storage/records';
import { TERM_KINDS } from '../../taxonomy/terms';
import type { GroupContext, RecordGroup } from './index-builder';
import { shardGroup } from './list-pages';
import { oneValueGroup, type Recipe, recipeLength, recipeNumber, recipeText } from './recipe';
import { termsOf } from './terms-of';

type CompiledArticle = CompiledContent['articles'][number];

/** The builder of the tag and author pages, by name (index-builder.ts registers it). */
export const TERM_PAGES_BUILDER = 'term-pages';

/**
 * The group of one term value. A closed bucket's recipe is its key, and it is made as a list value
 * is (list-pages.ts shardGroup). A head's recipe is its key, the term's name and its article count.
 */
export function remakeTermPage(
  _site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'card' | 'article'>,
): RecordGroup {
  if (recipe.length === 1) return shardGroup(TERM_PAGES_BUILDER, recipe, members, context);
  recipeLength(recipe, 3, TERM_PAGES_BUILDER);
  const key = recipeText(recipe, 0, TERM_PAGES_BUILDER);
  const name = recipeText(recipe, 1, TERM_PAGES_BUILDER);
  const count = recipeNumber(recipe, 2, TERM_PAGES_BUILDER);
  return oneValueGroup({ key, recipe, members }, context, [key, name, String(count)], () => {
    const record: TermHead = { name, articles: count, cards: members.map(context.card) };
    return JSON.stringify(record);
  });
}

/**
 * One group per stored value (remakeTermPage): each term's head (its name, count and newest cards)
 * and closed buckets, so an edit rebuilds only the values that show the article. Given one at a
 * time, as the publish takes them: held all at once, the groups of every term's buckets were tens
 * of MB of a 500,000-article publish's peak.
 */
export function* termPageGroups(
  content: CompiledContent,
  context: Pick<GroupContext, 'card' | 'article'>,
): Iterable<RecordGroup> {
  const { site } = content;
  for (const kind of TERM_KINDS) {
    for (const term of termsOf(content, kind).values()) {
      const { head, buckets } = cutShards(term.articles);
      for (const [i, items] of buckets.entries())
        yield remakeTermPage(site, [termBucketKey(kind, term.slug, i + 1)], items, context);
      yield remakeTermPage(
        site,
        [termHeadKey(kind, term.slug), term.name, term.articles.length],
        head,
        context,
      );
    }
  }
}
