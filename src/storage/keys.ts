// KV key names: one function per key shape, versioned so a format change can be rolled out
// beside the old keys. docs/storage.md documents every shape with an example record.
import type { FeedFormat, FeedScope } from '../feeds/feed-formats';

/** Site configuration and content version: read by every request (memoised per isolate). */
export const manifestKey = (): string => 'site:v1';

/**
 * A fresh token put by every writer of owned keys (a publish, the cron applying a release) before
 * its first write. Never read by the worker and never listed as owned: a publish trusts what it
 * remembers of KV only while this still holds the token it put (publish/node/listing-snapshot.ts).
 */
export const writerTokenKey = (): string => 'writer:v1';

export const articleKey = (id: number): string => `article:v1:${id}`;

/** An article's page, rendered at publish time but for the frame (`/Detail/…` reads only this). */
export const articlePageKey = (id: number): string => `page:v1:article:${id}`;

export const homeListKey = (): string => 'list:v3:home';

/** A section's newest articles (reader page 1): rewritten by every publish that adds to the section. */
export const sectionHeadKey = (slug: string): string => `list:v3:section:${slug}:head`;

/** Closed chronological bucket `bucket` of a section (1 = oldest): written once, when it fills. */
export const sectionBucketKey = (slug: string, bucket: number): string =>
  `list:v3:section:${slug}:b${bucket}`;

/** A tag's or author's newest articles (reader page 1), with its name and article count. */
export const termHeadKey = (kind: 'tag' | 'author', slug: string): string => `list:v3:${kind}:${slug}:head`;

/** Closed chronological bucket of a tag or author (1 = oldest), as for sections. */
export const termBucketKey = (kind: 'tag' | 'author', slug: string, bucket: number): string =>
  `list:v3:${kind}:${slug}:b${bucket}`;

/**
 * One shard of the search index: the posting lists of the terms that hash to it among `shards`
 * (search/index-format.ts), for articles below the index's cut (`settled`, rewritten rarely) or
 * from it on (`fresh`, small). The count is in the key: when it changes, every term moves, and an
 * isolate still holding the manifest from before must find the layout that manifest names, intact
 * (publish keeps it for the settling window).
 */
export const searchShardKey = (shards: number, shard: number, part: 'settled' | 'fresh'): string =>
  `${searchLayoutPrefix(shards)}${part}:${shard}`;

/** What every part key of the search index starts with, whatever its layout. */
export const SEARCH_KEY_PREFIX = 'search:';

/** What every part key of the index at `shards` starts with. */
export const searchLayoutPrefix = (shards: number): string => `${SEARCH_KEY_PREFIX}v2:${shards}:`;

/**
 * A shard as stored before its key named the count: what a manifest without `searchIndex` reads
 * (at its `searchShards`, or 1,024). Only read; publish replaces it with searchShardKey's layout.
 */
export const legacySearchShardKey = (shard: number, part: 'settled' | 'fresh'): string =>
  part === 'settled' ? `search:v1:terms:${shard}` : `search:v1:fresh:${shard}`;

/** The sitemap index (`/sitemap.xml`): an XML body with ORIGIN_PLACEHOLDER URLs. */
export const sitemapIndexKey = (): string => 'seo:v1:sitemap-index';

/** One sitemap of the index: `pages`, or a month's articles `2022-01` (`2022-01-2` past 50,000 URLs). */
export const sitemapKey = (name: string): string => `seo:v1:sitemap:${name}`;

/** The newest articles as Google News sitemap entries, filtered by age when served. */
export const newsSitemapKey = (): string => 'seo:v1:news-sitemap';

/**
 * A feed body rendered at publish time with ORIGIN_PLACEHOLDER URLs: `feed:v1:site:rss`,
 * `feed:v1:section:russia:json`, `feed:v1:tag:russia:atom`, `feed:v1:author:science-desk:rss`.
 */
export const feedKey = (scope: FeedScope, format: FeedFormat): string =>
  `feed:v1:${scope.type === 'site' ? 'site' : `${scope.type}:${scope.slug}`}:${format}`;

/**
 * Closed archive document `archive` of a feed (RFC 5005; 1 = oldest articles), rendered like the
 * feed itself and keyed under it: `feed:v1:site:atom:3`, `feed:v1:section:russia:json:1`. Written
 * once, when its bucket closes (storage/list-shards.ts), and again only if an article in it changes.
 */
export const feedArchiveKey = (scope: FeedScope, format: FeedFormat, archive: number): string =>
  `${feedKey(scope, format)}:${archive}`;

/** The OPML list of every feed, rendered like the feeds. */
export const opmlKey = (): string => 'feed:v1:opml';

/** The partner API's view of one article (`{ "data": Article }`, absolute URLs as ORIGIN_PLACEHOLDER). */
export const apiArticleKey = (id: number): string => `api:v1:article:${id}`;

/** The id in an apiArticleKey, or null for any other key. */
export function apiArticleIdOf(key: string): number | null {
  const match = /^api:v1:article:([1-9]\d*)$/.exec(key);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * One bucket of an API list scope (`all`, `modified`, `section:{slug}`, `tag:{tag}`), numbered from
 * the oldest (`modified`: by its anchor, api/paging.ts cutByContent); `head` is a copy of the newest
 * bucket, so a first page needs no bucket count.
 */
export const apiListKey = (scope: string, bucket: number | 'head'): string =>
  `api:v1:articles:${scope}:${bucket}`;

/** Every bucket's anchor in a scope cut by content (`modified`): where a cursor whose bucket is gone goes. */
export const apiListAnchorsKey = (scope: string): string => `api:v1:articles:${scope}:anchors`;

/**
 * The finished body of an API list's first page in `scope` (no cursor, default limit): the list
 * answer most partners ask for, served without decoding the bucket it comes from.
 */
export const apiFirstPageKey = (scope: string): string => `api:v1:articles:${scope}:first`;

/** The OpenAPI document of /api/v1, generated at publish time from the API's schemas. */
export const apiOpenApiKey = (): string => 'api:v1:openapi';

/**
 * One page of the append-only change log. Not an owned prefix: each publish writes only the pages
 * it appends to, and the pages it did not rewrite must survive it.
 */
export const changesPageKey = (page: number): string => `changes:v1:${page}`;

/**
 * A scheduled release precomputed by publish: the writes (and deletes) that turn the state before
 * it into the state after it, generation `gen`. Read and consumed by the cron trigger.
 */
export const RELEASE_KEY_PREFIX = 'release:v1:';
export const releaseKey = (gen: number): string => `${RELEASE_KEY_PREFIX}${gen}`;

/** The generation a release key names, or null for any other key. */
export function releaseGenOf(key: string): number | null {
  const match = /^release:v1:([1-9]\d*)$/.exec(key);
  return match?.[1] ? Number(match[1]) : null;
}

/** One removed article (its 410 page): read only when the article's own record is missing. */
export const removedArticleKey = (id: number): string => `removed:v1:${id}`;

/**
 * Every removed article in one record: publish reads it to carry the list forward (the files are
 * gone) and to refuse a removed id reused. Produced by every publish, like every owned key.
 */
export const removalRegistryKey = (): string => 'removed:v1:index';

/** The id in a removedArticleKey, or null for any other key. */
export function removedArticleIdOf(key: string): number | null {
  const match = /^removed:v1:([1-9]\d*)$/.exec(key);
  return match?.[1] ? Number(match[1]) : null;
}

/** Every key prefix the publish step owns: keys under them that it did not produce are deleted. */
export const OWNED_KEY_PREFIXES = [
  'site:',
  'article:',
  'page:',
  'list:',
  'feed:',
  'seo:',
  'api:',
  'release:',
  'removed:',
  'search:',
] as const;

/** Whether a key is one publish lists, and deletes when no record produces it. */
export const isOwnedKey = (key: string): boolean =>
  OWNED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix));

/**
 * An article image rendition in the R2 bucket `IMAGES`: `images/{hash}/{name}-{width}.{ext}`, where
 * `hash` is the first 16 hex digits of the SHA-256 of the original's bytes (and the encoder settings).
 * The worker serves it at the same path on every host, so a key is also its URL path without the `/`.
 */
export const imageKey = (hash: string, file: string): string => `images/${hash}/${file}`;

/** Every image rendition's key starts with this: what publish lists to learn what is already stored. */
export const IMAGE_KEY_PREFIX = 'images/';
