// The publish-time index builders: each surface that serves precomputed data registers the
// function that builds its records here. Every record is written after the article records.
import type { CompiledContent } from '../../content/compile';
import { buildFeeds } from '../../feeds/build-feeds';
import { buildRemovalRecords } from '../removals';
import { buildApiRecords } from './api-records';
import { buildFeedArchiveRecords } from './feed-archives';
import { buildListPages } from './list-pages';
import { buildSearchIndex } from './search-index';
import { buildNewsSitemap, buildSitemaps } from './sitemaps';
import { buildTermPages } from './term-pages';

/** KV key → stored value. */
export type Records = Map<string, string>;

export type IndexBuilder = (content: CompiledContent) => Records;

export const INDEX_BUILDERS: readonly IndexBuilder[] = [
  buildListPages,
  buildFeeds,
  buildFeedArchiveRecords,
  (content) => buildSitemaps(content),
  buildNewsSitemap,
  buildApiRecords,
  buildRemovalRecords,
  buildTermPages,
  buildSearchIndex,
];
