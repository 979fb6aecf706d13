// Reader pages: home, section lists, tag and author lists, and articles. Each handler makes one KV
// read (two for a tag's or author's older pages) of HTML rendered at publish time (an article's
// page parts, a list's cards) and puts it in the frame; contentCache in front makes repeat
// requests cost no read at all. Every page has one address: other spellings get a 301 to it.
import { type Context, Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { canonicalQuery, PAGE_QUERY, withoutTrailingSlash } from '../http/canonical-url';
import { type ContentCacheOptions, contentCache } from '../http/content-cache';
import { GoneError } from '../http/errors';
import { pathAndQuery } from '../http/request-url';
import { htmlSecurityHeaders } from '../http/security-headers';
import { countSectionPages, shardOfPage } from '../storage/list-shards';
import type { ArticlePageRecord } from '../storage/records';
import type { Stored } from '../storage/repository';
import { isCanonicalTermSlug, termSlug } from '../taxonomy/term-slug';
import { TERM_KINDS, termPath } from '../taxonomy/terms';
import { assemblePage, layoutFrame } from '../views/Layout';
import { HomePage, SectionPage, TermPage } from '../views/ListPages';
import { MIRRORS_PAGE_PATH, MirrorsPage } from '../views/MirrorsPage';
import { OFFLINE_PAGE_PATH, OfflinePage } from '../views/OfflinePage';
import { renderPage } from '../views/render-page';
import { pageEtag } from './page-etag';

export const htmlRoutes = new Hono<AppEnv>();

/**
 * The edge cache with the pages' security headers inside it: they are set when a page is rendered
 * and stored with it, so a hit sends them as stored instead of building them again per request.
 * (A redirect carries none: it has no content. Error pages set their own, http/error-response.tsx.)
 */
function pageCache(options: ContentCacheOptions) {
  const cache = contentCache(options);
  const securityHeaders = htmlSecurityHeaders();
  return createMiddleware<AppEnv>((c, next) =>
    cache(c, async () => {
      await securityHeaders(c, next);
    }),
  );
}

const ARTICLE_ID_PATH = '/Detail/:yyyy{\\d{4}}/:mm{\\d{2}}/:dd{\\d{2}}/:id{[1-9]\\d{0,15}}';
const ARTICLE_PATH = `${ARTICLE_ID_PATH}/:slug?`;

// Routing is strict, so the trailing-slash spellings are routes of their own.
htmlRoutes.get('/section/:slug/', withoutTrailingSlash(PAGE_QUERY));
for (const kind of TERM_KINDS) htmlRoutes.get(`/${kind}/:slug/`, withoutTrailingSlash(PAGE_QUERY));
htmlRoutes.get(`${ARTICLE_ID_PATH}/:slug/`, withoutTrailingSlash());

/**
 * Sets the ETag a page's stored hashes give (page-etag.ts, like storedEtag for stored bodies):
 * contentCache keeps a handler's ETag and hashes only bodies that come without one.
 */
async function offerEtag(
  c: Context<AppEnv>,
  hashes: readonly (string | undefined)[],
  shown: readonly string[] = [],
): Promise<void> {
  const { site } = c.var;
  const etag = await pageEtag({
    codeVersion: c.env.CF_VERSION_METADATA.id,
    site: site.config,
    sections: site.manifest.sections,
    hashes,
    shown,
  });
  if (etag !== undefined) c.header('ETag', etag);
}

htmlRoutes.get('/', canonicalQuery(), pageCache({ cacheControl: CACHE_POLICY.listPage }), async (c) => {
  const { site, repo } = c.var;
  const home = await repo.getHomeList();
  if (!home) throw new HTTPException(404);
  const list = { page: 1, pages: 1, cards: home.record.cards };
  await offerEtag(c, [home.hash]);
  return renderPage(c, <HomePage site={site.config} sections={site.manifest.sections} list={list} />);
});

// Built from the memoised manifest alone: no KV read, and the edge cache spares the render.
htmlRoutes.get(MIRRORS_PAGE_PATH, pageCache({ cacheControl: CACHE_POLICY.listPage }), (c) => {
  const { site } = c.var;
  return renderPage(
    c,
    <MirrorsPage
      site={site.config}
      sections={site.manifest.sections}
      mirrorList={site.manifest.mirrorList}
    />,
  );
});

// The service worker's offline page (public/sw.js caches it at install): the manifest alone, no read.
htmlRoutes.get(OFFLINE_PAGE_PATH, pageCache({ cacheControl: CACHE_POLICY.listPage }), (c) => {
  const { site } = c.var;
  return renderPage(c, <OfflinePage site={site.config} sections={site.manifest.sections} />);
});

/** `?page=N` (canonicalQuery has validated it), 1 when absent. */
const pageOf = (value: string | undefined): number => (value === undefined ? 1 : Number(value));

htmlRoutes.get(
  '/section/:slug',
  canonicalQuery(PAGE_QUERY),
  pageCache({ cacheControl: CACHE_POLICY.listPage, query: ['page'] }),
  async (c) => {
    const { site, repo } = c.var;
    const section = site.manifest.sections.find((s) => s.slug === c.req.param('slug'));
    if (!section) throw new HTTPException(404);
    const page = pageOf(c.req.query('page'));
    // The manifest knows how many pages exist, so an out-of-range page costs no read.
    if (page > section.pages) throw new HTTPException(404);
    const shard = await repo.getSectionShard(section.slug, shardOfPage(section.articles, page));
    // An empty section has no head yet; any other missing shard is a page that no longer exists.
    if (!shard && page > 1) throw new HTTPException(404);
    const list = { page, pages: section.pages, cards: shard?.record.cards ?? [] };
    // An empty section's page shows no stored value: the manifest's alone.
    await offerEtag(c, shard ? [shard.hash] : [], [String(section.pages)]);
    return renderPage(
      c,
      <SectionPage site={site.config} sections={site.manifest.sections} section={section} list={list} />,
    );
  },
);

for (const kind of TERM_KINDS) {
  htmlRoutes.get(
    `/${kind}/:slug`,
    canonicalQuery(PAGE_QUERY),
    pageCache({ cacheControl: CACHE_POLICY.listPage, query: ['page'] }),
    async (c) => {
      const { site, repo } = c.var;
      const slug = c.req.param('slug');
      const page = pageOf(c.req.query('page'));
      if (!isCanonicalTermSlug(slug)) {
        // Another spelling of a slug (`/tag/Russia`): the term's one address, if there can be one.
        const canonical = termSlug(slug);
        if (canonical === '') throw new HTTPException(404);
        return c.redirect(termPath(kind, canonical, page), 301);
      }
      // Terms are not in the manifest: the head's absence is what says "no such tag".
      const stored = await repo.getTermHead(kind, slug);
      if (!stored) throw new HTTPException(404);
      const head = stored.record;
      const pages = countSectionPages(head.articles);
      if (page > pages) throw new HTTPException(404);
      const shard = shardOfPage(head.articles, page);
      // Older pages need the head's count to find their bucket: a second read on a miss.
      const bucket = shard === 'head' ? stored : await repo.getTermBucket(kind, slug, shard);
      if (!bucket) throw new HTTPException(404);
      const list = { page, pages, cards: bucket.record.cards };
      await offerEtag(c, [stored.hash, bucket.hash]);
      return renderPage(
        c,
        <TermPage
          site={site.config}
          sections={site.manifest.sections}
          kind={kind}
          slug={slug}
          name={head.name}
          list={list}
        />,
      );
    },
  );
}

/** The page a /Detail/ path names by its id, whatever its date and slug; 410 if removed, else 404. */
async function findArticle(c: Context<AppEnv>): Promise<Stored<ArticlePageRecord>> {
  const id = Number(c.req.param('id'));
  // Beyond 2^53 a number no longer names one id (…993 would read …992): no article has one.
  if (!Number.isSafeInteger(id)) throw new HTTPException(404);
  const article = await c.var.repo.getArticlePage(id);
  if (article) return article;
  // Only a miss pays for this second read: 410 for an article taken down, 404 for the rest.
  const removed = await c.var.repo.getRemovedArticle(id);
  if (removed) throw new GoneError(removed.removedAt, removed.reason);
  throw new HTTPException(404);
}

// /Detail/{yyyy}/{mm}/{dd}/{id}/{Slug}; any other date or slug for the id is redirected, and so
// is any query (before the cache, whose key ignores queries), in one hop to the article's path.
htmlRoutes.get(
  ARTICLE_PATH,
  async function articleWithoutQuery(c, next) {
    if (pathAndQuery(c.req.url).search === '') return next();
    return c.redirect((await findArticle(c)).record.path, 301);
  },
  pageCache({ cacheControl: CACHE_POLICY.article }),
  async (c) => {
    const { site } = c.var;
    const { record: page, hash } = await findArticle(c);
    if (pathAndQuery(c.req.url).pathname !== page.path) {
      // A root-relative Location keeps the reader on the host they came through.
      return c.redirect(page.path, 301);
    }
    // Rendered at publish time but for the frame, which is rendered once per manifest.
    const frame = layoutFrame(site.config, site.manifest.sections, page.activeSection);
    await offerEtag(c, [hash]);
    return c.html(`<!DOCTYPE html>${assemblePage(frame, page)}`);
  },
);
