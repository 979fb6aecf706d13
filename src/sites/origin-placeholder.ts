// Bodies rendered at publish time (feeds, sitemaps, API pages) need absolute URLs on whichever
// host serves them. They are rendered once with this placeholder origin, and the worker swaps in
// the request's origin: a cheap substitution instead of a render per request and host.

/** Cannot occur in content: compile rejects any article or config that contains it. */
export const ORIGIN_PLACEHOLDER = 'https://origin.mirrorwire.invalid';

/** Replaces every placeholder origin with the serving origin (`https://mirror.example`). */
export function fillOrigin(body: string, origin: string): string {
  return body.replaceAll(ORIGIN_PLACEHOLDER, origin);
}
