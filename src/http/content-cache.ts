// The response pipeline of every content route: isolate memory, then the edge cache, keyed on host +
// content version + code version + path; render on a miss; validators, Cache-Control, conditional GET.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import type { Site } from '../sites/site-middleware';
import { EDGE_TTL_SECONDS } from './cache-policy';
import { readHot, writeHot } from './hot-cache';
import { isNotModified, notModified, withValidators } from './validators';

export interface ContentCacheOptions {
  /** Cache-Control sent to browsers and feed readers. */
  cacheControl: string;
  /** Query parameters that select a different representation; all others are ignored. */
  query?: readonly string[];
  /**
   * Names a representation that varies with something other than the URL and the content
   * version (the news sitemap's time window); it becomes part of the key.
   */
  variant?: string;
  /** When the variant changes the bytes, not only a publish: Last-Modified is the later of the two. */
  variantSince?: Date;
}

/**
 * The Cache API keys on the full URL, so the key names the resolved host (never the raw Host
 * header), the content version and the code version: a publish or a deploy makes every old entry
 * unreachable at once, and one host's representation is never served on another.
 */
export function edgeCacheKey(
  site: Site,
  codeVersion: string,
  requestUrl: string,
  query: readonly string[] = [],
  variant?: string,
): string {
  const url = new URL(requestUrl);
  const contentVersion =
    variant === undefined ? site.manifest.version : `${site.manifest.version}~${variant}`;
  const versions = `${contentVersion}.${encodeURIComponent(codeVersion)}`;
  let key = `${site.origin}/_cache/${versions}${url.pathname}`;
  if (query.length > 0) {
    const selected = new URLSearchParams();
    for (const name of query) {
      const value = url.searchParams.get(name);
      if (value !== null) selected.set(name, value);
    }
    if (selected.size > 0) key += `?${selected}`;
  }
  return key;
}

export const contentCache = (options: ContentCacheOptions) =>
  createMiddleware<AppEnv>(async function contentCache(c, next) {
    const { site, metrics } = c.var;
    const key = edgeCacheKey(site, c.env.CF_VERSION_METADATA.id, c.req.url, options.query, options.variant);
    const memoryBytes = Number(c.env.EDGE_MEMORY_CACHE_BYTES) || 0;
    // Isolate memory first: a hot URL costs no trip to the cache, and no allocation but the Response.
    let ready = memoryBytes > 0 ? readHot(key) : undefined;
    if (ready) {
      metrics.cache = 'hit';
    } else {
      const cache = caches.default;
      let response = await cache.match(key);
      if (response) {
        metrics.cache = 'hit';
      } else {
        metrics.cache = 'miss';
        await next();
        if (c.res.status !== 200) return;
        const published = new Date(site.manifest.publishedAt);
        const since = options.variantSince;
        response = await withValidators(c.res, since && since > published ? since : published);
        const stored = new Response(response.clone().body, response);
        stored.headers.set('Cache-Control', `public, max-age=${EDGE_TTL_SECONDS}`);
        c.executionCtx.waitUntil(cache.put(key, stored));
      }
      const headers = new Headers(response.headers);
      headers.set('Cache-Control', options.cacheControl);
      ready = new Response(response.body, { status: response.status, headers });
      if (memoryBytes > 0) await writeHot(key, ready.clone(), memoryBytes);
    }
    c.res = isNotModified(c.req.raw.headers, ready.headers) ? notModified(ready) : ready;
  });
