// The partner JSON API v1: articles (keyset pages), one article, sections, the change log and
// its OpenAPI description. Each request makes at most one KV read in the normal case; the gate
// (keys, rate limit) runs before the edge cache.
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as z from 'zod/mini';
import { partnerGate } from '../api/gate';
import { articleListBody, listFilters, nextCursorOfBody } from '../api/list-page';
import { readListPage } from '../api/list-read';
import { CHANGES_PAGE_SIZE, sectionScope, tagScope } from '../api/paging';
import {
  type ApiArticleSummary,
  type ApiSection,
  anchorListSchema,
  articleIdSchema,
  type ChangeList,
  changesPageSchema,
  changesQuerySchema,
  LIMIT_DEFAULT,
  listArticlesQuerySchema,
  listBucketSchema,
} from '../api/schemas';
import { decodeChangeToken, decodeCursor, encodeChangeToken } from '../api/tokens';
import { type SiteConfig, sectionFamily } from '../config/site-config';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { contentCache, respondWithStored } from '../http/content-cache';
import { ApiError, invalidParameter } from '../http/errors';
import { pathAndQuery } from '../http/request-url';
import { fillOrigin } from '../sites/origin-placeholder';
import { absoluteUrl, sectionPath, servingAddresses } from '../sites/urls';

const MAX_PARAMETER_NAME_LENGTH = 64;

export const apiRoutes = new Hono<AppEnv>();

apiRoutes.use(partnerGate({ publicPaths: ['/api/v1/openapi.json'] }));
apiRoutes.use(mirrorLinks());

/**
 * Every response names the same request on each other serving address (RFC 8288 `alternate`), so a
 * partner learns a new address from any call it already makes. Added after the edge cache, on every
 * answer, 304s and errors included; the signed list itself is /.well-known/mirrors.json.
 */
function mirrorLinks() {
  return createMiddleware<AppEnv>(async function mirrorLinks(c, next) {
    await next();
    // c.get, not c.var: every API answer passes here, and c.var builds an object of all variables.
    const site = c.get('site');
    const others = otherOrigins(site.config, site.origin);
    if (others.length === 0) return;
    // The same path and query on each (concatenated, as sameRequestOn does).
    const { pathname, search } = pathAndQuery(c.req.url);
    const links = others.map((origin) => `<${origin}${pathname}${search}>; rel="alternate"`);
    // Every response here is built by the worker (the edge cache's too): its headers are mutable.
    c.res.headers.append('Link', links.join(', '));
  });
}

/** The serving origins but `origin`, per published config: the same for every request until a publish. */
const otherOriginsMemo = new WeakMap<SiteConfig, Map<string, string[]>>();

function otherOrigins(config: SiteConfig, origin: string): string[] {
  let byOrigin = otherOriginsMemo.get(config);
  if (!byOrigin) {
    byOrigin = new Map();
    otherOriginsMemo.set(config, byOrigin);
  }
  let others = byOrigin.get(origin);
  if (!others) {
    const { primary, mirrors, onion } = servingAddresses(config);
    others = [primary, ...mirrors, ...(onion ? [onion] : [])]
      .map((address) => address.replace(/\/$/, ''))
      .filter((other) => other !== origin);
    byOrigin.set(origin, others);
  }
  return others;
}

/** Distinct query strings whose parse each validator remembers; past it, it starts again. */
const QUERY_MEMO_MAX = 256;

/**
 * Validates the query string before the edge cache is consulted: a bad request never hits it.
 * Names are read from the URL and matched against the schema's own keys: an object built from
 * them loses `__proto__` to its prototype, and inherited names (`constructor`) look known to zod.
 * A query string's parse depends on nothing else, so each accepted one is remembered (a partner
 * repeats the same few): a repeat costs a Map lookup, not a parse.
 */
function validQuery<S extends z.ZodMiniObject>(
  schema: S,
): MiddlewareHandler<AppEnv, string, { out: { query: z.output<S> } }> {
  const accepted = Object.keys(schema.def.shape);
  const known = accepted.length > 0 ? `: this endpoint takes ${accepted.join(', ')}` : ': none is taken here';
  const parsedBefore = new Map<string, z.output<S>>();
  const parse = (search: string): z.output<S> => {
    const single = new Map<string, string>();
    for (const [given, value] of new URLSearchParams(search)) {
      // The name comes from the request: JSON-escaped in the body, and cut short.
      const name = given.slice(0, MAX_PARAMETER_NAME_LENGTH);
      if (!accepted.includes(given)) {
        throw invalidParameter(name, `${name} is not a parameter of this endpoint${known}.`);
      }
      if (single.has(given)) throw invalidParameter(name, `${name} is given more than once.`);
      single.set(given, value);
    }
    const parsed = z.safeParse(schema, Object.fromEntries(single));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? '');
    throw invalidParameter(name, `${name} ${issue?.message ?? 'is not valid'}.`);
  };
  return async function validQuery(c, next) {
    const url = c.req.url;
    const at = url.indexOf('?');
    const search = at < 0 ? '' : url.slice(at);
    let query = parsedBefore.get(search);
    if (query === undefined) {
      query = parse(search);
      if (parsedBefore.size >= QUERY_MEMO_MAX) parsedBefore.clear();
      parsedBefore.set(search, query);
    }
    c.req.addValidatedData('query', query as object);
    await next();
  };
}

const noQuery = validQuery(z.strictObject({}));

const JSON_TYPE = { 'Content-Type': 'application/json; charset=UTF-8' };

function json(c: Context<AppEnv>, body: string): Response {
  return c.body(fillOrigin(body, c.var.site.origin), 200, JSON_TYPE);
}

function nextLink(c: Context<AppEnv>, path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  return `<${absoluteUrl(c.var.site.origin, `${path}?${search}`)}>; rel="next"`;
}

apiRoutes.get(
  '/articles',
  validQuery(listArticlesQuerySchema),
  contentCache({
    cacheControl: CACHE_POLICY.api,
    query: ['section', 'tag', 'updated_since', 'limit', 'cursor'],
  }),
  async (c) => {
    const { site, repo } = c.var;
    const query = c.req.valid('query');
    const { section, tag } = query;
    if (section !== undefined && !site.manifest.sections.some((s) => s.slug === section)) {
      throw invalidParameter('section', 'section is not a section of this site: see /api/v1/sections.');
    }
    const tagLower = tag?.toLowerCase();
    const since = query.updated_since === undefined ? undefined : Date.parse(query.updated_since);
    const limit = query.limit === undefined ? LIMIT_DEFAULT : Number(query.limit);
    const filters = listFilters(section, tagLower, since);
    const linkTo = (cursor: string) =>
      c.header(
        'Link',
        nextLink(c, '/api/v1/articles', {
          section,
          tag,
          updated_since: query.updated_since,
          limit: query.limit,
          cursor,
        }),
      );

    // The request most partners make, a scope's first page, is stored finished by the publish: one
    // read, the origin filled in. Absent (a scope without articles, or a store from before first
    // pages), the page is built from the scope's head below, as any other.
    if (query.cursor === undefined && query.limit === undefined && since === undefined && !(section && tag)) {
      const page = await repo.getApiListFirstPage(
        tag ? tagScope(tag) : section ? sectionScope(section) : 'all',
      );
      if (page) {
        const cursor = nextCursorOfBody(page.text);
        if (cursor) linkTo(cursor);
        return respondWithStored(c, page, JSON_TYPE);
      }
    }

    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (cursor === null) throw invalidParameter('cursor', 'cursor is not a cursor returned by this API.');
    if (cursor && cursor.filters !== filters) {
      throw invalidParameter(
        'cursor',
        'cursor belongs to other filters: repeat the section, tag and updated_since it came with.',
      );
    }

    // One index serves the main filter; the others are applied to its items.
    const scope =
      since !== undefined ? 'modified' : tag ? tagScope(tag) : section ? sectionScope(section) : 'all';
    const family = section ? sectionFamily(site.config, section) : undefined;
    const matches = (item: ApiArticleSummary) =>
      (!family || family.has(item.section)) &&
      (tagLower === undefined || item.tags.some((t) => t.toLowerCase() === tagLower));

    const read = await readListPage(
      {
        bucket: (bucket) => repo.getApiListBucket(scope, bucket, listBucketSchema),
        anchors: () => repo.getApiListAnchors(scope, anchorListSchema),
      },
      {
        ...(cursor && { cursor: { after: cursor.after, bucket: cursor.bucket } }),
        byContent: scope === 'modified',
        order: since !== undefined ? 'modified' : 'published',
        limit,
        ...(since !== undefined && { since }),
        matches,
      },
    );
    if (read === 'expired')
      throw invalidParameter(
        'cursor',
        'cursor has expired: the archive changed too much since it was issued. Start again without it.',
      );
    const { items, next } = read;

    const { body, nextCursor } = articleListBody(items, next, filters);
    if (nextCursor) linkTo(nextCursor);
    return json(c, body);
  },
);

apiRoutes.get('/articles/:id', noQuery, contentCache({ cacheControl: CACHE_POLICY.api }), async (c) => {
  const raw = c.req.param('id');
  if (!z.safeParse(articleIdSchema, raw).success) {
    throw invalidParameter('id', 'id must be a positive integer.');
  }
  const id = Number(raw);
  const { repo } = c.var;
  const stored = Number.isSafeInteger(id) ? await repo.getApiArticleBody(id) : null;
  if (stored === null) {
    const removed = Number.isSafeInteger(id) ? await repo.getRemovedArticle(id) : null;
    if (removed) {
      const why = removed.reason ? `: ${removed.reason}` : '.';
      throw new ApiError(410, 'gone', `Article ${id} was removed on ${removed.removedAt}${why}`);
    }
    throw new ApiError(404, 'not_found', 'No published article has this id.');
  }
  return respondWithStored(c, stored, JSON_TYPE);
});

apiRoutes.get('/sections', noQuery, contentCache({ cacheControl: CACHE_POLICY.api }), (c) => {
  const { site } = c.var;
  // From the manifest every request already has: no KV read.
  const data: ApiSection[] = site.manifest.sections.map((section) => ({
    slug: section.slug,
    title: section.title,
    parent: section.parent ?? null,
    url: absoluteUrl(site.origin, sectionPath(section.slug)),
  }));
  return json(c, JSON.stringify({ data }));
});

apiRoutes.get(
  '/changes',
  validQuery(changesQuerySchema),
  contentCache({ cacheControl: CACHE_POLICY.api, query: ['since'] }),
  async (c) => {
    const { site, repo } = c.var;
    const { since: token } = c.req.valid('query');
    const since = token === undefined ? 0 : decodeChangeToken(token);
    if (since === null) throw invalidParameter('since', 'since is not a token returned by this API.');
    const head = site.manifest.changes?.head ?? 0;

    // Up to date (or a token from an isolate that has seen a newer manifest): nothing to read.
    let body: ChangeList = { data: [], next_token: encodeChangeToken(since), has_more: false };
    if (since < head) {
      const page = Math.floor(since / CHANGES_PAGE_SIZE);
      const record = await repo.getChangesPage(page, changesPageSchema);
      const data = (record?.entries ?? []).filter((entry) => entry.seq > since && entry.seq <= head);
      // A page a repair found unreadable has lost its entries: skip past them (the repair logged
      // every live article again after them, so a partner who follows the log still converges).
      const skipTo = record?.lost ? Math.min(head, (page + 1) * CHANGES_PAGE_SIZE) : undefined;
      const reached = data.at(-1)?.seq ?? skipTo;
      if (reached === undefined) throw repo.changesPageCorrupt(page, 'entries below the head are missing');
      body = { data, next_token: encodeChangeToken(reached), has_more: reached < head };
      if (body.has_more) c.header('Link', nextLink(c, '/api/v1/changes', { since: body.next_token }));
    }
    return json(c, JSON.stringify(body));
  },
);

apiRoutes.get('/openapi.json', noQuery, contentCache({ cacheControl: CACHE_POLICY.api }), async (c) => {
  return respondWithStored(c, await c.var.repo.getOpenApiDocument(), JSON_TYPE);
});
