// Validators and conditional requests (RFC 9110 §8.8, §13): strong ETags from the bytes (or from
// the hash publish stored for them), Last-Modified from the content version, and 304 answers that
// keep the headers caches need.
import { sha256Hex } from '../shared/digest';

/** A strong ETag from the body's SHA-256: it changes exactly when the bytes change. */
export async function computeEtag(body: ArrayBuffer): Promise<string> {
  // 96 bits: collisions stay out of reach and the header stays short.
  return `"${await sha256Hex(body, 12)}"`;
}

/**
 * A strong ETag for a body made from one stored value, without a pass over the body: a digest of
 * the SHA-256 publish recorded for the value (`StoredText.hash`) and of `shapedBy`, everything
 * else that decides the bytes (the origin filled into placeholder URLs; the code version, if the
 * route adds bytes of its own). It changes exactly when the bytes change as long as `shapedBy`
 * names all of that. A handler sets it as its response's `ETag`; contentCache then keeps it and
 * hashes only bodies that come without one.
 */
export async function storedEtag(storedHash: string, shapedBy: readonly string[]): Promise<string> {
  return `"${await sha256Hex(JSON.stringify([storedHash, ...shapedBy]), 12)}"`;
}

/**
 * Stamps Last-Modified on `headers` and, unless the handler already set one (storedEtag), an ETag
 * from the body's bytes.
 */
export async function stampValidators(
  headers: Headers,
  body: ArrayBuffer,
  lastModified: Date,
): Promise<void> {
  if (!headers.has('ETag')) headers.set('ETag', await computeEtag(body));
  headers.set('Last-Modified', lastModified.toUTCString());
}

/** Buffers the response once and stamps ETag (unless set) and Last-Modified on it. */
export async function withValidators(response: Response, lastModified: Date): Promise<Response> {
  const body = await response.arrayBuffer();
  const headers = new Headers(response.headers);
  await stampValidators(headers, body, lastModified);
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
  // The response's validators are read only when the request is conditional: most are not.
  const ifNoneMatch = request.get('If-None-Match');
  if (ifNoneMatch !== null) {
    const etag = response.get('ETag');
    if (!etag) return false;
    const tags = parseEntityTags(ifNoneMatch);
    return tags.includes('*') || tags.includes(etag.replace(/^W\//, ''));
  }
  const ifModifiedSince = request.get('If-Modified-Since');
  if (ifModifiedSince === null) return false;
  const lastModified = response.get('Last-Modified');
  if (lastModified === null) return false;
  // RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since unless it is a valid HTTP-date.
  const since = parseHttpDate(ifModifiedSince);
  const modified = parseHttpDate(lastModified);
  return since !== null && modified !== null && modified <= since;
}

/**
 * RFC 9110 §13.2.2, steps 1 and 2: whether If-Match (strong comparison; `*` matches anything that
 * exists) or, without it, If-Unmodified-Since fails for a representation: then the answer is 412.
 */
export function failsPrecondition(request: Headers, etag: string, lastModified: Date): boolean {
  const ifMatch = request.get('If-Match');
  if (ifMatch !== null) {
    const tags = ifMatch.split(',').map((tag) => tag.trim());
    return !tags.includes('*') && !tags.includes(etag);
  }
  const ifUnmodifiedSince = request.get('If-Unmodified-Since');
  if (ifUnmodifiedSince === null) return false;
  const since = parseHttpDate(ifUnmodifiedSince);
  // §13.1.4: an invalid date is ignored. HTTP dates have whole seconds.
  return since !== null && Math.floor(lastModified.getTime() / 1000) * 1000 > since;
}

/** The request's precondition headers (§13.1), for a store that evaluates them itself (R2's onlyIf). */
export function preconditions(request: Headers): Headers {
  const conditions = new Headers();
  for (const name of ['If-Match', 'If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since']) {
    const value = request.get(name);
    if (value !== null) conditions.set(name, value);
  }
  return conditions;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7, case-sensitive: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete
// RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994` forms.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * The instant an HTTP-date names, in ms, or null for anything else: Date.parse would also take
 * `2100` or `2100-01-01`, and a far-future date there turns every later change into a 304.
 */
export function parseHttpDate(value: string): number | null {
  let fields: [string, string, number, string, string, string] | undefined;
  const imf = IMF_FIXDATE.exec(value);
  const rfc850 = RFC_850.exec(value);
  const asctime = ASCTIME.exec(value);
  if (imf) {
    const [, day = '', month = '', year = '', h = '', m = '', s = ''] = imf;
    fields = [day, month, Number(year), h, m, s];
  } else if (rfc850) {
    const [, day = '', month = '', yy = '', h = '', m = '', s = ''] = rfc850;
    // §5.6.7: a two-digit year more than 50 years ahead means the most recent past year ending so.
    const thisYear = new Date().getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(yy);
    if (year > thisYear + 50) year -= 100;
    fields = [day, month, year, h, m, s];
  } else if (asctime) {
    const [, month = '', day = '', h = '', m = '', s = '', year = ''] = asctime;
    fields = [day.trim(), month, Number(year), h, m, s];
  }
  if (!fields) return null;
  const [dayText, monthName, year, ...time] = fields;
  const [day, hour, minute, second] = [dayText, ...time].map(Number) as [number, number, number, number];
  const month = MONTHS.indexOf(monthName);
  // §5.6.7 allows second 60 (a leap second); it is read as 59, which can only mean "modified".
  if (hour > 23 || minute > 59 || second > 60 || day < 1) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  if (date.getUTCMonth() !== month) return null;
  date.setUTCHours(hour, minute, Math.min(second, 59));
  return date.getTime();
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
