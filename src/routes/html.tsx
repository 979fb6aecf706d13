// Reader pages: home, section lists and articles. Each handler makes one KV read and renders;
// contentCache in front makes repeat requests cost no read at all.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { shardOfPage } from '../articles/list-shards';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { contentCache } from '../http/content-cache';
import { GoneError } from '../http/errors';
import { htmlSecurityHeaders } from '../http/security-headers';
import { ArticlePage } from '../views/ArticlePage';
import { HomePage, SectionPage } from '../views/ListPages';
import { MIRRORS_PAGE_PATH, MirrorsPage } from '../views/MirrorsPage';
import { OFFLINE_PAGE_PATH, OfflinePage } from '../views/OfflinePage';
import { renderPage } from '../views/render-page';

export const htmlRoutes = new Hono<AppEnv>();

// Only on the pages themselves: a sub-app mounted at / would otherwise stamp every path it sees.
for (const path of ['/', '/section/:slug', '/Detail/*', MIRRORS_PAGE_PATH, OFFLINE_PAGE_PATH])
  htmlRoutes.use(path, htmlSecurityHeaders());

htmlRoutes.get('/', contentCache({ cacheControl: CACHE_POLICY.listPage }), async (c) => {
  const { site, repo } = c.var;
  const home = await repo.getHomeList();
  if (!home) throw new HTTPException(404);
  const list = { page: 1, pages: 1, items: home.items };
  return renderPage(c, <HomePage site={site.config} sections={site.manifest.sections} list={list} />);
});

// Built from the memoised manifest alone: no KV read, and the edge cache spares the render.
htmlRoutes.get(MIRRORS_PAGE_PATH, contentCache({ cacheControl: CACHE_POLICY.listPage }), (c) => {
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
htmlRoutes.get(OFFLINE_PAGE_PATH, contentCache({ cacheControl: CACHE_POLICY.listPage }), (c) => {
  const { site } = c.var;
  return renderPage(c, <OfflinePage site={site.config} sections={site.manifest.sections} />);
});

const PAGE_NUMBER = /^[1-9]\d{0,5}$/;

htmlRoutes.get(
  '/section/:slug',
  contentCache({ cacheControl: CACHE_POLICY.listPage, query: ['page'] }),
  async (c) => {
    const { site, repo } = c.var;
    const section = site.manifest.sections.find((s) => s.slug === c.req.param('slug'));
    if (!section) throw new HTTPException(404);
    const pageParam = c.req.query('page') ?? '1';
    if (!PAGE_NUMBER.test(pageParam))
      throw new HTTPException(400, { message: 'page must be a positive integer' });
    const page = Number(pageParam);
    // The manifest knows how many pages exist, so an out-of-range page costs no read.
    if (page > section.pages) throw new HTTPException(404);
    const shard = await repo.getSectionShard(section.slug, shardOfPage(section.articles, page));
    // An empty section has no head yet; any other missing shard is a page that no longer exists.
    if (!shard && page > 1) throw new HTTPException(404);
    const list = { page, pages: section.pages, items: shard?.items ?? [] };
    return renderPage(
      c,
      <SectionPage site={site.config} sections={site.manifest.sections} section={section} list={list} />,
    );
  },
);

// /Detail/{yyyy}/{mm}/{dd}/{id}/{Slug}; any other date or slug for the id is redirected.
htmlRoutes.get(
  '/Detail/:yyyy{\\d{4}}/:mm{\\d{2}}/:dd{\\d{2}}/:id{[1-9]\\d{0,15}}/:slug?',
  contentCache({ cacheControl: CACHE_POLICY.article }),
  async (c) => {
    const { site, repo } = c.var;
    const id = Number(c.req.param('id'));
    // Beyond 2^53 a number no longer names one id (…993 would read …992): no article has one.
    if (!Number.isSafeInteger(id)) throw new HTTPException(404);
    const article = await repo.getArticle(id);
    if (!article) {
      // Only a miss pays for this second read: 410 for an article taken down, 404 for the rest.
      const removed = await repo.getRemovedArticle(id);
      if (removed) throw new GoneError(removed.removedAt, removed.reason);
      throw new HTTPException(404);
    }
    if (new URL(c.req.url).pathname !== article.path) {
      // A root-relative Location keeps the reader on the host they came through.
      return c.redirect(article.path, 301);
    }
    return renderPage(
      c,
      <ArticlePage site={site.config} sections={site.manifest.sections} article={article} />,
    );
  },
);
