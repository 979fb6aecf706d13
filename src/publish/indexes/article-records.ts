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
  for (const article of content.articles) {
    const siblings = bySection.get(article.section) ?? [];
    const index = place.get(article) ?? 0;
    const related = siblings.slice(index + 1, index + 1 + RELATED_COUNT);
    const members = [article, ...related];
    const placed = { members, keys: () => [articleKey(article.id), articlePageKey(article.id)] };
    // An edit in place keeps a group that shows no edited article before the rest of it is made.
    if (context.keptUnedited(placed)) continue;
    yield {
      inputs: () => members.map((each) => context.article(each)),
      placed,
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
