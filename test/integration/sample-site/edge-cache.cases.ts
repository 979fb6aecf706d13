// The edge cache in front of content routes: a hit costs no KV read, a miss exactly one, and the
// key separates hosts, content versions and code versions.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeCacheKey } from '../../../src/http/content-cache';
import { computeEtag } from '../../../src/http/validators';
import { sha256Hex } from '../../../src/shared/digest';
import type { Site } from '../../../src/sites/site-middleware';
import { publishSample } from '../../support/publish';
import { cacheStatus, fetchWithBindings, get, kvReads, MIRROR, PRIMARY } from '../../support/request';

const ARTICLE =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';

/** Requests until the previous miss's cache.put (run in waitUntil) has landed; bounded. */
async function getCached(host: string, path: string, headers: Record<string, string> = {}) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await get(host, path, headers);
    if (cacheStatus(response) === 'hit') return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path} never became a cache hit`);
}

beforeAll(async () => {
  await publishSample();
  // Warm the isolate's manifest memo, so reads below are the route's own.
  await (await get(PRIMARY, '/section/economy')).arrayBuffer();
});

describe('edge cache', () => {
  it('renders a first request with one KV read and serves repeats with none', async () => {
    for (const path of ['/', '/section/news', ARTICLE]) {
      const miss = await get(PRIMARY, path);
      expect(miss.status).toBe(200);
      expect(cacheStatus(miss)).toBe('miss');
      expect(kvReads(miss)).toBe(1);
      const body = await miss.text();

      const hit = await getCached(PRIMARY, path);
      expect(kvReads(hit)).toBe(0);
      expect(hit.headers.get('ETag')).toBe(miss.headers.get('ETag'));
      expect(await hit.text()).toBe(body);
    }
  });

  it('keeps each host its own entry', async () => {
    await (await getCached(PRIMARY, '/section/sport')).arrayBuffer();
    const mirror = await get(MIRROR, '/section/sport');
    expect(cacheStatus(mirror)).toBe('miss');
    expect(kvReads(mirror)).toBe(1);
  });

  it('answers a matching If-None-Match with 304 from the cache, no body and the validators', async () => {
    const first = await getCached(PRIMARY, ARTICLE);
    const etag = first.headers.get('ETag') ?? '';
    await first.arrayBuffer();
    const response = await get(PRIMARY, ARTICLE, { 'If-None-Match': etag });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe('');
    expect(response.headers.get('ETag')).toBe(etag);
    expect(response.headers.get('Cache-Control')).toContain('max-age');
    expect(kvReads(response)).toBe(0);
  });

  it('prefers a stale If-None-Match over a matching If-Modified-Since', async () => {
    const response = await get(PRIMARY, ARTICLE, {
      'If-None-Match': '"stale"',
      'If-Modified-Since': 'Thu, 01 Jan 2099 00:00:00 GMT',
    });
    expect(response.status).toBe(200);
  });

  it('sends the page for an If-Modified-Since that is not an HTTP-date, however far ahead', async () => {
    const response = await get(PRIMARY, ARTICLE, { 'If-Modified-Since': '2100' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<h1');
  });

  it('puts the host, content version and code version in the key, and only listed query parameters', () => {
    const site = { origin: `https://${MIRROR}`, manifest: { version: 'c0ffee' } } as Site;
    const key = edgeCacheKey(site, 'deploy-7', `https://${PRIMARY}/section/news?page=2&utm=x`, ['page']);
    expect(key).toBe(`https://${MIRROR}/_cache/c0ffee.deploy-7/section/news?page=2`);
    expect(edgeCacheKey(site, 'deploy-8', `https://${PRIMARY}/`)).not.toBe(
      edgeCacheKey(site, 'deploy-7', `https://${PRIMARY}/`),
    );
  });

  describe('ETags of stored bodies (feeds, API bodies)', () => {
    const FEED_KEY = 'feed:v1:site:rss';
    let caches = 0;
    /** A fresh render: a cache of its own, isolate memory off, so every request is a miss. */
    const render = (host: string, headers: Record<string, string> = {}) =>
      fetchWithBindings(new Request(`https://${host}/rss.xml`, { headers }), {
        EDGE_CACHE_NAME: `etag-test-${caches++}`,
        EDGE_MEMORY_CACHE_BYTES: '0',
      });

    it('is the same on every render, answers If-None-Match with 304 on a miss, and differs per host', async () => {
      const first = await render(MIRROR);
      const second = await render(MIRROR);
      expect([cacheStatus(first), cacheStatus(second)]).toEqual(['miss', 'miss']);
      const etag = first.headers.get('ETag') ?? '';
      expect(etag).toMatch(/^"[0-9a-f]{24}"$/);
      expect(second.headers.get('ETag')).toBe(etag);
      expect(await second.text()).toBe(await first.text());
      const conditional = await render(MIRROR, { 'If-None-Match': etag });
      expect([conditional.status, kvReads(conditional)]).toEqual([304, 1]);
      expect(conditional.headers.get('ETag')).toBe(etag);
      expect((await render(PRIMARY)).headers.get('ETag')).not.toBe(etag);
    });

    it('changes exactly when the stored bytes change, and is hashed from the body when no hash is stored', async () => {
      const stored = await env.ARTICLES.getWithMetadata<{ hash: string; gen: number }>(FEED_KEY, 'text');
      const original = stored.value ?? '';
      const metadata = stored.metadata ?? { hash: '', gen: 0 };
      const before = (await render(MIRROR)).headers.get('ETag');
      try {
        // Other bytes, stored as publish stores them (their hash in metadata): another ETag.
        const edited = original.replace('</channel>', '<!-- edited --></channel>');
        await env.ARTICLES.put(FEED_KEY, edited, {
          metadata: { ...metadata, hash: await sha256Hex(edited) },
        });
        const after = await render(MIRROR);
        expect(await after.text()).toContain('<!-- edited -->');
        expect(after.headers.get('ETag')).not.toBe(before);
        // A value written without metadata: the ETag is the SHA-256 of the bytes sent.
        await env.ARTICLES.put(FEED_KEY, original);
        const unhashed = await render(MIRROR);
        const bytes = await unhashed.arrayBuffer();
        expect(unhashed.headers.get('ETag')).toBe(await computeEtag(bytes));
      } finally {
        await env.ARTICLES.put(FEED_KEY, original, { metadata });
      }
      expect((await render(MIRROR)).headers.get('ETag')).toBe(before);
    });
  });
});
