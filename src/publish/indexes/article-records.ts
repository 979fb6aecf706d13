// Two records per published article: the article with its "more from the section" teasers (search
// results read it), and its page as rendered at publish time but for the frame (the article route reads it).

import type { CompiledContent } from '../../content/compile';
import { articleKey, articlePageKey } from '../../storage/keys';
import { type Article, toTeaser } from '../../storage/records';
import { renderArticleRecord } from '../../views/ArticlePage';
import type { GroupContext, RecordGroup } from './index-builder';

/** "More from the section" on an article page. */
export const RELATED_COUNT = 4;

type CompiledArticle = CompiledContent['articles'][number];

/**
 * One group per published article: its record depends on the article and the articles its
 * "related" teasers show. Made one at a time as the publish takes them, so each is let go once taken.
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
  const showing = context.edited && articlesShowingEdited(context.edited, bySection);
  for (const article of content.articles) {
    // An edit in place: a group showing no edited article is not made if its keys are stored.
    if (showing && !showing.has(article) && context.keepAsStored(articleKeys(article.id))) continue;
    const siblings = bySection.get(article.section) ?? [];
    const index = place.get(article) ?? 0;
    const related = siblings.slice(index + 1, index + 1 + RELATED_COUNT);
    const members = [article, ...related];
    yield {
      inputs: () => members.map((each) => context.article(each)),
      placed: { members, keys: () => articleKeys(article.id) },
      build: () => {
        const record: Article = { ...article, related: related.map(toTeaser) };
        return new Map([
          [articleKey(article.id), JSON.stringify(record)],
          [articlePageKey(article.id), JSON.stringify(renderArticleRecord(content.site, record))],
        ]);
      },
    };
  }
}

const articleKeys = (id: number): string[] => [articleKey(id), articlePageKey(id)];

/**
 * The articles whose group shows one of `edited`: each edited article, and the up to RELATED_COUNT
 * newer ones of its section whose related teasers show it (a group is named by its article).
 */
function articlesShowingEdited(
  edited: ReadonlySet<number>,
  bySection: ReadonlyMap<string, readonly CompiledArticle[]>,
): Set<CompiledArticle> {
  const showing = new Set<CompiledArticle>();
  for (const siblings of bySection.values())
    siblings.forEach((article, index) => {
      if (!edited.has(article.id)) return;
      for (const each of siblings.slice(Math.max(0, index - RELATED_COUNT), index + 1)) showing.add(each);
    });
  return showing;
}
