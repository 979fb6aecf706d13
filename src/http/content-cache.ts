// The response pipeline of every content route: isolate memory, then the edge cache, keyed on host +
// content version + code version + path; render on a miss; validators, Cache-Control, conditional GET.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import type { Site } from '../sites/site-middleware';
import type { ReadVerdict } from '../storage/consistency';
import { CACHE_POLICY, EDGE_TTL_SECONDS } from './cache-policy';
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

/** Internal: when a stored entry expires by the worker's clock (ms). Never sent to clients. */
const EXPIRES_AT_HEADER = 'X-Edge-Expires-At';

/**
 * How long a response built from reads of this freshness may be kept. Only settled reads may be:
 * one that is behind, ahead or unverifiable could carry another version's bytes under this
 * version's key (docs/storage.md, "Consistency").
 */
function edgeTtlSeconds(freshness: ReadVerdict): number {
  return freshness === 'settled' ? EDGE_TTL_SECONDS : 0;
}

/** The zone's cache, or a named one (EDGE_CACHE_NAME) so that several caches can share one runtime. */
function openEdgeCache(name: string | undefined): Promise<Cache> {
  return name ? caches.open(name) : Promise.resolve(caches.default);
}

export const contentCache = (options: ContentCacheOptions) =>
  createMiddleware<AppEnv>(async function contentCache(c, next) {
    const { site, metrics } = c.var;
    const cacheName = c.env.EDGE_CACHE_NAME || undefined;
    const key = edgeCacheKey(site, c.env.CF_VERSION_METADATA.id, c.req.url, options.query, options.variant);
    const memoryKey = cacheName ? `${cacheName} ${key}` : key;
    const memoryBytes = Number(c.env.EDGE_MEMORY_CACHE_BYTES) || 0;
    // Isolate memory first: a hot URL costs no trip to the cache, and no allocation but the Response.
    let ready = memoryBytes > 0 ? readHot(memoryKey, Date.now()) : undefined;
    if (ready) {
      metrics.cache = 'hit';
    } else {
      const cache = await openEdgeCache(cacheName);
      let response = await cache.match(key);
      // The Cache API honours max-age by itself; the stamp makes expiry follow the worker's clock too.
      if (response && Number(response.headers.get(EXPIRES_AT_HEADER)) <= Date.now()) response = undefined;
      if (response) {
        metrics.cache = 'hit';
      } else {
        metrics.cache = 'miss';
        await next();
        if (c.res.status !== 200) return;
        const published = new Date(site.manifest.publishedAt);
        const since = options.variantSince;
        response = await withValidators(c.res, since && since > published ? since : published);
        const ttl = edgeTtlSeconds(metrics.freshness);
        if (ttl === 0) {
          // Served as read, kept nowhere: the next request reads again, until this location catches up.
          response.headers.set('Cache-Control', CACHE_POLICY.none);
          c.res = isNotModified(c.req.raw.headers, response.headers) ? notModified(response) : response;
          return;
        }
        const stored = new Response(response.clone().body, response);
        stored.headers.set('Cache-Control', `public, max-age=${ttl}`);
        stored.headers.set(EXPIRES_AT_HEADER, String(Date.now() + ttl * 1000));
        c.executionCtx.waitUntil(cache.put(key, stored));
        response.headers.set(EXPIRES_AT_HEADER, String(Date.now() + ttl * 1000));
      }
      const expiresAt = Number(response.headers.get(EXPIRES_AT_HEADER));
      const headers = new Headers(response.headers);
      headers.delete(EXPIRES_AT_HEADER);
      headers.set('Cache-Control', options.cacheControl);
      ready = new Response(response.body, { status: response.status, headers });
      if (memoryBytes > 0) await writeHot(memoryKey, ready.clone(), memoryBytes, expiresAt);
    }
    c.res = isNotModified(c.req.raw.headers, ready.headers) ? notModified(ready) : ready;
  });
