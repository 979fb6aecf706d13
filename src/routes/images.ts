// Article images from R2 at /images/{hash}/{name}-{width}.{ext} on every host, so a reader on a
// mirror never leaves it. Names are content-hashed by publish: immutable for a year.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { cacheConditions, failsPrecondition } from '../http/validators';
import { ImageStore } from '../storage/image-store';

export const imageRoutes = new Hono<AppEnv>();

imageRoutes.get('/images/:hash/:file', async (c) => {
  const { hash, file } = c.req.param();
  const request = c.req.raw.headers;
  // R2 answers any failed condition with a body-less object: it is given only those meaning 304.
  const object = await new ImageStore(c.env.IMAGES).getRendition(hash, file, cacheConditions(request));
  if (!object) throw new HTTPException(404);
  const headers = new Headers({
    'Cache-Control': CACHE_POLICY.image,
    ETag: object.httpEtag,
    'X-Content-Type-Options': 'nosniff',
  });
  if (failsPrecondition(request, object.httpEtag, object.uploaded)) {
    return new Response(null, { status: 412, headers });
  }
  // RFC 9110 §15.4.5: a 304 carries the validators and Cache-Control a 200 would, and no body.
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  headers.set('Content-Type', object.httpMetadata?.contentType ?? 'application/octet-stream');
  headers.set('Content-Length', String(object.size));
  return new Response(object.body, { headers });
});
