// Refuses requests no surface can answer, before any route runs: methods other than reads
// (405 with Allow) and paths with malformed percent-encoding (400). OPTIONS passes through, so
// surfaces with CORS answer their own preflights; `answerOptions` is the fallback for the rest.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { pathAndQuery } from './request-url';

/** Every surface is read-only. */
export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
const READ_METHODS = new Set(['GET', 'HEAD']);

/** `%` not followed by two hex digits, or escapes that do not decode as UTF-8 (`%E0%A4%A`). */
function hasMalformedEncoding(path: string): boolean {
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    // URIError is exactly the malformed case; nothing else can throw here.
    return true;
  }
}

export const requestGuard = () =>
  createMiddleware(async function requestGuard(c, next) {
    if (!READ_METHODS.has(c.req.method) && c.req.method !== 'OPTIONS')
      throw new HTTPException(405, { message: 'this site is read-only' });
    // The raw path, before the router's lenient decoding: a broken escape is a client error, and
    // answering it with a redirect or a lookup would treat garbage as an address.
    const rawPath = pathAndQuery(c.req.url).pathname;
    if (rawPath.includes('%') && hasMalformedEncoding(rawPath))
      throw new HTTPException(400, { message: 'malformed percent-encoding in path' });
    await next();
  });

/** OPTIONS on a path no surface answers itself: 204 with the methods every path allows. */
export function answerOptions(c: Context): Response {
  return c.body(null, 204, { Allow: ALLOWED_METHODS });
}
