// Article images from R2 at /images/{hash}/{name}-{width}.{ext} on every host, so a reader on a
// mirror never leaves it. Names are content-hashed by publish: immutable for a year.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { failsPrecondition, preconditions } from '../http/validators';
import { ImageStore } from '../storage/image-store';

export const imageRoutes = new Hono<AppEnv>();

imageRoutes.get('/images/:hash/:file', async (c) => {
  const { hash, file } = c.req.param();
  const request = c.req.raw.headers;
  // R2 is given every precondition, so a failed one never reads the body; R2 answers any failure
  // alike (the object without its body), so which status that is, 412 or 304, is decided here.
  const object = await new ImageStore(c.env.IMAGES).getRendition(hash, file, preconditions(request));
  if (!object) throw new HTTPException(404);
  const headers = new Headers({
    'Cache-Control': CACHE_POLICY.image,
    ETag: object.httpEtag,
    'X-Content-Type-Options': 'nosniff',
  });
  if (failsPrecondition(request, object.httpEtag, object.uploaded)) {
    // R2 judged it otherwise (it should not): the body is never sent, so its read is cancelled.
    if ('body' in object) await object.body.cancel();
    return new Response(null, { status: 412, headers });
  }
  // RFC 9110 §15.4.5: a 304 carries the validators and Cache-Control a 200 would, and no body.
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  headers.set('Content-Type', object.httpMetadata?.contentType ?? 'application/octet-stream');
  headers.set('Content-Length', String(object.size));
  return new Response(object.body, { headers });
});
