// The Google News sitemap (/news-sitemap.xml). Google wants only articles of the last two days,
// but "now" is unknown at publish time: publish stores the newest 1,000 articles as finished
// <url> entries, and the worker keeps those inside the window when it serves them.

import { NEWS_NS, SITEMAP_NS, XML_DECLARATION } from '../shared/xml';
import type { NewsSitemapRecord } from '../storage/records';

export type { NewsSitemapRecord };

/** Google News: "articles published in the last two days". */
export const NEWS_WINDOW_MS = 2 * 24 * 60 * 60 * 1000;
/** Google News: at most 1,000 URLs per news sitemap. */
export const NEWS_SITEMAP_MAX_ARTICLES = 1_000;
/**
 * The window moves in 15-minute steps, so within a step the body is fixed: it can be cached
 * under (content version, step) and every host serves identical bytes. An article leaves at
 * most one step after its two days are up.
 */
export const NEWS_WINDOW_STEP_MS = 15 * 60 * 1000;

export const NEWS_SITEMAP_HEAD = `${XML_DECLARATION}<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">\n`;
export const NEWS_SITEMAP_TAIL = '</urlset>\n';

/** The step a moment falls in: part of the edge cache key of the news sitemap. */
export function newsWindowStep(nowMs: number): number {
  return Math.floor(nowMs / NEWS_WINDOW_STEP_MS);
}

/** When a step begins (ms since the epoch): the news sitemap's bytes can change then. */
export function newsWindowStart(step: number): number {
  return step * NEWS_WINDOW_STEP_MS;
}

/** The sitemap body for a window step: the entries published at most two days before its start. */
export function renderNewsSitemap(record: NewsSitemapRecord, step: number): string {
  const cutoffMs = newsWindowStart(step) - NEWS_WINDOW_MS;
  const kept = record.entries.filter((entry) => Date.parse(entry.published) >= cutoffMs);
  return NEWS_SITEMAP_HEAD + kept.map((entry) => entry.xml).join('') + NEWS_SITEMAP_TAIL;
}
