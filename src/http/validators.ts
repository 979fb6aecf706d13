// Validators and conditional requests (RFC 9110 §8.8, §13): strong ETags from the bytes,
// Last-Modified from the content version, and 304 answers that keep the headers caches need.

/** A strong ETag from the body's SHA-256: it changes exactly when the bytes change. */
export async function computeEtag(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  let hex = '';
  for (const byte of digest.subarray(0, 12)) hex += byte.toString(16).padStart(2, '0');
  return `"${hex}"`;
}

/** Buffers the response once and stamps ETag and Last-Modified on it. */
export async function withValidators(response: Response, lastModified: Date): Promise<Response> {
  const body = await response.arrayBuffer();
  const headers = new Headers(response.headers);
  headers.set('ETag', await computeEtag(body));
  headers.set('Last-Modified', lastModified.toUTCString());
  return new Response(body, { status: response.status, headers });
}

function parseEntityTags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
}

/**
 * RFC 9110 §13.2.2: If-None-Match is evaluated first, and when present If-Modified-Since is
 * ignored. If-None-Match uses the weak comparison (§13.1.2), so `W/"x"` matches `"x"`.
 */
export function isNotModified(request: Headers, response: Headers): boolean {
  const ifNoneMatch = request.get('If-None-Match');
  const etag = response.get('ETag');
  if (ifNoneMatch !== null) {
    if (!etag) return false;
    const tags = parseEntityTags(ifNoneMatch);
    return tags.includes('*') || tags.includes(etag.replace(/^W\//, ''));
  }
  const ifModifiedSince = request.get('If-Modified-Since');
  const lastModified = response.get('Last-Modified');
  if (ifModifiedSince === null || lastModified === null) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

// RFC 9110 §15.4.5: a 304 carries the fields a 200 would have sent among these, and no body.
const HEADERS_KEPT_ON_304 = [
  'Cache-Control',
  'Content-Location',
  'Date',
  'ETag',
  'Expires',
  'Vary',
  'Last-Modified',
];

export function notModified(response: Response): Response {
  const headers = new Headers();
  for (const name of HEADERS_KEPT_ON_304) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}
