// Hosts × routes: every configured host serves every surface and keeps the reader on it; redirect
// hosts send the same path and query to the primary; unknown and hostile hosts get a 421 that
// never repeats their name.
import { beforeAll, describe, expect, it } from 'vitest';
import { muteExpectedLogLines } from '../support/expected-logs';
import { publish } from '../support/publish';
import { cacheStatus, fetchWithBindings, get, MIRROR } from '../support/request';

const PRIMARY = 'www.presstv.ir';
const ONION = 'presstvmirrorexamplexamplexamplexamplexamplexamplexampld.onion';
const SERVING_HOSTS = [PRIMARY, 'presstv.example', 'mirror.presstv.example'];
const OUR_HOSTS = [...SERVING_HOSTS, 'presstv.ir', ONION];

interface HostCase {
  host: string;
  kind: 'primary' | 'mirror' | 'onion' | 'redirect';
  origin: string;
}

const HOSTS: HostCase[] = [
  { host: PRIMARY, kind: 'primary', origin: `https://${PRIMARY}` },
  { host: 'presstv.example', kind: 'mirror', origin: 'https://presstv.example' },
  { host: 'mirror.presstv.example', kind: 'mirror', origin: 'https://mirror.presstv.example' },
  { host: ONION, kind: 'onion', origin: `http://${ONION}` },
  { host: 'presstv.ir', kind: 'redirect', origin: 'https://presstv.ir' },
];

const SAMPLE_ARTICLE =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';

/**
 * How a route's body may name URLs:
 * - `root-relative`: HTML; only the allowed places below may name a host.
 * - `request-origin`: feeds, API, sitemaps; every absolute URL on one of our hosts is on the request's.
 * - `host-independent`: names only published addresses, never the request's (mirrors.json).
 * - `opaque`: assets and redirects, nothing to check in the body.
 */
type LinkRule = 'root-relative' | 'request-origin' | 'host-independent' | 'opaque';

interface RouteCase {
  name: string;
  path: string;
  status: 200 | 301;
  links: LinkRule;
  /** A listing that may legitimately name no URL (the news sitemap outside its window). */
  mayBeEmpty?: boolean;
  /** HTML: the canonical path on the primary. */
  canonical?: string;
  /** 301 on a serving host: the root-relative Location. */
  location?: string;
  contentType?: RegExp;
}

const ROUTE_CASES: RouteCase[] = [
  { name: 'home', path: '/', status: 200, links: 'root-relative', canonical: '/' },
  {
    name: 'section',
    path: '/section/russia',
    status: 200,
    links: 'root-relative',
    canonical: '/section/russia',
  },
  {
    name: 'section page with a query',
    path: '/section/news?page=1',
    status: 200,
    links: 'root-relative',
    canonical: '/section/news',
  },
  { name: 'article', path: SAMPLE_ARTICLE, status: 200, links: 'root-relative', canonical: SAMPLE_ARTICLE },
  {
    name: 'article under a wrong slug',
    path: '/Detail/2022/01/18/675904/Wrong-words?utm_source=x',
    status: 301,
    links: 'opaque',
    location: SAMPLE_ARTICLE,
  },
  { name: 'tag', path: '/tag/russia', status: 200, links: 'root-relative', canonical: '/tag/russia' },
  {
    name: 'author',
    path: '/author/economy-desk',
    status: 200,
    links: 'root-relative',
    canonical: '/author/economy-desk',
  },
  {
    name: 'search results',
    path: '/search?q=russia',
    status: 200,
    links: 'root-relative',
    canonical: '/search?q=russia',
  },
  {
    name: 'section with a trailing slash and a stray query',
    path: '/section/news/?page=1&utm_source=x',
    status: 301,
    links: 'opaque',
    location: '/section/news?page=1',
  },
  {
    name: 'how to check the addresses',
    path: '/about/mirrors',
    status: 200,
    links: 'root-relative',
    canonical: '/about/mirrors',
  },
  {
    name: 'mirrors.json',
    path: '/.well-known/mirrors.json',
    status: 200,
    links: 'host-independent',
    contentType: /^application\/json; charset=UTF-8$/i,
  },
  {
    name: 'mirrors.json.minisig',
    path: '/.well-known/mirrors.json.minisig',
    status: 200,
    links: 'opaque',
    contentType: /^text\/plain; charset=UTF-8$/i,
  },
  { name: 'stylesheet', path: '/assets/site.css', status: 200, links: 'opaque', contentType: /^text\/css/ },
  { name: 'RSS', path: '/rss.xml', status: 200, links: 'request-origin' },
  { name: 'Atom', path: '/atom.xml', status: 200, links: 'request-origin' },
  { name: 'JSON Feed', path: '/feed.json', status: 200, links: 'request-origin' },
  { name: 'section RSS', path: '/section/russia/rss.xml', status: 200, links: 'request-origin' },
  { name: 'section Atom', path: '/section/russia/atom.xml', status: 200, links: 'request-origin' },
  { name: 'section JSON Feed', path: '/section/russia/feed.json', status: 200, links: 'request-origin' },
  { name: 'tag RSS', path: '/tag/russia/rss.xml', status: 200, links: 'request-origin' },
  { name: 'author Atom', path: '/author/economy-desk/atom.xml', status: 200, links: 'request-origin' },
  { name: 'tag JSON Feed', path: '/tag/russia/feed.json', status: 200, links: 'request-origin' },
  { name: 'OPML', path: '/feeds.opml', status: 200, links: 'request-origin' },
  { name: 'API articles', path: '/api/v1/articles', status: 200, links: 'request-origin' },
  { name: 'API article', path: '/api/v1/articles/675904', status: 200, links: 'request-origin' },
  { name: 'sitemap', path: '/sitemap.xml', status: 200, links: 'request-origin' },
  // The sample articles are from 2022: nothing falls in the news sitemap's two-day window.
  { name: 'news sitemap', path: '/news-sitemap.xml', status: 200, links: 'request-origin', mayBeEmpty: true },
  { name: 'robots.txt', path: '/robots.txt', status: 200, links: 'request-origin' },
];

/** The only places HTML may name a host, each a CSS selector; all of them name the primary only. */
const ALLOWED_HOST_NAMING_PLACES = [
  'link[rel="canonical"]',
  'meta[property="og:url"]',
  // Social cards and structured data need absolute URLs; they name the primary and are never fetched by the page.
  'meta[property="og:image"]',
  'meta[name="twitter:image"]',
  'script[type="application/ld+json"]',
  '.alternate-addresses',
  '.share',
];

/** Attributes whose value a browser may fetch or navigate to. */
const URL_ATTRIBUTES = ['href', 'src', 'srcset', 'action', 'formaction', 'poster', 'data', 'cite'];

function request(hostCase: HostCase, path: string, headers: Record<string, string> = {}) {
  // The onion host is reached over http; the others over https.
  if (hostCase.kind !== 'onion') return get(hostCase.host, path, headers);
  return fetchWithBindings(new Request(`http://${hostCase.host}${path}`, { headers, redirect: 'manual' }));
}

interface HtmlInspection {
  canonical: string[];
  ogUrl: string[];
  alternateAddresses: string[];
  shareLinks: string[];
  /** The page with every allowed host-naming place cut out. */
  rest: string;
  /** URL attributes outside the allowed places. */
  restUrls: string[];
}

async function inspectHtml(html: string): Promise<HtmlInspection> {
  const found: HtmlInspection = {
    canonical: [],
    ogUrl: [],
    alternateAddresses: [],
    shareLinks: [],
    rest: '',
    restUrls: [],
  };
  await new HTMLRewriter()
    .on('link[rel="canonical"]', { element: (e) => void found.canonical.push(e.getAttribute('href') ?? '') })
    .on('meta[property="og:url"]', { element: (e) => void found.ogUrl.push(e.getAttribute('content') ?? '') })
    .on('.alternate-addresses a', {
      element: (e) => void found.alternateAddresses.push(e.getAttribute('href') ?? ''),
    })
    .on('.share a', { element: (e) => void found.shareLinks.push(e.getAttribute('href') ?? '') })
    .transform(new Response(html))
    .text();

  let cut = new HTMLRewriter();
  for (const selector of ALLOWED_HOST_NAMING_PLACES)
    cut = cut.on(selector, { element: (e) => void e.remove() });
  found.rest = await cut.transform(new Response(html)).text();
  await new HTMLRewriter()
    .on('*', {
      element(e) {
        for (const [name = '', value = ''] of e.attributes)
          if (URL_ATTRIBUTES.includes(name)) found.restUrls.push(value);
      },
    })
    .transform(new Response(found.rest))
    .text();
  return found;
}

const isRootRelative = (url: string) => (url.startsWith('/') && !url.startsWith('//')) || url.startsWith('#');

/** Every origin an absolute URL in `text` names, nested ones included (`?url=https://…`). */
function originsNamedIn(text: string): Array<{ origin: string; host: string }> {
  return [...text.matchAll(/(https?):\/\/([^/\s"'<>?#&\\]+)/gi)].map(([, scheme = '', host = '']) => ({
    origin: `${scheme}://${host}`.toLowerCase(),
    host: host.toLowerCase(),
  }));
}

muteExpectedLogLines();
beforeAll(async () => {
  await publish();
});

describe.each(HOSTS)('on $host ($kind)', (hostCase) => {
  describe.each(ROUTE_CASES)('$name ($path)', (route) => {
    if (hostCase.kind === 'redirect') {
      it('answers 301 to the same path and query on the primary', async () => {
        const response = await request(hostCase, route.path);
        expect(response.status).toBe(301);
        expect(response.headers.get('Location')).toBe(`https://${PRIMARY}${route.path}`);
        expect(response.headers.get('Cache-Control')).toBe('public, max-age=3600');
        expect(response.headers.get('Onion-Location')).toBeNull();
      });
      return;
    }

    it(`answers ${route.status}`, async () => {
      const response = await request(hostCase, route.path);
      expect(response.status).toBe(route.status);
      if (route.contentType) expect(response.headers.get('Content-Type')).toMatch(route.contentType);
      if (route.location) expect(response.headers.get('Location')).toBe(route.location);
      await response.arrayBuffer();
    });

    it(
      hostCase.kind === 'primary' ? 'carries Onion-Location to the same path' : 'carries no Onion-Location',
      async () => {
        const response = await request(hostCase, route.path);
        await response.arrayBuffer();
        const expected = hostCase.kind === 'primary' ? `http://${ONION}${route.path}` : null;
        expect(response.headers.get('Onion-Location')).toBe(expected);
      },
    );

    if (route.links === 'root-relative') {
      it('links root-relative and names hosts only in the allowed places', async () => {
        const html = await (await request(hostCase, route.path)).text();
        const page = await inspectHtml(html);
        expect(page.restUrls.length).toBeGreaterThan(5);
        expect(page.restUrls.filter((url) => !isRootRelative(url))).toEqual([]);
        for (const host of [...OUR_HOSTS, hostCase.host]) expect(page.rest).not.toContain(host);
        expect(page.rest).not.toMatch(/https?:\/\/(?!schema\.org)/);
      });

      it('puts canonical and og:url on the primary', async () => {
        const page = await inspectHtml(await (await request(hostCase, route.path)).text());
        const canonical = `https://${PRIMARY}${route.canonical}`;
        expect(page.canonical).toEqual([canonical]);
        for (const ogUrl of page.ogUrl) expect(ogUrl).toBe(canonical);
        for (const share of page.shareLinks) {
          const target = decodeURIComponent(share);
          expect(target).toContain(canonical);
          const named = originsNamedIn(target).filter((url) => OUR_HOSTS.includes(url.host));
          expect(named.map((url) => url.host)).toEqual([PRIMARY]);
        }
      });

      it('lists every serving address in the footer notice', async () => {
        const page = await inspectHtml(await (await request(hostCase, route.path)).text());
        expect(page.alternateAddresses).toEqual([
          ...SERVING_HOSTS.map((host) => `https://${host}/`),
          `http://${ONION}/`,
        ]);
      });
    }

    if (route.links === 'request-origin') {
      it('puts every absolute URL on our hosts on the request host', async () => {
        // Deliberate names of other hosts: an Atom feed's <id> (a permanent identifier, not a
        // link), the API's canonical_url, and a feed's list of every serving address.
        const body = (await (await request(hostCase, route.path)).text())
          .replace(/^\s*<id>[^<]*<\/id>$/m, '')
          .replaceAll(/"canonical_url":"[^"]*"/g, '')
          .replaceAll(/<mw:mirror [^>]*\/>/g, '')
          .replace(/"mirrors": \[[^\]]*\]/, '');
        const ours = originsNamedIn(body).filter((url) => OUR_HOSTS.includes(url.host));
        if (!route.mayBeEmpty) expect(ours.length).toBeGreaterThan(0);
        for (const url of ours) expect(url.origin).toBe(hostCase.origin);
      });
    }

    if (route.links === 'host-independent') {
      it('names the published addresses and never the request host', async () => {
        const body = await (await request(hostCase, route.path)).text();
        const hosts = new Set(originsNamedIn(body).map((url) => url.host));
        expect([...hosts].sort()).toEqual([...SERVING_HOSTS, ONION].sort());
      });
    }
  });
});

describe('representations across hosts', () => {
  const servingCases = HOSTS.filter((h) => h.kind !== 'redirect');
  const htmlRoutes = ROUTE_CASES.filter((route) => route.links === 'root-relative');

  it.each(htmlRoutes)(
    'serves $path as the same bytes and ETag on every host (HTML is host-independent by design)',
    async (route) => {
      const responses = await Promise.all(servingCases.map((h) => request(h, route.path)));
      const bodies = await Promise.all(responses.map((r) => r.text()));
      expect(new Set(bodies).size).toBe(1);
      expect(new Set(responses.map((r) => r.headers.get('ETag'))).size).toBe(1);
    },
  );

  it('serves mirrors.json as the same bytes and ETag on every host, as it never names the request host', async () => {
    const responses = await Promise.all(servingCases.map((h) => request(h, '/.well-known/mirrors.json')));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(new Set(responses.map((r) => r.headers.get('ETag'))).size).toBe(1);
  });

  it('keeps a separate edge cache entry per host, so no host is ever served another host’s entry', async () => {
    const path = '/section/economy';
    const first = await get(PRIMARY, path);
    await first.arrayBuffer();
    const again = await get(PRIMARY, path);
    await again.arrayBuffer();
    const onMirror = await get('mirror.presstv.example', path);
    await onMirror.arrayBuffer();
    const mirrorAgain = await get('mirror.presstv.example', path);
    await mirrorAgain.arrayBuffer();
    expect([first, again, onMirror, mirrorAgain].map(cacheStatus)).toEqual(['miss', 'hit', 'miss', 'hit']);
  });

  it('keys the edge cache on the resolved host, so spellings of the primary share its entry', async () => {
    const path = '/section/middle-east';
    const first = await get(PRIMARY, path);
    await first.arrayBuffer();
    const statuses: Array<string | undefined> = [];
    for (const spelling of ['WWW.PRESSTV.IR', 'www.presstv.ir.', 'www.presstv.ir:443']) {
      const response = await get(spelling, path);
      await response.arrayBuffer();
      statuses.push(cacheStatus(response));
    }
    expect([cacheStatus(first), ...statuses]).toEqual(['miss', 'hit', 'hit', 'hit']);
  });

  it('gives a feed a different ETag on each host, since its bytes name the host', async () => {
    const responses = await Promise.all(servingCases.map((h) => request(h, '/rss.xml')));
    for (const r of responses) await r.arrayBuffer();
    expect(new Set(responses.map((r) => r.headers.get('ETag'))).size).toBe(servingCases.length);
  });

  it('gives every article the same GUID on every host', async () => {
    const guidSets = await Promise.all(
      servingCases.map(async (h) => {
        const body = await (await request(h, '/rss.xml')).text();
        return [...body.matchAll(/tag:[^<"\s]+/g)].map((m) => m[0]).join('\n');
      }),
    );
    expect(guidSets[0]).not.toBe('');
    expect(new Set(guidSets).size).toBe(1);
  });
});

describe('validators and Onion-Location on the primary', () => {
  it('keeps Onion-Location on an edge cache hit', async () => {
    await (await get(PRIMARY, '/section/science')).arrayBuffer();
    const hit = await get(PRIMARY, '/section/science');
    await hit.arrayBuffer();
    expect(cacheStatus(hit)).toBe('hit');
    expect(hit.headers.get('Onion-Location')).toBe(`http://${ONION}/section/science`);
  });

  it('keeps Onion-Location on a 304', async () => {
    const first = await get(PRIMARY, SAMPLE_ARTICLE);
    await first.arrayBuffer();
    const etag = first.headers.get('ETag') ?? '';
    const revalidated = await get(PRIMARY, SAMPLE_ARTICLE, { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('Onion-Location')).toBe(`http://${ONION}${SAMPLE_ARTICLE}`);
  });

  it('keeps a path that looks like a host on the onion origin in Onion-Location', async () => {
    const response = await get(PRIMARY, '//evil.example/x');
    await response.arrayBuffer();
    expect(new URL(response.headers.get('Onion-Location') ?? '').host).toBe(ONION);
  });
});

describe('/.well-known/mirrors.json', () => {
  it('lists the primary, the mirrors and the onion with the time the hosts last changed', async () => {
    const { records } = await publish();
    const response = await get('presstv.example', '/.well-known/mirrors.json');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      primary: `https://${PRIMARY}/`,
      mirrors: ['https://presstv.example/', 'https://mirror.presstv.example/'],
      onion: `http://${ONION}/`,
      updated: records.manifest.manifest.hostsChangedAt,
      sequence: 1,
    });
    expect(text).toBe(records.manifest.manifest.mirrorList?.body);
    expect(response.headers.get('Last-Modified')).toBe(
      new Date(records.manifest.manifest.hostsChangedAt).toUTCString(),
    );
  });

  it('lets apps on other origins read it, and reads no KV once the manifest is memoised', async () => {
    const response = await get(PRIMARY, '/.well-known/mirrors.json', { Origin: 'https://app.example' });
    await response.arrayBuffer();
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Expose-Headers')).toContain('ETag');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(response.headers.get('Server-Timing')).toMatch(/^kv;desc="0 reads"/);
  });

  it('answers If-None-Match and If-Modified-Since with a 304 that still allows other origins', async () => {
    const first = await get(MIRROR, '/.well-known/mirrors.json');
    await first.arrayBuffer();
    const byEtag = await get(MIRROR, '/.well-known/mirrors.json', {
      'If-None-Match': first.headers.get('ETag') ?? '',
    });
    const byDate = await get(MIRROR, '/.well-known/mirrors.json', {
      'If-Modified-Since': first.headers.get('Last-Modified') ?? '',
    });
    for (const response of [byEtag, byDate]) {
      expect(response.status).toBe(304);
      expect(await response.text()).toBe('');
      expect(response.headers.get('ETag')).toBe(first.headers.get('ETag'));
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    }
  });

  it('answers a CORS preflight for a revalidating request', async () => {
    const response = await fetchWithBindings(
      new Request(`https://${PRIMARY}/.well-known/mirrors.json`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'if-none-match',
        },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Methods')).toContain('GET');
    expect(response.headers.get('Access-Control-Allow-Headers')).toContain('if-none-match');
  });
});

/**
 * Everything a hostile Host could leave in a response, status line aside: the headers and body, the
 * random request id left out (it is checked to be a UUID, so it cannot carry the name).
 */
async function responseText(response: Response): Promise<string> {
  const headers = [...response.headers]
    .map(([name, value]) => {
      if (name !== 'x-request-id') return `${name}: ${value}`;
      expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      return `${name}: (a UUID)`;
    })
    .join('\n');
  return `${headers}\n\n${await response.text()}`.toLowerCase();
}

const HOSTILE_HOSTS: Array<{ name: string; host: string; marks: string[] }> = [
  { name: 'an unknown name', host: 'evil.example', marks: ['evil'] },
  { name: 'our name as a prefix', host: 'www.presstv.ir.evil.example', marks: ['evil'] },
  { name: 'an unknown name with a port', host: 'evil.example:8787', marks: ['evil', '8787'] },
  { name: 'our name on another port', host: 'www.presstv.ir:8443', marks: ['8443', 'presstv'] },
  { name: 'an IPv4 literal', host: '203.0.113.7', marks: ['203.0.113'] },
  { name: 'an IPv6 literal', host: '[2001:db8::1]', marks: ['2001:db8', 'db8::'] },
  { name: 'a local host in production', host: 'localhost:8787', marks: ['localhost', '8787'] },
  { name: 'a very long name', host: `${'x'.repeat(240)}.example`, marks: ['xxxxxxxx'] },
];

const HOSTILE_PATHS = [
  '/',
  SAMPLE_ARTICLE,
  '/.well-known/mirrors.json',
  '/assets/site.css',
  '/api/v1/articles',
  '/no-such-page',
];

describe('hostile and unknown Host values', () => {
  describe.each(HOSTILE_HOSTS)('$name', ({ host, marks }) => {
    it.each(HOSTILE_PATHS)('gets a 421 for %s that never repeats the name', async (path) => {
      const response = await get(host, path);
      expect(response.status).toBe(421);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      expect(response.headers.get('Location')).toBeNull();
      expect(response.headers.get('Onion-Location')).toBeNull();
      const text = await responseText(response);
      expect(text.length).toBeLessThan(600);
      for (const mark of [host.toLowerCase(), ...marks]) expect(text).not.toContain(mark);
    });
  });

  it('answers a 421 with a small fixed text', async () => {
    const response = await get('evil.example', '/');
    expect(response.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('421 Misdirected request');
  });

  it('refuses a non-read method on an unknown host with 421, not 405', async () => {
    const response = await fetchWithBindings(new Request('https://evil.example/', { method: 'POST' }));
    expect(response.status).toBe(421);
  });

  it('gets a 421 for an empty Host', async () => {
    // A URL with a special scheme cannot have an empty host; the worker reads the host from the
    // URL, so a non-special one stands in for "Host:" (workerd itself answers 400 to that on the wire).
    const empty = new Request('x-empty:///section/russia');
    expect(new URL(empty.url).host).toBe('');
    const response = await fetchWithBindings(empty);
    expect(response.status).toBe(421);
    expect(await response.text()).toBe('421 Misdirected request');
  });

  it('never sees a Host with markup or CR LF: the runtime refuses such a URL before any worker runs', () => {
    // On the wire the same holds: wrangler dev answers 400 (bare CR) or 500 (`<`, `@`, `/`) without
    // calling the worker and without repeating the value (see docs/mirrors.md).
    expect(() => new Request('https://<script>alert(1)</script>.example/')).toThrow();
    expect(() => new Request('https://%3Cscript%3E.example/')).toThrow();
    expect(() => new Request('https://www.presstv.ir\r\nx-evil: 1.evil.example/')).toThrow();
  });

  it.each(['WWW.PRESSTV.IR', 'www.presstv.ir.', 'www.presstv.ir:443', 'Www.PressTV.IR.:443'])(
    'serves %s as the primary',
    async (host) => {
      const response = await get(host, '/');
      expect(response.status).toBe(200);
      expect(response.headers.get('Onion-Location')).toBe(`http://${ONION}/`);
      await response.arrayBuffer();
    },
  );
});

describe('local hosts', () => {
  const LOCAL_URLS = ['http://localhost:8787/', 'http://127.0.0.1:8792/section/russia', 'http://[::1]:8787/'];

  it.each(LOCAL_URLS)('serves %s when ALLOW_LOCAL_HOSTS is "true"', async (url) => {
    const response = await fetchWithBindings(url, { ALLOW_LOCAL_HOSTS: 'true' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Onion-Location')).toBeNull();
    expect(await response.text()).toContain('<link rel="canonical" href="https://www.presstv.ir/');
  });

  it.each(LOCAL_URLS)('refuses %s with 421 otherwise', async (url) => {
    for (const value of ['false', '', 'TRUE', '1']) {
      const response = await fetchWithBindings(url, { ALLOW_LOCAL_HOSTS: value });
      expect(response.status).toBe(421);
      expect(await responseText(response)).not.toContain('localhost');
    }
  });

  it('puts feed links on the http:// local origin', async () => {
    const response = await fetchWithBindings('http://localhost:8787/rss.xml', { ALLOW_LOCAL_HOSTS: 'true' });
    const ours = originsNamedIn(await response.text()).filter((url) => url.host.startsWith('localhost'));
    expect(ours.length).toBeGreaterThan(0);
    for (const url of ours) expect(url.origin).toBe('http://localhost:8787');
  });
});
