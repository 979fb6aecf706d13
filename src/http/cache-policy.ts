// Cache-Control per kind of resource (the README explains the choices). Browsers and feed
// readers get short lifetimes; the edge keeps entries longer because their keys carry the content version.

export const CACHE_POLICY = {
  /** Home and section lists change with every publish. */
  listPage: 'public, max-age=60, stale-while-revalidate=300',
  /** Articles change only on correction. */
  article: 'public, max-age=300, stale-while-revalidate=3600',
  /** Feed readers poll; five minutes matches the feeds' <ttl> hint. */
  feed: 'public, max-age=300',
  /** Partner API while it is open to all. */
  api: 'public, max-age=60',
  /** Partner API behind keys: a shared cache must not hand a keyed response to anyone else. */
  apiWithKeys: 'private, max-age=60',
  /** Error pages: short, so a fixed link recovers quickly. */
  error: 'public, max-age=60',
  /** Responses that must never be stored (421, 5xx). */
  none: 'no-store',
} as const;

/** How long the edge keeps a rendered response; safe because a publish changes every key. */
export const EDGE_TTL_SECONDS = 86_400;
