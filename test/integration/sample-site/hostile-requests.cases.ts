// The hostile-request table: every row is a request an attacker or a broken client sends, and
// the deliberate answer it gets. None reaches a 5xx, none echoes its input, every body is small.
import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { publishSample } from '../../support/publish';
import { PRIMARY } from '../../support/request';

/** Planted in every hostile request: it must appear in no body and no header of the answer. */
const MARK = '<script>hostile</script>';
const MARK_IN_PATH = encodeURIComponent(MARK);
/** A host label carrying the mark (hosts cannot hold `<`). */
const HOST_MARK = 'hostile-marker';

const ARTICLE =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';
/** Error pages are the layout plus a paragraph; a reflected 16 KB path would blow past this. */
const MAX_ERROR_BODY_BYTES = 6_000;
const ALLOW = 'GET, HEAD, OPTIONS';

interface Row {
  name: string;
  url: string;
  init?: RequestInit;
  status: number;
  /** Extra expectations for this row. */
  check?: (response: Response, body: string) => void;
}

const at = (path: string) => `https://${PRIMARY}${path}`;
const many = (count: number, make: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i)).join('&');

const expectAllow = (response: Response) => expect(response.headers.get('Allow')).toBe(ALLOW);
const expectEmpty = (_: Response, body: string) => expect(body).toBe('');
const expectLocation = (location: string) => (response: Response) =>
  expect(response.headers.get('Location')).toBe(location);
const expectNoFileLeak = (_: Response, body: string) => {
  expect(body).not.toContain('compatibility_date');
  expect(body).not.toContain('"devDependencies"');
};

const ROWS: Row[] = [
  { name: 'a 16 KB path', url: at(`/section/${'x'.repeat(16_384)}${MARK_IN_PATH}`), status: 404 },
  {
    // A query means nothing on the home page: 301 to the bare path, the query dropped unread.
    name: 'a 16 KB query string on the home page',
    url: at(`/?q=${'x'.repeat(16_384)}${MARK_IN_PATH}`),
    status: 301,
    check: expectLocation('/'),
  },
  {
    name: 'five thousand query parameters',
    url: at(`/section/news?${many(5_000, (i) => `p${i}=${MARK_IN_PATH}`)}`),
    status: 301,
    check: expectLocation('/section/news'),
  },
  {
    name: 'five thousand page parameters, the first junk',
    url: at(`/section/news?page=${MARK_IN_PATH}&${many(5_000, () => 'page=1')}`),
    status: 400,
  },
  { name: 'a truncated UTF-8 escape in a section path', url: at('/section/%E0%A4%A'), status: 400 },
  { name: 'an invalid escape in an article slug', url: at('/Detail/2022/01/18/675904/%ZZ'), status: 400 },
  { name: 'an invalid escape beside hostile text', url: at(`/section/${MARK_IN_PATH}%ZZ`), status: 400 },
  { name: 'an invalid escape in the page parameter', url: at('/section/news?page=%ZZ'), status: 400 },
  {
    name: 'an invalid escape in an ignored parameter',
    url: at('/?x=%E0%A4%A'),
    status: 301,
    check: expectLocation('/'),
  },
  {
    name: 'encoded ../ out of /assets',
    url: at('/assets/..%2f..%2fwrangler.toml'),
    status: 404,
    check: expectNoFileLeak,
  },
  {
    name: 'encoded ../ out of /images',
    url: at('/images/..%2f..%2fpackage.json'),
    status: 404,
    check: expectNoFileLeak,
  },
  {
    name: 'encoded dot segments out of /assets',
    url: at('/assets/%2e%2e/%2e%2e/package.json'),
    status: 404,
    check: expectNoFileLeak,
  },
  {
    name: 'encoded backslashes out of /assets',
    url: at('/assets/..%5c..%5cpackage.json'),
    status: 404,
    check: expectNoFileLeak,
  },
  {
    name: 'POST on the home page',
    url: at('/'),
    init: { method: 'POST', body: MARK },
    status: 405,
    check: expectAllow,
  },
  {
    name: 'PATCH on a section',
    url: at('/section/news'),
    init: { method: 'PATCH', body: MARK },
    status: 405,
    check: expectAllow,
  },
  {
    name: 'DELETE on an article',
    url: at(ARTICLE),
    init: { method: 'DELETE' },
    status: 405,
    check: expectAllow,
  },
  {
    name: 'PUT on the stylesheet',
    url: at('/assets/site.css'),
    init: { method: 'PUT', body: MARK },
    status: 405,
    check: expectAllow,
  },
  { name: 'a WebDAV method', url: at('/'), init: { method: 'PROPFIND' }, status: 405, check: expectAllow },
  {
    name: 'OPTIONS',
    url: at('/section/news'),
    init: { method: 'OPTIONS' },
    status: 204,
    check: (response, body) => {
      expectAllow(response);
      expectEmpty(response, body);
    },
  },
  {
    name: 'HEAD on the home page',
    url: at('/'),
    init: { method: 'HEAD' },
    status: 200,
    check: (response, body) => {
      expectEmpty(response, body);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]+(?:-[0-9a-f]+)+"$/);
    },
  },
  { name: 'HEAD on an article', url: at(ARTICLE), init: { method: 'HEAD' }, status: 200, check: expectEmpty },
  {
    name: 'HEAD on a missing page',
    url: at(`/nowhere${MARK_IN_PATH}`),
    init: { method: 'HEAD' },
    status: 404,
    check: expectEmpty,
  },
  {
    name: 'a 64 KB header',
    url: at('/'),
    init: { headers: { 'X-Junk': `${'x'.repeat(65_536)}${MARK}` } },
    status: 200,
  },
  {
    name: 'a 16 KB cookie',
    url: at('/'),
    init: { headers: { Cookie: `a=${'x'.repeat(16_384)}${MARK_IN_PATH}` } },
    status: 200,
  },
  {
    name: 'ten thousand entity tags in If-None-Match',
    url: at('/'),
    init: { headers: { 'If-None-Match': many(10_000, (i) => `"${i}"`).replaceAll('&', ', ') } },
    status: 200,
  },
  {
    name: 'a junk If-Modified-Since',
    url: at('/'),
    init: { headers: { 'If-Modified-Since': MARK } },
    status: 200,
  },
  {
    name: 'a Cloudflare ray id that is not one',
    url: at('/nowhere'),
    init: { headers: { 'cf-ray': MARK } },
    status: 404,
  },
  { name: 'a double slash', url: at('//'), status: 404 },
  { name: 'a section path without a slug', url: at('/section/'), status: 404 },
  { name: 'a hostile section slug', url: at(`/section/${MARK_IN_PATH}`), status: 404 },
  { name: 'article id 0', url: at('/Detail/2022/01/18/0/x'), status: 404 },
  {
    name: 'an article id just beyond MAX_SAFE_INTEGER',
    url: at('/Detail/2022/01/18/9007199254740993/x'),
    status: 404,
  },
  { name: 'a twenty-digit article id', url: at('/Detail/2022/01/18/99999999999999999999/x'), status: 404 },
  {
    name: 'a hostile slug on a real article',
    url: at(`/Detail/2022/01/18/675904/${MARK_IN_PATH}`),
    status: 301,
  },
  { name: 'an unknown host', url: `https://${HOST_MARK}.example/`, status: 421 },
  {
    name: 'the primary as a prefix of another domain',
    url: `https://${PRIMARY}.${HOST_MARK}.example/`,
    status: 421,
  },
  { name: 'the primary on another port', url: `https://${PRIMARY}:8443/`, status: 421 },
  { name: 'an IPv4 literal', url: 'https://127.0.0.1/', status: 421 },
  { name: 'an IPv6 literal', url: 'https://[::1]/', status: 421 },
  { name: 'a look-alike IDN host', url: 'https://www.рresstv.ir/', status: 421 },
  {
    name: 'a 190-character host',
    url: `https://${HOST_MARK}${'a'.repeat(40)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example/`,
    status: 421,
  },
  {
    name: 'an unknown host asking for an asset',
    url: `https://${HOST_MARK}.example/assets/site.css`,
    status: 421,
  },
  {
    name: 'a redirect host with hostile path and query',
    url: `https://presstv.ir/${MARK}?q=${MARK}`,
    status: 301,
    check: (response) => expect(response.headers.get('Location')).toMatch(/^https:\/\/www\.presstv\.ir\//),
  },
];

function headerText(response: Response): string {
  return [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
}

beforeAll(async () => {
  await publishSample();
});

describe('hostile requests', () => {
  it.each(ROWS)('answers $name with $status', async (row) => {
    const response = await exports.default.fetch(row.url, { redirect: 'manual', ...row.init });
    const body = await response.text();
    expect(response.status).toBe(row.status);
    expect(response.headers.get('Server-Timing')).toMatch(/kv;desc="\d+ reads"/);
    for (const text of [body, headerText(response)]) {
      expect(text).not.toContain(MARK);
      expect(text).not.toContain(HOST_MARK);
      expect(text).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)/);
    }
    if (response.status >= 400) {
      expect(new TextEncoder().encode(body).byteLength).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
      expect(response.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{16,36}$/);
    }
    const type = response.headers.get('Content-Type') ?? '';
    if (type.startsWith('text/')) expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    if (type.startsWith('text/html')) {
      expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
      expect(response.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    }
    row.check?.(response, body);
  });
});
