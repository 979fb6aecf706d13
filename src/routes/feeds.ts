// Feeds and the OPML list. Bodies are rendered at publish time (src/feeds/build-feeds.ts): a miss
// is one KV read plus the request's origin filled in; contentCache in front makes a hit cost none.
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { feedKey, opmlKey } from '../articles/keys';
import type { AppEnv } from '../env';
import {
  FEED_FORMAT_IDS,
  FEED_FORMATS,
  type FeedFormat,
  type FeedScope,
  feedPath,
  OPML_MEDIA_TYPE,
  OPML_PATH,
} from '../feeds/feed-formats';
import { CACHE_POLICY } from '../http/cache-policy';
import { contentCache } from '../http/content-cache';
import { fillOrigin } from '../sites/origin-placeholder';
import { absoluteUrl } from '../sites/urls';
import { isCanonicalTermSlug, termSlug } from '../taxonomy/term-slug';
import { TERM_KINDS } from '../taxonomy/terms';

export const feedRoutes = new Hono<AppEnv>();

const feedCache = contentCache({ cacheControl: CACHE_POLICY.feed });

for (const format of FEED_FORMAT_IDS) {
  feedRoutes.get(feedPath({ type: 'site' }, format), feedCache, (c) =>
    serveFeed(c, { type: 'site' }, format),
  );
  feedRoutes.get(`/section/:slug/${FEED_FORMATS[format].file}`, feedCache, (c) => {
    const slug = c.req.param('slug');
    // The manifest lists the sections, so an unknown one costs no read.
    if (!c.var.site.manifest.sections.some((s) => s.slug === slug)) {
      throw new HTTPException(404, { message: 'There is no such section.' });
    }
    return serveFeed(c, { type: 'section', slug }, format);
  });
  for (const kind of TERM_KINDS) {
    feedRoutes.get(`/${kind}/:slug/${FEED_FORMATS[format].file}`, feedCache, async (c) => {
      const slug = c.req.param('slug');
      // Terms are not in the manifest: a missing feed record is what says "no such tag".
      if (!isCanonicalTermSlug(slug)) {
        const canonical = termSlug(slug);
        if (canonical === '') throw new HTTPException(404, { message: `There is no such ${kind}.` });
        return c.redirect(feedPath({ type: kind, slug: canonical }, format), 301);
      }
      return serveFeed(c, { type: kind, slug }, format);
    });
  }
}

feedRoutes.get(OPML_PATH, feedCache, (c) =>
  serveStored(c, opmlKey(), `${OPML_MEDIA_TYPE}; charset=UTF-8`, OPML_PATH),
);

function serveFeed(c: Context<AppEnv>, scope: FeedScope, format: FeedFormat): Promise<Response> {
  const type = `${FEED_FORMATS[format].mediaType}; charset=UTF-8`;
  return serveStored(c, feedKey(scope, format), type, feedPath(scope, format));
}

async function serveStored(c: Context<AppEnv>, key: string, type: string, path: string): Promise<Response> {
  const { site, repo } = c.var;
  const body = await repo.getText(key);
  if (body === null) throw new HTTPException(404);
  c.header('Content-Type', type);
  // Feed bodies carry article HTML as text: a browser must never sniff them into a page.
  c.header('X-Content-Type-Options', 'nosniff');
  const hub = site.config.hub;
  if (hub) {
    // WebSub §4: subscribers discover the hub and the topic URL from Link headers as well as the body.
    c.header('Link', `<${hub}>; rel="hub", <${absoluteUrl(site.origin, path)}>; rel="self"`);
  }
  return c.body(fillOrigin(body, site.origin));
}
