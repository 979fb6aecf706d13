// The feed formats and scopes the site serves, and the paths they live at. Shared by the worker
// (routes, autodiscovery links) and publish (rendering), so it must stay free of publish-only imports.

import { FEED_MAX_AGE_SECONDS } from '../http/cache-policy';
import { sectionPath } from '../sites/urls';
import { FEED_ARCHIVE_SIZE } from '../storage/list-shards';
import { termPath } from '../taxonomy/terms';

/**
 * The most articles a subscription feed carries: its open archive bucket and the newest closed one
 * (storage/list-shards.ts); everything older is in the feed's archive documents (RFC 5005).
 */
export const FEED_ITEM_COUNT = 2 * FEED_ARCHIVE_SIZE;

/** RSS `<ttl>` (minutes): the same lifetime readers are told in Cache-Control. */
export const FEED_TTL_MINUTES = Math.ceil(FEED_MAX_AGE_SECONDS / 60);

export const FEED_FORMATS = {
  rss: { file: 'rss.xml', mediaType: 'application/rss+xml', label: 'RSS' },
  atom: { file: 'atom.xml', mediaType: 'application/atom+xml', label: 'Atom' },
  json: { file: 'feed.json', mediaType: 'application/feed+json', label: 'JSON Feed' },
} as const;

export type FeedFormat = keyof typeof FEED_FORMATS;

export const FEED_FORMAT_IDS = Object.keys(FEED_FORMATS) as FeedFormat[];

/** The whole site, one section (with its child sections), one tag or one author (taxonomy/terms.ts). */
export type FeedScope = { type: 'site' } | { type: 'section' | 'tag' | 'author'; slug: string };

/** `/rss.xml`, `/section/russia/atom.xml`. */
export function feedPath(scope: FeedScope, format: FeedFormat): string {
  return `${scopePath(scope)}/${FEED_FORMATS[format].file}`;
}

/**
 * Archive document `archive` (1 = the oldest articles) of a feed: `/archive/3/atom.xml`,
 * `/section/russia/archive/3/feed.json`. A path, not a query, so every cache keys it as its own
 * immutable resource.
 */
export function feedArchivePath(scope: FeedScope, format: FeedFormat, archive: number): string {
  return `${scopePath(scope)}/archive/${archive}/${FEED_FORMATS[format].file}`;
}

/** The root-relative folder a scope's feeds live under: `` for the site, `/section/{slug}` for a section, `/tag/{slug}`, `/author/{slug}`. */
export function scopePath(scope: FeedScope): string {
  if (scope.type === 'site') return '';
  return scope.type === 'section' ? sectionPath(scope.slug) : termPath(scope.type, scope.slug);
}

/** The OPML subscription list of every feed. */
export const OPML_PATH = '/feeds.opml';

/**
 * OPML has no registered media type. The contract's application/xml lets browsers show the
 * list and every importer reads it; the unregistered text/x-opml would only make browsers download it.
 */
export const OPML_MEDIA_TYPE = 'application/xml';
