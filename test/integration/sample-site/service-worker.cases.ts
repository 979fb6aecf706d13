// The offline reader's server side: /sw.js on every serving host with the headers a service worker
// needs, the registration script every page loads under a CSP that allows exactly it, and the
// offline page the worker caches at install.
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHE_POLICY } from '../../../src/http/cache-policy';
import { encodePublicKey } from '../../../src/mirrors/minisign';
import { Layout, SIGNING_KEY_META } from '../../../src/views/Layout';
import { OFFLINE_ARTICLES_MARKER } from '../../../src/views/OfflinePage';
import { elementsByTag, parseHtml, textOf } from '../../support/html';
import { publishSample, testSigningKey } from '../../support/publish';
import { fetchWithBindings, get, MIRROR, PRIMARY } from '../../support/request';
import { SAMPLE_ONION, SAMPLE_SITE } from '../../support/sample-site';

const HTTPS_HOSTS = [PRIMARY, MIRROR, 'presstv.example'];

/** The onion is served over http; every other host over https. */
function fetchOn(host: string, path: string): Promise<Response> {
  if (host !== SAMPLE_ONION) return get(host, path);
  return fetchWithBindings(new Request(`http://${host}${path}`, { redirect: 'manual' }));
}

/**
 * "A few KiB": the worker is downloaded by every reader once, and checked on every navigation. It
 * carries its own minisign verifier (7.9 KiB, 3.1 KiB gzipped).
 */
const SERVICE_WORKER_MAX_BYTES = 8 * 1024;

describe('the offline reader', () => {
  beforeAll(async () => {
    await publishSample();
  });

  it('serves /sw.js on every serving host as JavaScript that may fetch only from that host', async () => {
    const bodies = new Set<string>();
    for (const host of [...HTTPS_HOSTS, SAMPLE_ONION]) {
      const response = await fetchOn(host, '/sw.js');
      expect(response.status, host).toBe(200);
      expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=UTF-8');
      expect(response.headers.get('Cache-Control')).toBe(CACHE_POLICY.serviceWorker);
      expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'; connect-src 'self'");
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      const body = await response.text();
      expect(new TextEncoder().encode(body).length).toBeLessThan(SERVICE_WORKER_MAX_BYTES);
      expect(body).toContain("addEventListener('fetch'");
      // No address in it: it works on whichever host served it, and names no other.
      expect(body).not.toMatch(/https?:\/\//);
      bodies.add(body);
    }
    expect(bodies.size).toBe(1);
    expect((await get('unknown.example', '/sw.js')).status).toBe(421);
  });

  it('loads one same-origin registration script on every page, under a CSP that allows it and the worker', async () => {
    for (const path of ['/', '/section/russia', '/about/mirrors', '/offline']) {
      const response = await get(MIRROR, path);
      expect(response.status, path).toBe(200);
      const csp = response.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("worker-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(
        scripts.filter((tag) => !tag.includes('application/ld+json')),
        path,
      ).toEqual(['<script src="/assets/offline.js" defer="">']);
    }
    const script = await get(MIRROR, '/assets/offline.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('Content-Type')).toMatch(/^(text|application)\/javascript/);
    expect(await script.text()).toContain("register('/sw.js')");
  });

  it('names the pinned signing key in every page head, and the CSP still forbids inline scripts', async () => {
    const key = encodePublicKey(await testSigningKey());
    const meta = `<meta name="${SIGNING_KEY_META}" content="${key}"/>`;
    for (const host of [PRIMARY, MIRROR]) {
      for (const path of [
        '/',
        '/section/russia',
        '/about/mirrors',
        '/offline',
        '/search?q=russia',
        '/no-such-page',
      ]) {
        const response = await get(host, path);
        const csp = response.headers.get('Content-Security-Policy') ?? '';
        expect(csp, path).toContain("script-src 'self'");
        expect(csp, path).not.toContain('unsafe-inline');
        const html = await response.text();
        const head = html.slice(0, html.indexOf('</head>'));
        expect(head, `${host}${path}`).toContain(meta);
        expect(html.split(meta).length, path).toBe(2);
      }
    }
  });

  it('renders no key meta element when site.yaml sets no signing_key', async () => {
    expect(SAMPLE_SITE.signing_key).toBeUndefined();
    const html = String(
      await Layout({
        site: SAMPLE_SITE,
        sections: [],
        meta: { title: 'T', description: 'D' },
        children: 'body',
      }),
    );
    expect(html).toContain('<script src="/assets/offline.js"');
    expect(html).not.toContain(SIGNING_KEY_META);
  });

  it('renders the offline page in the site layout with every other address and a place for the kept articles', async () => {
    const response = await get(MIRROR, '/offline');
    expect(response.headers.get('Cache-Control')).toBe(CACHE_POLICY.listPage);
    const html = await response.text();
    expect(html).toContain(`<ul class="offline-articles">${OFFLINE_ARTICLES_MARKER}</ul>`);
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    const footer = textOf(elementsByTag(parseHtml(html), 'footer')[0]);
    for (const host of [PRIMARY, 'presstv.example', MIRROR]) expect(footer).toContain(host);
  });
});
