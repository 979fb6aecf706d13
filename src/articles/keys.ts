// KV key names: one function per key shape, versioned so a format change can be rolled out
// beside the old keys. docs/storage.md documents every shape with an example record.
import type { FeedFormat, FeedScope } from '../feeds/feed-formats';

/** Site configuration and content version: read by every request (memoised per isolate). */
export const manifestKey = (): string => 'site:v1';

export const articleKey = (id: number): string => `article:v1:${id}`;

export const homeListKey = (): string => 'list:v1:home';

export const sectionListKey = (slug: string, page: number): string => `list:v1:section:${slug}:${page}`;

/** The sitemap index (`/sitemap.xml`): an XML body with ORIGIN_PLACEHOLDER URLs. */
export const sitemapIndexKey = (): string => 'seo:v1:sitemap-index';

/** One sitemap of the index: `pages`, or a month's articles `2022-01` (`2022-01-2` past 50,000 URLs). */
export const sitemapKey = (name: string): string => `seo:v1:sitemap:${name}`;

/** The newest articles as Google News sitemap entries, filtered by age when served. */
export const newsSitemapKey = (): string => 'seo:v1:news-sitemap';

/** A feed body rendered at publish time with ORIGIN_PLACEHOLDER URLs: `feed:v1:site:rss`, `feed:v1:section:russia:json`. */
export const feedKey = (scope: FeedScope, format: FeedFormat): string =>
  `feed:v1:${scope.type === 'site' ? 'site' : `section:${scope.slug}`}:${format}`;

/** The OPML list of every feed, rendered like the feeds. */
export const opmlKey = (): string => 'feed:v1:opml';

/** Every key prefix the publish step owns: keys under them that it did not produce are deleted. */
export const OWNED_KEY_PREFIXES = ['site:', 'article:', 'list:', 'feed:', 'seo:'] as const;
