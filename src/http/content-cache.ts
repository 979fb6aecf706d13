// The response pipeline of every content route: isolate memory, then the edge cache, keyed on host +
// content version + code version + path; render on a miss; validators, Cache-Control, conditional GET.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { fillOrigin } from '../sites/origin-placeholder';
import type { Site } from '../sites/site-middleware';
import type { ReadVerdict } from '../storage/consistency';
import type { StoredText } from '../storage/repository';
import { CACHE_POLICY, EDGE_TTL_SECONDS } from './cache-policy';
import { readHot, writeHot } from './hot-cache';
import { pathAndQuery } from './request-url';
import { isNotModified, notModified, stampValidators, storedEtag } from './validators';

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
  const contentVersion =
    variant === undefined ? site.manifest.version : `${site.manifest.version}~${variant}`;
  const versions = `${contentVersion}.${encodeURIComponent(codeVersion)}`;
  const { pathname, search } = pathAndQuery(requestUrl);
  let key = `${site.origin}/_cache/${versions}${pathname}`;
  if (query.length > 0 && search.length > 1) {
    const given = new URLSearchParams(search);
    const selected = new URLSearchParams();
    for (const name of query) {
      const value = given.get(name);
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
    // c.get, not c.var: Hono builds a fresh object of every variable on each c.var.
    const site = c.get('site');
    const metrics = c.get('metrics');
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
      let cached = await cache.match(key);
      // The Cache API honours max-age by itself; the stamp makes expiry follow the worker's clock too.
      const expiresAt = Number(cached?.headers.get(EXPIRES_AT_HEADER));
      if (cached && expiresAt <= Date.now()) cached = undefined;
      if (cached) {
        metrics.cache = 'hit';
        const headers = new Headers(cached.headers);
        headers.delete(EXPIRES_AT_HEADER);
        headers.set('Cache-Control', options.cacheControl);
        if (memoryBytes > 0) {
          const body = await cached.arrayBuffer();
          writeHot(memoryKey, { body, status: cached.status, headers }, memoryBytes, expiresAt);
          ready = new Response(body, { status: cached.status, headers });
        } else {
          ready = new Response(cached.body, { status: cached.status, headers });
        }
      } else {
        metrics.cache = 'miss';
        await next();
        if (c.res.status !== 200) return;
        // The bytes are taken once; every copy below (edge, isolate memory, the answer) shares them.
        const rendered = c.res;
        const body = await rendered.arrayBuffer();
        const headers = new Headers(rendered.headers);
        const published = new Date(site.manifest.publishedAt);
        const since = options.variantSince;
        await stampValidators(headers, body, since && since > published ? since : published);
        const ttl = edgeTtlSeconds(metrics.freshness);
        if (ttl === 0) {
          // Served as read, kept nowhere: the next request reads again, until this location catches up.
          headers.set('Cache-Control', CACHE_POLICY.none);
          const response = new Response(body, { status: 200, headers });
          c.res = undefined;
          c.res = isNotModified(c.req.raw.headers, headers) ? notModified(response) : response;
          return;
        }
        const storedUntil = Date.now() + ttl * 1000;
        const stored = new Headers(headers);
        stored.set('Cache-Control', `public, max-age=${ttl}`);
        stored.set(EXPIRES_AT_HEADER, String(storedUntil));
        c.executionCtx.waitUntil(cache.put(key, new Response(body, { status: 200, headers: stored })));
        headers.set('Cache-Control', options.cacheControl);
        if (memoryBytes > 0) writeHot(memoryKey, { body, status: 200, headers }, memoryBytes, storedUntil);
        ready = new Response(body, { status: 200, headers });
      }
    }
    c.res = undefined;
    c.res = isNotModified(c.req.raw.headers, ready.headers) ? notModified(ready) : ready;
  });

/**
 * A 200 whose body is a stored value with the request's origin filled into its placeholder URLs,
 * and whose ETag comes from the value's stored hash and that origin (storedEtag): behind
 * contentCache, a miss costs the read and the substitution, no pass over the body to hash it.
 * A value stored without a hash is answered the same, and contentCache hashes its bytes.
 */
export async function respondWithStored(
  c: Context<AppEnv>,
  stored: StoredText,
  headers: Record<string, string>,
): Promise<Response> {
  const { origin } = c.var.site;
  if (stored.hash !== undefined) c.header('ETag', await storedEtag(stored.hash, [origin]));
  return c.body(fillOrigin(stored.text, origin), 200, headers);
}
