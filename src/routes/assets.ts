// Static files (stylesheet, images) from the Workers assets binding. The worker runs first so
// host resolution applies to assets too; everything else about them is the platform's.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';

export const assetRoutes = new Hono<AppEnv>();

assetRoutes.get('/assets/*', (c) => serveAsset(c.env.ASSETS, c.req.raw));
assetRoutes.get('/images/*', (c) => serveAsset(c.env.ASSETS, c.req.raw));

async function serveAsset(assets: Fetcher, request: Request): Promise<Response> {
  const response = await assets.fetch(request);
  if (response.status === 404) throw new HTTPException(404);
  // Re-wrap: fetched responses have immutable headers, and middleware adds Server-Timing.
  return new Response(response.body, response);
}
