// /.well-known/mirrors.json and its minisign signature: the outlet's current serving addresses, on
// every host, so readers, apps and partners can learn (and verify) a new address from any one that works.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { computeEtag, isNotModified, notModified } from '../http/validators';
import { MIRRORS_PATH, MIRRORS_SIGNATURE_PATH } from '../mirrors/mirror-list';
import type { Manifest } from '../storage/records';

interface RenderedFile {
  body: string;
  etag: string;
  lastModified: string;
}

interface RenderedList {
  list: RenderedFile;
  signature: RenderedFile | null;
}

// Both files come finished from the manifest, which each isolate memoises: hash them once per
// manifest instead of once per request.
const renderedByManifest = new WeakMap<Manifest, Promise<RenderedList | null>>();

async function rendered(body: string, lastModified: string): Promise<RenderedFile> {
  const etag = await computeEtag(new TextEncoder().encode(body).buffer as ArrayBuffer);
  return { body, etag, lastModified };
}

/**
 * Host-independent on purpose: publish wrote the bytes and signed them, so every host serves the
 * same bytes, ETag and signature. A manifest from before signed lists (no `mirrorList`) has none.
 */
function renderMirrorList(manifest: Manifest): Promise<RenderedList | null> {
  let result = renderedByManifest.get(manifest);
  if (!result) {
    const stored = manifest.mirrorList;
    result = stored
      ? (async () => {
          const lastModified = new Date(stored.changedAt).toUTCString();
          return {
            list: await rendered(stored.body, lastModified),
            signature: stored.minisig === undefined ? null : await rendered(stored.minisig, lastModified),
          };
        })()
      : Promise.resolve(null);
    renderedByManifest.set(manifest, result);
  }
  return result;
}

export const wellKnownRoutes = new Hono<AppEnv>();

// Apps and partner sites on other origins read them from a browser. ETag is exposed so they can
// revalidate; a request carrying If-None-Match is preflighted, which this middleware answers.
for (const path of [MIRRORS_PATH, MIRRORS_SIGNATURE_PATH]) {
  wellKnownRoutes.use(
    path,
    cors({ origin: '*', allowMethods: ['GET', 'HEAD'], exposeHeaders: ['ETag'], maxAge: 86_400 }),
  );
}

function respond(headers: Headers, file: RenderedFile, contentType: string): Response {
  const response = new Response(file.body, {
    headers: {
      'Content-Type': contentType,
      'Cache-Control': CACHE_POLICY.mirrors,
      ETag: file.etag,
      'Last-Modified': file.lastModified,
      'X-Content-Type-Options': 'nosniff',
    },
  });
  return isNotModified(headers, response.headers) ? notModified(response) : response;
}

// Not behind contentCache: the bodies come from the memoised manifest with no KV read, so an edge
// cache lookup would cost more than it saves; and their Last-Modified is the time the list or its
// signature last changed, not the time of the last publish that contentCache would stamp.
wellKnownRoutes.get(MIRRORS_PATH, async (c) => {
  const files = await renderMirrorList(c.var.site.manifest);
  if (!files) throw new HTTPException(404);
  return respond(c.req.raw.headers, files.list, 'application/json; charset=UTF-8');
});

wellKnownRoutes.get(MIRRORS_SIGNATURE_PATH, async (c) => {
  const files = await renderMirrorList(c.var.site.manifest);
  if (!files?.signature) throw new HTTPException(404);
  return respond(c.req.raw.headers, files.signature, 'text/plain; charset=UTF-8');
});
