// Article images from R2 at /images/{hash}/{name}-{width}.{ext} on every host, so a reader on a
// mirror never leaves it. Names are content-hashed by publish: immutable for a year.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { ImageStore } from '../storage/image-store';

export const imageRoutes = new Hono<AppEnv>();

imageRoutes.get('/images/:hash/:file', async (c) => {
  const { hash, file } = c.req.param();
  const object = await new ImageStore(c.env.IMAGES).getRendition(hash, file, c.req.raw.headers);
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
