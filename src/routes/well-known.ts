// /.well-known/mirrors.json: the outlet's current serving addresses, on every host, so readers,
// apps and partners can learn a new address from any one that still works.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Manifest } from '../articles/article';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { computeEtag, isNotModified, notModified } from '../http/validators';
import { type ServingAddresses, servingAddresses } from '../sites/urls';

export const MIRRORS_PATH = '/.well-known/mirrors.json';

/** The document's shape: absolute URLs, and when the set of hosts last changed. */
export interface MirrorsDocument extends ServingAddresses {
  updated: string;
}

interface RenderedDocument {
  body: string;
  etag: string;
  lastModified: string;
}

// The document depends only on the manifest, which each isolate memoises: render and hash it once
// per manifest instead of once per request.
const renderedByManifest = new WeakMap<Manifest, Promise<RenderedDocument>>();

/**
 * Host-independent on purpose: the same bytes and ETag on every host, so no cache or validator can
 * mix hosts. It names only published hosts, never the request's, and changes only when they change.
 */
export function buildMirrorsDocument(manifest: Manifest): MirrorsDocument {
  return { ...servingAddresses(manifest.site), updated: manifest.hostsChangedAt };
}

function renderMirrorsDocument(manifest: Manifest): Promise<RenderedDocument> {
  let rendered = renderedByManifest.get(manifest);
  if (!rendered) {
    rendered = (async () => {
      const body = `${JSON.stringify(buildMirrorsDocument(manifest), null, 2)}\n`;
      const etag = await computeEtag(new TextEncoder().encode(body).buffer as ArrayBuffer);
      return { body, etag, lastModified: new Date(manifest.hostsChangedAt).toUTCString() };
    })();
    renderedByManifest.set(manifest, rendered);
  }
  return rendered;
}

export const wellKnownRoutes = new Hono<AppEnv>();

// Apps and partner sites on other origins read it from a browser. ETag is exposed so they can
// revalidate; a request carrying If-None-Match is preflighted, which this middleware answers.
wellKnownRoutes.use(
  MIRRORS_PATH,
  cors({ origin: '*', allowMethods: ['GET', 'HEAD'], exposeHeaders: ['ETag'], maxAge: 86_400 }),
);

// Not behind contentCache: the body comes from the memoised manifest with no KV read, so an edge
// cache lookup would cost more than it saves; and its Last-Modified is the time the hosts changed,
// not the time of the last publish that contentCache would stamp.
wellKnownRoutes.get(MIRRORS_PATH, async (c) => {
  const { body, etag, lastModified } = await renderMirrorsDocument(c.var.site.manifest);
  const response = new Response(body, {
    headers: {
      'Content-Type': 'application/json; charset=UTF-8',
      'Cache-Control': CACHE_POLICY.mirrors,
      ETag: etag,
      'Last-Modified': lastModified,
      'X-Content-Type-Options': 'nosniff',
    },
  });
  return isNotModified(c.req.raw.headers, response.headers) ? notModified(response) : response;
});
