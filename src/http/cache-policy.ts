// Cache-Control per kind of resource (the README explains the choices). Browsers and feed
// readers get short lifetimes; the edge keeps entries longer because their keys carry the content version.

/** How long feed readers may reuse a feed; RSS `<ttl>` is derived from it (src/feeds/feed-formats.ts). */
export const FEED_MAX_AGE_SECONDS = 300;

export const CACHE_POLICY = {
  /** Home and section lists change with every publish. */
  listPage: 'public, max-age=60, stale-while-revalidate=300',
  /** Articles change only on correction. */
  article: 'public, max-age=300, stale-while-revalidate=3600',
  /** Feed readers poll; the feeds' <ttl> hint is derived from the same number. */
  feed: `public, max-age=${FEED_MAX_AGE_SECONDS}`,
  /**
   * A closed feed archive document (RFC 5005): its bytes never change with newer articles, so
   * readers and archivers keep it for a year without revalidating.
   */
  feedArchive: 'public, max-age=31536000, immutable',
  /** Article image renditions: the name carries the hash of the bytes, so they never change. */
  image: 'public, max-age=31536000, immutable',
  api: 'public, max-age=60',
  /** /sw.js: browsers check for a new worker on every navigation when it may not be reused unchecked. */
  serviceWorker: 'no-cache',
  /** /.well-known/mirrors.json: apps poll it; five minutes spreads a new address quickly enough. */
  mirrors: 'public, max-age=300',
  /**
   * Redirect hosts' 301s. Without a lifetime browsers keep a 301 forever; an hour lets a host that
   * is turned from redirect into mirror (say, when the primary is blocked) take effect for readers.
   */
  hostRedirect: 'public, max-age=3600',
  /** Crawlers re-read sitemaps on their own schedule; five minutes keeps the news sitemap fresh. */
  sitemap: 'public, max-age=300',
  /** robots.txt names only the sitemaps on the request host: it changes with the host list at most. */
  robots: 'public, max-age=3600',
  /** Partner API behind keys: a shared cache must not hand a keyed response to anyone else. */
  apiWithKeys: 'private, max-age=60',
  /** Error pages: short, so a fixed link recovers quickly. */
  error: 'public, max-age=60',
  /** Responses that must never be stored (421, 5xx). */
  none: 'no-store',
} as const;

/** How long the edge keeps a rendered response; safe because a publish changes every key. */
export const EDGE_TTL_SECONDS = 86_400;
