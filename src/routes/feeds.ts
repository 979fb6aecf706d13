// Feeds, their archive documents (RFC 5005) and the OPML list. Bodies are rendered at publish time
// (src/publish/indexes/feeds.ts): a miss is one KV read plus the request's origin filled in;
// contentCache in front makes a hit cost none.
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
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
import { contentCache, respondWithStored } from '../http/content-cache';
import { absoluteUrl } from '../sites/urls';
import { countFeedArchives, countFeedBuckets } from '../storage/list-shards';
import type { Manifest } from '../storage/records';
import type { StoredText } from '../storage/repository';
import { isCanonicalTermSlug, termSlug } from '../taxonomy/term-slug';
import { TERM_KINDS } from '../taxonomy/terms';

export const feedRoutes = new Hono<AppEnv>();

const feedCache = contentCache({ cacheControl: CACHE_POLICY.feed });
const archiveCache = contentCache({ cacheControl: CACHE_POLICY.feedArchive });

/** An archive number as a path segment: no sign, no leading zero, so each document has one URL. */
const ARCHIVE_PARAM = ':archive{[1-9][0-9]{0,8}}';

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
  feedRoutes.get(`/archive/${ARCHIVE_PARAM}/${FEED_FORMATS[format].file}`, archiveCache, (c) =>
    serveArchive(c, { type: 'site' }, format, Number(c.req.param('archive'))),
  );
  feedRoutes.get(
    `/section/:slug/archive/${ARCHIVE_PARAM}/${FEED_FORMATS[format].file}`,
    archiveCache,
    (c) => {
      const slug = c.req.param('slug');
      if (!c.var.site.manifest.sections.some((s) => s.slug === slug)) {
        throw new HTTPException(404, { message: 'There is no such section.' });
      }
      return serveArchive(c, { type: 'section', slug }, format, Number(c.req.param('archive')));
    },
  );
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

feedRoutes.get(OPML_PATH, feedCache, async (c) =>
  serveStored(c, await c.var.repo.getOpml(), `${OPML_MEDIA_TYPE}; charset=UTF-8`, OPML_PATH),
);

async function serveFeed(c: Context<AppEnv>, scope: FeedScope, format: FeedFormat): Promise<Response> {
  const type = `${FEED_FORMATS[format].mediaType}; charset=UTF-8`;
  return serveStored(c, await c.var.repo.getFeed(scope, format), type, feedPath(scope, format));
}

/**
 * Articles in a scope, from the manifest (no read). A section counts its child sections; sections
 * nest one level, so the top-level sections together hold every article exactly once.
 */
function scopeArticleCount(manifest: Manifest, scope: FeedScope): number {
  if (scope.type === 'section') return manifest.sections.find((s) => s.slug === scope.slug)?.articles ?? 0;
  return manifest.sections.filter((s) => s.parent === undefined).reduce((sum, s) => sum + s.articles, 0);
}

/**
 * A closed archive document from one read. A number past the closed ones whose bucket has begun
 * names articles the subscription feed still carries: a temporary redirect there, since the older
 * archive's `next-archive` already points here and must not change when this bucket closes.
 */
async function serveArchive(
  c: Context<AppEnv>,
  scope: FeedScope,
  format: FeedFormat,
  archive: number,
): Promise<Response> {
  const { site, repo } = c.var;
  const articles = scopeArticleCount(site.manifest, scope);
  if (archive > countFeedArchives(articles)) {
    if (archive > countFeedBuckets(articles))
      throw new HTTPException(404, { message: 'There is no such archive.' });
    c.header('Cache-Control', CACHE_POLICY.feed);
    return c.redirect(absoluteUrl(site.origin, feedPath(scope, format)), 302);
  }
  const body = await repo.getFeedArchive(scope, format, archive);
  if (body === null) throw new HTTPException(404, { message: 'There is no such archive.' });
  return respondWithStored(c, body, {
    'Content-Type': `${FEED_FORMATS[format].mediaType}; charset=UTF-8`,
    'X-Content-Type-Options': 'nosniff',
  });
}

function serveStored(
  c: Context<AppEnv>,
  body: StoredText | null,
  type: string,
  path: string,
): Promise<Response> {
  const { site } = c.var;
  if (body === null) throw new HTTPException(404);
  const hub = site.config.hub;
  if (hub) {
    // WebSub §4: subscribers discover the hub and the topic URL from Link headers as well as the body.
    c.header('Link', `<${hub}>; rel="hub", <${absoluteUrl(site.origin, path)}>; rel="self"`);
  }
  return respondWithStored(c, body, {
    'Content-Type': type,
    // Feed bodies carry article HTML as text: a browser must never sniff them into a page.
    'X-Content-Type-Options': 'nosniff',
  });
}
