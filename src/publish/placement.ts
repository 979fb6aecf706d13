// Where an article is placed, as opposed to what it says. The placed groups of records (article and
// API records, lists, term pages, feed archives, API buckets by publication, tag and author feeds,
// the sitemaps' month parts, the news sitemap: RecordGroup.placed) are cut from the published articles' places
// alone: their ids, publication dates, sections, tags, bylines and images. No key is named after
// an article's words or its page's address, so a correction (to a title and the slug made from it, a summary, the body, with its
// notice and the `updated` it moves) places nothing elsewhere: the placed groups that do not list
// the corrected article stay exactly as KV holds them (build-records.ts, BuildOptions.edited). The
// one index ordered by `updated`, the API's `modified` scope, is not placed.
import type { CompiledArticle } from '../content/compile';

/**
 * What an article says, its page's address and when it was last corrected: shown in the records that
 * list it, never deciding which do (but for the `modified` scope, see above).
 */
const WORDS = new Set(['title', 'summary', 'bodyHtml', 'slug', 'path', 'updated', 'corrections']);

/**
 * The article's place as text: equal for two compilations that every index cuts the same way. The
 * body is never read (a compile cache hit reads it from disk only when asked).
 */
export function placementOf(compiled: CompiledArticle): string {
  return JSON.stringify([compiled.draft, compiled.removed ?? null, placeOf(compiled.article)]);
}

/** A published article's place: the fields of it that are not its words (placementOf). */
export function placeOf(article: CompiledArticle['article']): Record<string, unknown> {
  const place: Record<string, unknown> = {};
  for (const field of Object.keys(article).sort())
    if (!WORDS.has(field)) place[field] = article[field as keyof typeof article];
  return place;
}
