// The site's own static files (stylesheet, logo, icons) from the Workers assets binding. The worker runs first so
// host resolution applies to assets too; everything else about them is the platform's.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';

/** The offline reader. At the root, so that its scope is the whole site. */
export const SERVICE_WORKER_PATH = '/sw.js';

/**
 * The worker's own policy: it may fetch only from this host (connect-src), whatever its code says,
 * and load nothing else.
 */
const SERVICE_WORKER_CSP = "default-src 'none'; connect-src 'self'";

export const assetRoutes = new Hono<AppEnv>();

assetRoutes.get('/assets/*', (c) => serveAsset(c.env.ASSETS, c.req.raw));
assetRoutes.get('/images/*', (c) => serveAsset(c.env.ASSETS, c.req.raw));
assetRoutes.get(SERVICE_WORKER_PATH, async (c) => {
  const response = await serveAsset(c.env.ASSETS, c.req.raw);
  response.headers.set('Content-Type', 'text/javascript; charset=UTF-8');
  response.headers.set('Cache-Control', CACHE_POLICY.serviceWorker);
  response.headers.set('Content-Security-Policy', SERVICE_WORKER_CSP);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  return response;
});

async function serveAsset(assets: Fetcher, request: Request): Promise<Response> {
  const response = await assets.fetch(request);
  if (response.status === 404) throw new HTTPException(404);
  // Re-wrap: fetched responses have immutable headers, and middleware adds Server-Timing.
  return new Response(response.body, response);
}
