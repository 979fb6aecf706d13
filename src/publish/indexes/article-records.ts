// Two records per published article: the article with its "more from the section" teasers (search
// results read it), and its page as rendered at publish time but for the frame (the article route reads it).

import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { articleKey, articlePageKey } from '../../storage/keys';
import { type Article, toTeaser } from '../../storage/records';
import { renderArticleRecord } from '../../views/ArticlePage';
import type { GroupContext, IndexBuilder, RecordGroup } from './index-builder';
import { type Recipe, RecipeError, recipeLength } from './recipe';

/** "More from the section" on an article page. */
export const RELATED_COUNT = 4;

type CompiledArticle = CompiledContent['articles'][number];

/** The builder of the article records, by name. */
const ARTICLES_BUILDER = 'articles';

/** The keys of an article's two records, as a placed group gives its keys. */
const articleRecordKeys = (article: CompiledArticle) => () => [
  articleKey(article.id),
  articlePageKey(article.id),
];

/**
 * The group of one article's two records: its recipe is empty, its members the article and the
 * articles its "related" teasers show, in order.
 */
export function remakeArticleRecords(
  site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  const [article, ...related] = members;
  recipeLength(recipe, 0, ARTICLES_BUILDER);
  if (!article || related.length > RELATED_COUNT) throw new RecipeError(ARTICLES_BUILDER, recipe);
  return {
    inputs: () => members.map((each) => context.article(each)),
    placed: { members, keys: articleRecordKeys(article), recipe },
    build: () => {
      const record: Article = { ...article, related: related.map(toTeaser) };
      return new Map([
        [articleKey(article.id), JSON.stringify(record)],
        [articlePageKey(article.id), JSON.stringify(renderArticleRecord(site, record))],
      ]);
    },
  };
}

/**
 * One group per published article (remakeArticleRecords): its record depends on the article and
 * the articles its "related" teasers show. Made one at a time as the publish takes them, so each is
 * let go once taken.
 */
export function* articleRecordGroups(content: CompiledContent, context: GroupContext): Iterable<RecordGroup> {
  // Related = the next older articles of the same section: fixed once published, so a new
  // article rewrites no other article record.
  // Linear in the archive: one pass groups by section, each article knows its place in the group.
  const bySection = new Map<string, CompiledArticle[]>();
  const place = new Map<CompiledArticle, number>();
  for (const article of content.articles) {
    const siblings = bySection.get(article.section) ?? [];
    bySection.set(article.section, siblings);
    place.set(article, siblings.length);
    siblings.push(article);
  }
  for (const article of content.articles) {
    const siblings = bySection.get(article.section) ?? [];
    const index = place.get(article) ?? 0;
    const members = [article, ...siblings.slice(index + 1, index + 1 + RELATED_COUNT)];
    // An edit in place keeps a group that shows no edited article before the rest of it is made.
    if (context.keptUnedited({ members, keys: articleRecordKeys(article) })) continue;
    yield remakeArticleRecords(content.site, [], members, context);
  }
}

/** The article records' builder: build-records.ts takes it before every index (INDEX_BUILDERS). */
export const ARTICLE_RECORDS: IndexBuilder = {
  name: ARTICLES_BUILDER,
  groups: articleRecordGroups,
  remake: remakeArticleRecords,
};
