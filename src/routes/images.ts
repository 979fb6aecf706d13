// Article images from the R2 bucket IMAGES, at /images/{hash}/{name}-{width}.{ext} on every host, so
// a reader on a mirror never leaves it. Names are content-hashed by publish: immutable for a year.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { imageKey } from '../articles/keys';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';

/** What publish writes (publish/images.ts); anything else is answered 404 without asking R2. */
const HASH = /^[0-9a-f]{16}$/;
const FILE = /^[a-z0-9-]+-[1-9]\d*\.(?:jpg|png|webp)$/;

export const imageRoutes = new Hono<AppEnv>();

imageRoutes.get('/images/:hash/:file', async (c) => {
  const { hash, file } = c.req.param();
  if (!HASH.test(hash) || !FILE.test(file)) throw new HTTPException(404);
  // R2 evaluates If-None-Match (and the other preconditions) itself: a match returns no body.
  const object = await c.env.IMAGES.get(imageKey(hash, file), { onlyIf: c.req.raw.headers });
  if (!object) throw new HTTPException(404);
  const headers = new Headers({
    'Cache-Control': CACHE_POLICY.image,
    ETag: object.httpEtag,
    'X-Content-Type-Options': 'nosniff',
  });
  // RFC 9110 §15.4.5: a 304 carries the validators and Cache-Control a 200 would, and no body.
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  headers.set('Content-Type', object.httpMetadata?.contentType ?? 'application/octet-stream');
  headers.set('Content-Length', String(object.size));
  return new Response(object.body, { headers });
});
