// The partner API through the worker's entry point: lists and filters, one article, sections,
// caching and validators, every bad parameter, JSON errors, CORS, partner keys and the rate limit.
import { beforeAll, describe, expect, it } from 'vitest';
import { publishSample } from '../../support/publish';
import { cacheStatus, getWithEnv, kvReads, MIRROR, PRIMARY, partnerAt } from '../../support/request';

const call = partnerAt('198.51.100.20');

interface Item {
  id: number;
  section: string;
  tags: string[];
  url: string;
  canonical_url: string;
  published: string;
  updated: string | null;
  image: { url: string } | null;
}
interface ListBody {
  data: Item[];
  next_cursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; parameter?: string };
}

beforeAll(async () => {
  await publishSample();
});

async function list(path: string): Promise<ListBody> {
  const response = await call(MIRROR, path);
  expect(response.status).toBe(200);
  return response.json();
}

const NEWS_FAMILY = ['news', 'russia', 'middle-east'];

describe('GET /api/v1/articles', () => {
  it('lists the newest articles first, with URLs on the host the request came through', async () => {
    const { data } = await list('/api/v1/articles');
    expect(data).toHaveLength(15);
    const times = data.map((item) => Date.parse(item.published));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const item of data) {
      expect(new URL(item.url).host).toBe(MIRROR);
      expect(new URL(item.canonical_url).host).toBe(PRIMARY);
      if (item.image) expect(new URL(item.image.url).host).toBe(MIRROR);
    }
  });

  it('makes one KV read on a miss and none on a hit', async () => {
    await call(MIRROR, '/api/v1/sections');
    const miss = await call(MIRROR, '/api/v1/articles?limit=3');
    expect([kvReads(miss), cacheStatus(miss)]).toEqual([1, 'miss']);
    const hit = await call(MIRROR, '/api/v1/articles?limit=3');
    expect([kvReads(hit), cacheStatus(hit)]).toEqual([0, 'hit']);
    expect(hit.headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(await hit.text()).toBe(await miss.text());
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const first = await call(MIRROR, '/api/v1/articles?limit=2');
    const etag = first.headers.get('ETag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await call(MIRROR, '/api/v1/articles?limit=2', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // The representation names the host, so another host has another ETag.
    const primary = await call(PRIMARY, '/api/v1/articles?limit=2');
    expect(primary.headers.get('ETag')).not.toBe(etag);
  });

  it('answers HEAD like GET, without a body', async () => {
    const { exports } = await import('cloudflare:workers');
    const response = await exports.default.fetch(`https://${MIRROR}/api/v1/articles?limit=2`, {
      method: 'HEAD',
      headers: { 'CF-Connecting-IP': '198.51.100.20' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/);
    expect(await response.text()).toBe('');
  });

  it('pages with a cursor and a Link to the next page that keeps the filters', async () => {
    const response = await call(MIRROR, '/api/v1/articles?section=news&limit=2');
    const body: ListBody = await response.json();
    expect(body.data).toHaveLength(2);
    const link = /(?:^|, )<([^>]+)>; rel="next"/.exec(response.headers.get('Link') ?? '')?.[1] ?? '';
    const next = new URL(link);
    expect(next.origin).toBe(`https://${MIRROR}`);
    expect(Object.fromEntries(next.searchParams)).toEqual({
      section: 'news',
      limit: '2',
      cursor: body.next_cursor,
    });
    const second = await list(`${next.pathname}${next.search}`);
    expect(second.data.map((i) => i.id)).not.toContain(body.data[0]?.id);
  });

  it('filters by section, child sections included', async () => {
    const { data } = await list('/api/v1/articles?section=news');
    expect(data.length).toBeGreaterThan(0);
    expect(new Set(data.map((i) => i.section))).toEqual(new Set(['russia', 'middle-east']));
    expect(data.every((i) => NEWS_FAMILY.includes(i.section))).toBe(true);
  });

  it('filters by tag whatever its case', async () => {
    const lower = await list('/api/v1/articles?tag=russia');
    const upper = await list('/api/v1/articles?tag=RUSSIA');
    expect(lower.data).toHaveLength(4);
    expect(upper.data.map((i) => i.id)).toEqual(lower.data.map((i) => i.id));
    expect((await list('/api/v1/articles?tag=no-such-tag')).data).toEqual([]);
  });

  it('combines section and tag', async () => {
    const { data } = await list('/api/v1/articles?section=economy&tag=energy');
    expect(data.length).toBeGreaterThan(0);
    for (const item of data) {
      expect(item.section).toBe('economy');
      expect(item.tags.map((t) => t.toLowerCase())).toContain('energy');
    }
  });

  it('lists what changed since a time, most recently modified first', async () => {
    const since = '2022-03-01T00:00:00Z';
    const { data } = await list(`/api/v1/articles?updated_since=${since}`);
    const modified = data.map((i) => Date.parse(i.updated ?? i.published));
    expect(modified.length).toBeGreaterThan(0);
    expect(modified.every((t) => t >= Date.parse(since))).toBe(true);
    expect(modified).toEqual([...modified].sort((a, b) => b - a));
    // An offset is understood (encoded + as %2B): 03:00 at +03:00 is midnight UTC.
    const offset = await list('/api/v1/articles?updated_since=2022-03-01T03:00:00%2B03:00');
    expect(offset.data.map((i) => i.id)).toEqual(data.map((i) => i.id));
  });

  it('includes an updated article by its update time', async () => {
    const { data } = await list('/api/v1/articles?updated_since=2022-01-01T00:00:00Z');
    const updated = data.find((i) => i.id === 676012);
    expect(updated?.updated).not.toBeNull();
  });
});

describe('every bad parameter is a 400 naming it', () => {
  const cases: [string, string][] = [
    ['/api/v1/articles?limit=0', 'limit'],
    ['/api/v1/articles?limit=101', 'limit'],
    ['/api/v1/articles?limit=ten', 'limit'],
    ['/api/v1/articles?limit=1.5', 'limit'],
    ['/api/v1/articles?limit=1&limit=2', 'limit'],
    ['/api/v1/articles?section=News', 'section'],
    ['/api/v1/articles?section=no-such-section', 'section'],
    ['/api/v1/articles?tag=', 'tag'],
    [`/api/v1/articles?tag=${'x'.repeat(101)}`, 'tag'],
    ['/api/v1/articles?updated_since=yesterday', 'updated_since'],
    ['/api/v1/articles?updated_since=2022-13-01T00:00:00Z', 'updated_since'],
    ['/api/v1/articles?updated_since=2022-03-01T00:00:00+03:00', 'updated_since'],
    ['/api/v1/articles?cursor=not%20a%20cursor', 'cursor'],
    ['/api/v1/articles?cursor=e30', 'cursor'],
    ['/api/v1/articles?page=2', 'page'],
    ['/api/v1/articles/abc', 'id'],
    ['/api/v1/articles/0', 'id'],
    ['/api/v1/articles/675904?format=xml', 'format'],
    ['/api/v1/sections?section=news', 'section'],
    ['/api/v1/changes?since=garbage!', 'since'],
    ['/api/v1/changes?since=eyJzIjotMX0', 'since'],
    ['/api/v1/changes?from=1', 'from'],
    // 90 Cyrillic letters: 180 bytes, over the 100 a stored tag may have, so no key can hold it.
    [`/api/v1/articles?tag=${encodeURIComponent('Ж'.repeat(90))}`, 'tag'],
    ['/api/v1/articles?__proto__=1', '__proto__'],
    ['/api/v1/articles?constructor=1', 'constructor'],
    ['/api/v1/articles?toString=1', 'toString'],
    ['/api/v1/articles?limit=5&hasOwnProperty=x', 'hasOwnProperty'],
    ['/api/v1/sections?__proto__=1', '__proto__'],
    ['/api/v1/sections?valueOf=1', 'valueOf'],
    ['/api/v1/changes?__proto__[since]=1', '__proto__[since]'],
    ['/api/v1/articles/675904?__proto__=1', '__proto__'],
    ['/api/v1/openapi.json?constructor=1', 'constructor'],
  ];
  for (const [path, parameter] of cases) {
    it(`refuses ${path.length > 100 ? `${path.slice(0, 100)}…` : path}`, async () => {
      const response = await call(MIRROR, path);
      expect(response.status).toBe(400);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      const body: ErrorBody = await response.json();
      expect(body.error.code).toBe('invalid_parameter');
      expect(body.error.parameter).toBe(parameter);
      expect(body.error.message).toContain(parameter);
    });
  }

  it('refuses a cursor with other filters than it was issued for', async () => {
    const { next_cursor } = await list('/api/v1/articles?section=news&limit=1');
    const response = await call(MIRROR, `/api/v1/articles?section=economy&cursor=${next_cursor}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.parameter).toBe('cursor');
  });
});

describe('GET /api/v1/articles/{id}', () => {
  it('serves the full article on the request host, canonical on the primary', async () => {
    const response = await call(MIRROR, '/api/v1/articles/675904');
    expect(response.status).toBe(200);
    expect(kvReads(response)).toBeLessThanOrEqual(1);
    const { data } = (await response.json()) as { data: Record<string, unknown> };
    expect(Object.keys(data).sort()).toEqual(
      [
        'author',
        'body_html',
        'canonical_url',
        'guid',
        'id',
        'image',
        'published',
        'section',
        'summary',
        'tags',
        'title',
        'updated',
        'url',
      ].sort(),
    );
    expect(data.guid).toBe('tag:presstv.ir,2022-01-18:675904');
    expect(data.url).toBe(
      `https://${MIRROR}/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands`,
    );
    expect(String(data.canonical_url).startsWith(`https://${PRIMARY}/Detail/`)).toBe(true);
    expect(data.body_html).toContain('<p>');
  });

  it('answers 404 in JSON for an id that is not published', async () => {
    for (const id of ['1', '676063', '9999999999999999']) {
      const response = await call(MIRROR, `/api/v1/articles/${id}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorBody).error.code).toBe('not_found');
    }
  });
});

describe('GET /api/v1/sections', () => {
  it('lists every section with its parent and URL, without reading KV', async () => {
    const response = await call(MIRROR, '/api/v1/sections');
    expect(kvReads(response)).toBe(0);
    const { data } = (await response.json()) as { data: Record<string, unknown>[] };
    expect(data[1]).toEqual({
      slug: 'russia',
      title: 'Russia',
      parent: 'news',
      url: `https://${MIRROR}/section/russia`,
    });
  });
});

describe('JSON errors and CORS under /api', () => {
  it('answers unknown paths with 404 in JSON', async () => {
    for (const path of ['/api', '/api/v2/articles', '/api/v1/nothing']) {
      const response = await call(MIRROR, path);
      expect(response.status).toBe(404);
      expect(response.headers.get('Content-Type')).toBe('application/json; charset=UTF-8');
      expect(((await response.json()) as ErrorBody).error.code).toBe('not_found');
    }
  });

  it('answers other methods with 405 in JSON, readable cross-origin', async () => {
    const { exports } = await import('cloudflare:workers');
    const response = await exports.default.fetch(`https://${MIRROR}/api/v1/articles`, {
      method: 'POST',
      headers: { Origin: 'https://partner.example', 'CF-Connecting-IP': '198.51.100.20' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD, OPTIONS');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(((await response.json()) as ErrorBody).error.code).toBe('method_not_allowed');
  });

  it('answers a preflight and exposes Link, ETag and the rate-limit headers', async () => {
    const { exports } = await import('cloudflare:workers');
    const preflight = await exports.default.fetch(`https://${MIRROR}/api/v1/articles`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://partner.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBe('GET,HEAD,OPTIONS');
    expect(preflight.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    const response = await call(MIRROR, '/api/v1/articles?limit=1', { Origin: 'https://partner.example' });
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const exposed = response.headers.get('Access-Control-Expose-Headers')?.split(',') ?? [];
    expect(exposed).toEqual(
      expect.arrayContaining(['Link', 'ETag', 'RateLimit', 'RateLimit-Policy', 'Retry-After']),
    );
  });
});

describe('partner keys', () => {
  const KEYS = { PARTNER_KEYS: 'alpha-key-1, beta-key-2' };

  it('asks for a key when none is sent', async () => {
    const response = await getWithEnv(KEYS, MIRROR, '/api/v1/articles');
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="mirrorwire partner API"');
    expect(((await response.json()) as ErrorBody).error.code).toBe('unauthorized');
  });

  it('refuses a wrong key', async () => {
    for (const authorization of ['Bearer alpha-key', 'Bearer alpha-key-12', 'Basic alpha-key-1']) {
      const response = await getWithEnv(KEYS, MIRROR, '/api/v1/articles', { Authorization: authorization });
      expect(response.status).toBe(401);
    }
    const wrong = await getWithEnv(KEYS, MIRROR, '/api/v1/articles', { Authorization: 'Bearer nope' });
    expect(wrong.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
  });

  it('serves any configured key, privately', async () => {
    for (const key of ['alpha-key-1', 'beta-key-2']) {
      const response = await getWithEnv(KEYS, MIRROR, '/api/v1/articles/675904', {
        Authorization: `Bearer ${key}`,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('Cache-Control')).toBe('private, max-age=60');
    }
  });

  it('never lets a cached response skip the check', async () => {
    const authorized = { Authorization: 'Bearer alpha-key-1' };
    expect((await getWithEnv(KEYS, MIRROR, '/api/v1/sections', authorized)).status).toBe(200);
    const cached = await getWithEnv(KEYS, MIRROR, '/api/v1/sections', authorized);
    expect(cacheStatus(cached)).toBe('hit');
    expect((await getWithEnv(KEYS, MIRROR, '/api/v1/sections')).status).toBe(401);
  });

  it('refuses every key when the secret is set but empty', async () => {
    const response = await getWithEnv({ PARTNER_KEYS: '' }, MIRROR, '/api/v1/sections', {
      Authorization: 'Bearer ',
    });
    expect(response.status).toBe(401);
  });

  it('keeps the OpenAPI document public', async () => {
    expect((await getWithEnv(KEYS, MIRROR, '/api/v1/openapi.json')).status).toBe(200);
  });
});

describe('rate limit', () => {
  function recordingLimiter(success: boolean) {
    const keys: string[] = [];
    return {
      keys,
      API_RATE_LIMITER: {
        async limit({ key }: { key: string }) {
          keys.push(key);
          return { success };
        },
      },
    };
  }

  it('answers 429 with Retry-After and RateLimit headers when the limiter refuses', async () => {
    const { API_RATE_LIMITER } = recordingLimiter(false);
    const response = await getWithEnv({ API_RATE_LIMITER }, MIRROR, '/api/v1/articles');
    expect(response.status).toBe(429);
    expect(response.headers.get('Retry-After')).toBe('60');
    expect(response.headers.get('RateLimit-Policy')).toBe('"partner";q=120;w=60');
    expect(response.headers.get('RateLimit')).toBe('"partner";r=0;t=60');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(((await response.json()) as ErrorBody).error.code).toBe('rate_limited');
  });

  it('counts per client address while open, per key (hashed) behind keys', async () => {
    const open = recordingLimiter(true);
    await getWithEnv({ API_RATE_LIMITER: open.API_RATE_LIMITER }, MIRROR, '/api/v1/sections', {
      'CF-Connecting-IP': '203.0.113.7',
    });
    expect(open.keys).toEqual(['address:203.0.113.7']);

    const keyed = recordingLimiter(true);
    await getWithEnv(
      { API_RATE_LIMITER: keyed.API_RATE_LIMITER, PARTNER_KEYS: 'alpha-key-1' },
      MIRROR,
      '/api/v1/sections',
      { Authorization: 'Bearer alpha-key-1', 'CF-Connecting-IP': '203.0.113.7' },
    );
    expect(keyed.keys).toHaveLength(1);
    expect(keyed.keys[0]).toMatch(/^key:[0-9a-f]{32}$/);
    expect(keyed.keys[0]).not.toContain('alpha');
  });

  it('counts failed key attempts against the address', async () => {
    const limiter = recordingLimiter(false);
    const response = await getWithEnv(
      { API_RATE_LIMITER: limiter.API_RATE_LIMITER, PARTNER_KEYS: 'alpha-key-1' },
      MIRROR,
      '/api/v1/sections',
      { Authorization: 'Bearer guess', 'CF-Connecting-IP': '203.0.113.8' },
    );
    expect(response.status).toBe(429);
    expect(limiter.keys).toEqual(['address:203.0.113.8']);
  });

  // Over a hundred requests: seconds, when other test files share the machine.
  it('is enforced by the Workers rate limiting binding', { timeout: 30_000 }, async () => {
    const flood = partnerAt('203.0.113.99');
    let refused: Response | undefined;
    // 120 a minute; two windows' worth at most in case one ends during the loop.
    for (let sent = 0; sent < 242 && !refused; sent++) {
      const response = await flood(MIRROR, '/api/v1/sections');
      if (response.status === 429) refused = response;
    }
    expect(refused?.headers.get('Retry-After')).toBe('60');
  });
});
