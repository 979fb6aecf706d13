// Every URL the site emits is built here: root-relative paths for HTML (identical bytes on
// every host), absolute URLs on the request's origin for feeds and the API, canonical on the primary.
import type { SiteConfig } from '../config/site-config';

export interface DatedArticleRef {
  id: number;
  slug: string;
  published: string;
}

/** `/Detail/2022/01/18/675904/Russia-says-…`: the date is the UTC date of `published`. */
export function articlePath(article: DatedArticleRef): string {
  const date = new Date(article.published);
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(date.getUTCDate()).padStart(2, '0');
  return `/Detail/${yyyy}/${mm}/${dd}/${article.id}/${encodeURIComponent(article.slug)}`;
}

export function sectionPath(slug: string, page = 1): string {
  return page > 1 ? `/section/${slug}?page=${page}` : `/section/${slug}`;
}

/**
 * A path the URL parser leaves as it is: `/` and segments of unreserved characters, none empty
 * (`//` starts a host) nor `.` or `..`, then an optional query of the same with `=` and `&`. Ours are made so (articlePath,
 * sectionPath); anything else is resolved by the parser.
 */
const PLAIN_PATH = /^(?=\/)(?:\/(?!\.\.?(?:[/?]|$))[A-Za-z0-9._~-]+)*\/?(?:\?[A-Za-z0-9._~=&-]*)?$/;

/** Origins the URL parser writes back unchanged (`https://example.org`: lower case, no default port, no path). */
const plainOrigins = new Map<string, boolean>();
let lastOrigin = { origin: '', plain: false };

function isPlainOrigin(origin: string): boolean {
  // A publish asks about one origin, the primary, hundreds of thousands of times.
  if (origin === lastOrigin.origin) return lastOrigin.plain;
  let plain = plainOrigins.get(origin);
  if (plain === undefined) {
    const url = URL.canParse(`${origin}/`) ? new URL(`${origin}/`) : undefined;
    plain = url?.origin === origin && url.href === `${origin}/`;
    plainOrigins.set(origin, plain);
  }
  lastOrigin = { origin, plain };
  return plain;
}

/**
 * `origin` + `path`, resolved as the URL parser resolves it. A plain path on a plain origin is
 * joined as it is: a publish makes several absolute URLs per article, and a parse each was seconds
 * of a large archive's build.
 */
export function absoluteUrl(origin: string, path: string): string {
  if (PLAIN_PATH.test(path) && isPlainOrigin(origin)) return `${origin}${path}`;
  return new URL(path, `${origin}/`).toString();
}

/** `https://mirror.example`: every published host but the onion is served over https. */
export function httpsOrigin(host: string): string {
  return `https://${host}`;
}

/** Onion services are reached over http: Tor already encrypts and authenticates the hop. */
export function onionOrigin(onion: string): string {
  return `http://${onion}`;
}

/**
 * The same path and query on another origin. Concatenated rather than resolved with `new URL`, so a
 * request path such as `//other.example/` stays a path on `origin` instead of naming a host.
 */
export function sameRequestOn(origin: string, request: { pathname: string; search: string }): string {
  return `${origin}${request.pathname}${request.search}`;
}

/** The addresses that serve the site, as absolute URLs: what /.well-known/mirrors.json lists. */
export interface ServingAddresses {
  primary: string;
  mirrors: string[];
  onion?: string;
}

export function servingAddresses(site: SiteConfig): ServingAddresses {
  return {
    primary: absoluteUrl(httpsOrigin(site.primary), '/'),
    mirrors: site.mirrors.map((host) => absoluteUrl(httpsOrigin(host), '/')),
    ...(site.onion && { onion: absoluteUrl(onionOrigin(site.onion), '/') }),
  };
}

/** The canonical URL: always on the primary domain, whichever host served the page. */
export function canonicalUrl(site: SiteConfig, path: string): string {
  return absoluteUrl(httpsOrigin(site.primary), path);
}

/**
 * `tag:presstv.ir,2022-01-18:675904` (RFC 4151): the tagging authority is the primary domain
 * without its `www.` label, the date is the UTC publication date. The same on every host, forever.
 */
export function articleGuid(primary: string, article: { id: number; published: string }): string {
  const authority = primary.replace(/^www\./, '');
  const day = new Date(article.published).toISOString().slice(0, 10);
  return `tag:${authority},${day}:${article.id}`;
}

/**
 * An article image rendition, `/images/{hash}/{name}-{width}.{ext}`: root-relative, so a reader on a
 * mirror loads it from the mirror. The same path, without its `/`, is its key in R2 (storage/keys.ts).
 */
export function imagePath(hash: string, file: string): string {
  return `/images/${hash}/${file}`;
}
