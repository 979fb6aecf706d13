// Search engine surfaces: /robots.txt, the sitemap index and its sitemaps, the Google News
// sitemap. Bodies are rendered at publish time; each request costs at most one KV read and the
// swap of ORIGIN_PLACEHOLDER for the request's origin, so every URL stays on the serving host.
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { contentCache } from '../http/content-cache';
import { newsWindowStart, newsWindowStep, renderNewsSitemap } from '../seo/news-sitemap';
import { fillOrigin } from '../sites/origin-placeholder';
import { absoluteUrl } from '../sites/urls';

export const seoRoutes = new Hono<AppEnv>();

const XML_CONTENT_TYPE = 'application/xml; charset=UTF-8';
/** `pages`, `2022-01`, or `2022-01-2` for a month past 50,000 articles. */
const SITEMAP_NAME = /^(?:pages|\d{4}-\d{2}(?:-[2-9]|-[1-9]\d{1,3})?)$/;

function sendXml(c: Context<AppEnv>, body: string): Response {
  return c.body(fillOrigin(body, c.var.site.origin), 200, { 'Content-Type': XML_CONTENT_TYPE });
}

function sendStoredXml(c: Context<AppEnv>, body: string | null): Response {
  if (body === null) throw new HTTPException(404);
  return sendXml(c, body);
}

seoRoutes.get('/robots.txt', contentCache({ cacheControl: CACHE_POLICY.robots }), (c) => {
  const { origin } = c.var.site;
  // The partner API is not for search results; everything a reader sees is.
  return c.body(
    [
      'User-agent: *',
      'Disallow: /api/',
      '',
      `Sitemap: ${absoluteUrl(origin, '/sitemap.xml')}`,
      `Sitemap: ${absoluteUrl(origin, '/news-sitemap.xml')}`,
      '',
    ].join('\n'),
    200,
    { 'Content-Type': 'text/plain; charset=UTF-8' },
  );
});

seoRoutes.get('/sitemap.xml', contentCache({ cacheControl: CACHE_POLICY.sitemap }), async (c) =>
  sendStoredXml(c, await c.var.repo.getSitemapIndex()),
);

seoRoutes.get(
  '/sitemaps/:file{[a-z0-9-]+\\.xml}',
  contentCache({ cacheControl: CACHE_POLICY.sitemap }),
  async (c) => {
    const name = c.req.param('file').slice(0, -'.xml'.length);
    // Names that cannot exist cost no KV read.
    if (!SITEMAP_NAME.test(name)) throw new HTTPException(404);
    return sendStoredXml(c, await c.var.repo.getSitemap(name));
  },
);

seoRoutes.get('/news-sitemap.xml', async (c) => {
  // One clock reading per request: the window step keys the edge cache and selects the entries.
  const step = newsWindowStep(Date.now());
  const cached = contentCache({
    cacheControl: CACHE_POLICY.sitemap,
    variant: String(step),
    // An entry can leave the window with no publish: If-Modified-Since must see the step change.
    variantSince: new Date(newsWindowStart(step)),
  });
  await cached(c, async () => {
    const record = await c.var.repo.getNewsSitemap();
    if (!record) throw new HTTPException(404);
    c.res = sendXml(c, renderNewsSitemap(record, step));
  });
  return c.res;
});
