// URL hygiene for reader pages: a stray query string or a trailing slash gets a 301 to the one
// address of the page, so links, caches and search engines see one URL per page. The Location is
// root-relative: the reader stays on the host they came through.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { pathAndQuery } from './request-url';

/** Query parameters that select a representation, each with the values it accepts. */
export type MeaningfulQuery = Readonly<Record<string, { pattern: RegExp; message: string }>>;

/** `?page=N`: a positive integer of at most six digits (no list is that long). */
export const PAGE_QUERY: MeaningfulQuery = {
  page: { pattern: /^[1-9]\d{0,5}$/, message: 'page must be a positive integer' },
};

/**
 * The canonical query of a request: the first value of each meaningful parameter, in the order
 * declared, all others dropped. A meaningful value that is malformed is a 400, never echoed.
 */
function canonicalSearch(url: URL, meaningful: MeaningfulQuery): string {
  const kept = new URLSearchParams();
  for (const [name, rule] of Object.entries(meaningful)) {
    const value = url.searchParams.get(name);
    if (value === null) continue;
    if (!rule.pattern.test(value)) throw new HTTPException(400, { message: rule.message });
    kept.set(name, value);
  }
  return kept.size > 0 ? `?${kept}` : '';
}

/** Before the page's cache and handler: 301 when the query is not exactly the canonical one. */
export const canonicalQuery = (meaningful: MeaningfulQuery = {}) =>
  createMiddleware(async function canonicalQuery(c, next) {
    // Most requests carry no query, which is canonical as it is: no URL to parse on a cache hit.
    if (pathAndQuery(c.req.url).search === '') return next();
    const url = new URL(c.req.url);
    const search = canonicalSearch(url, meaningful);
    if (url.search !== search) return c.redirect(`${url.pathname}${search}`, 301);
    await next();
  });

/**
 * A handler for the trailing-slash spelling of a page (`/section/russia/`): 301 to the path
 * without it, query made canonical. Registered beside the page's own route (routing is strict).
 */
export function withoutTrailingSlash(meaningful: MeaningfulQuery = {}) {
  return function withoutTrailingSlash(c: Context): Response {
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/\/+$/, '');
    // A path of slashes only would become empty, or `//…` would name a host: neither is a page.
    if (path === '' || path.startsWith('//')) throw new HTTPException(404);
    return c.redirect(`${path}${canonicalSearch(url, meaningful)}`, 301);
  };
}
