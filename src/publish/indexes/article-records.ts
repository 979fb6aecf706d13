// One record per published article, with its "more from the section" teasers.

import type { CompiledContent } from '../../content/compile';
import { articleKey } from '../../storage/keys';
import { type Article, toTeaser } from '../../storage/records';
import type { Records } from './index-builder';

/** "More from the section" on an article page. */
export const RELATED_COUNT = 4;

type CompiledArticle = CompiledContent['articles'][number];

export function buildArticleRecords(content: CompiledContent): Records {
  const records: Records = new Map();
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
    const related = siblings.slice(index + 1, index + 1 + RELATED_COUNT).map(toTeaser);
    const record: Article = { ...article, related };
    records.set(articleKey(article.id), JSON.stringify(record));
  }
  return records;
}
