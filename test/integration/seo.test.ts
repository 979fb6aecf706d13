// The search engine surfaces through the worker: robots.txt, the sitemap index and every
// sitemap it lists, and the Google News sitemap, parsed and checked rule by rule.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileContent } from '../../src/content/compile';
import { repositoryArticles } from '../support/content';
import { publish } from '../support/publish';
import { cacheStatus, get, kvReads, MIRROR, PRIMARY } from '../support/request';
import { parseXmlRecord, W3C_DATETIME } from '../support/xml';

/** One sample article of each section beside the fresh ones: the sitemaps list every section page with articles. */
const sampleContent = () => repositoryArticles([675904, 675738, 675790, 675715, 675752]);

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
const HOUR_MS = 3_600_000;

function isoAgo(ms: number): string {
  return new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Two articles around the news window's edge, relative to the real clock the worker reads.
const FRESH_TITLE = 'Markets & "ministers" meet </title><script>alert(1)</script>';
function contentWithFreshArticles() {
  const input = sampleContent();
  const article = (id: number, title: string, published: string) => ({
    path: `content/articles/fresh/${id}.md`,
    text: `---\nid: ${id}\ntitle: '${title.replaceAll("'", "''")}'\nsection: economy\npublished: ${published}\n---\n\nBody of ${id}.\n`,
  });
  input.articles.push(
    article(990001, FRESH_TITLE, isoAgo(HOUR_MS)),
    article(990002, 'Three days old', isoAgo(72 * HOUR_MS)),
  );
  return input;
}

const input = contentWithFreshArticles();
const articles = compileContent(input).articles;

beforeAll(async () => {
  // Published now, like the articles: an article dated after its publish is held back as scheduled.
  await publish(input, new Date());
});

async function fetchXml(host: string, path: string) {
  const response = await get(host, path);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('application/xml; charset=UTF-8');
  return parseXmlRecord(await response.text());
}

function expectOnHost(url: string, host: string) {
  expect(url.startsWith(`https://${host}/`), url).toBe(true);
}

type UrlEntry = { loc: string; lastmod?: string; 'news:news'?: Record<string, unknown> };

describe('robots.txt', () => {
  it('points crawlers at both sitemaps on the host they asked', async () => {
    const response = await get(MIRROR, '/robots.txt');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/plain; charset=UTF-8');
    const text = await response.text();
    expect(text).toContain(`Sitemap: https://${MIRROR}/sitemap.xml`);
    expect(text).toContain(`Sitemap: https://${MIRROR}/news-sitemap.xml`);
    expect(text).not.toContain(PRIMARY);
    expect(text).toMatch(/^User-agent: \*$/m);
  });
});

describe('/sitemap.xml', () => {
  it('is a sitemap index whose sitemaps list every published article once, with its lastmod', async () => {
    const index = await fetchXml(MIRROR, '/sitemap.xml');
    const root = index.sitemapindex as { '@xmlns': string; sitemap: UrlEntry[] };
    expect(root['@xmlns']).toBe(SITEMAP_NS);
    expect(root.sitemap.length).toBeGreaterThan(1);
    expect(root.sitemap.length).toBeLessThanOrEqual(50_000);

    const seen = new Map<string, string | undefined>();
    for (const entry of root.sitemap) {
      expectOnHost(entry.loc, MIRROR);
      expect(entry.lastmod).toMatch(W3C_DATETIME);
      const sitemap = await fetchXml(MIRROR, new URL(entry.loc).pathname);
      const urlset = sitemap.urlset as { '@xmlns': string; url: UrlEntry[] };
      expect(urlset['@xmlns']).toBe(SITEMAP_NS);
      expect(urlset.url.length).toBeGreaterThan(0);
      expect(urlset.url.length).toBeLessThanOrEqual(50_000);
      // The index's lastmod is the newest lastmod of the sitemap it points to.
      const newest = urlset.url
        .map((u) => u.lastmod ?? '')
        .sort()
        .at(-1);
      expect(entry.lastmod).toBe(newest);
      for (const url of urlset.url) {
        expectOnHost(url.loc, MIRROR);
        expect(url.lastmod).toMatch(W3C_DATETIME);
        expect(seen.has(url.loc), `${url.loc} listed twice`).toBe(false);
        seen.set(url.loc, url.lastmod);
      }
    }
    for (const article of articles) {
      expect(seen.get(`https://${MIRROR}${article.path}`)).toBe(article.updated ?? article.published);
    }
    expect(seen.has(`https://${MIRROR}/`)).toBe(true);
    expect(seen.has(`https://${MIRROR}/section/russia`)).toBe(true);
    expect(seen.size).toBe(articles.length + 1 + 6);
  });

  it('groups articles by the month of their address', async () => {
    const sitemap = await fetchXml(PRIMARY, '/sitemaps/2022-01.xml');
    const locs = (sitemap.urlset as { url: UrlEntry[] }).url.map((u) => new URL(u.loc).pathname);
    expect(locs.length).toBeGreaterThan(0);
    for (const path of locs) expect(path.startsWith('/Detail/2022/01/')).toBe(true);
  });

  it('costs one KV read on a miss and none on a hit', async () => {
    const miss = await get(PRIMARY, '/sitemaps/2021-12.xml');
    expect(cacheStatus(miss)).toBe('miss');
    expect(kvReads(miss)).toBeLessThanOrEqual(1);
    const hit = await get(PRIMARY, '/sitemaps/2021-12.xml');
    expect(cacheStatus(hit)).toBe('hit');
    expect(kvReads(hit)).toBe(0);
    expect(await hit.text()).toBe(await miss.text());
  });

  it('answers 404 for a month without articles and for names that cannot exist', async () => {
    expect((await get(PRIMARY, '/sitemaps/1999-01.xml')).status).toBe(404);
    const unknown = await get(PRIMARY, '/sitemaps/secret.xml');
    expect(unknown.status).toBe(404);
    expect(kvReads(unknown)).toBe(0);
  });

  it('keeps each host on its own URLs, with a different ETag per host', async () => {
    const primary = await get(PRIMARY, '/sitemap.xml');
    const mirror = await get(MIRROR, '/sitemap.xml');
    expect(await mirror.text()).not.toContain(PRIMARY);
    expect(await primary.text()).toContain(`https://${PRIMARY}/sitemaps/pages.xml`);
    expect(primary.headers.get('ETag')).not.toBe(mirror.headers.get('ETag'));
  });
});

describe('/news-sitemap.xml', () => {
  it('lists only the articles of the last two days, with Google News fields', async () => {
    const news = await fetchXml(MIRROR, '/news-sitemap.xml');
    const urlset = news.urlset as { '@xmlns': string; '@xmlns:news': string; url?: UrlEntry[] };
    expect(urlset['@xmlns']).toBe(SITEMAP_NS);
    expect(urlset['@xmlns:news']).toBe(NEWS_NS);
    const urls = urlset.url ?? [];
    expect(urls).toHaveLength(1);
    const [entry] = urls;
    const fresh = articles.find((a) => a.id === 990001);
    expect(entry?.loc).toBe(`https://${MIRROR}${fresh?.path}`);
    const item = entry?.['news:news'] as {
      'news:publication': { 'news:name': string; 'news:language': string };
      'news:publication_date': string;
      'news:title': string;
    };
    expect(item['news:publication']['news:name']).toBe('Press TV');
    expect(item['news:publication']['news:language']).toBe('en');
    expect(item['news:publication_date']).toBe(fresh?.published);
    expect(item['news:publication_date']).toMatch(W3C_DATETIME);
    // The parser decodes entities: the title arrives exactly as written.
    expect(item['news:title']).toBe(FRESH_TITLE);
  });

  it('escapes a hostile headline into exactly one title', async () => {
    const body = await (await get(PRIMARY, '/news-sitemap.xml')).text();
    expect(body.match(/<news:title>/g)).toHaveLength(1);
    expect(body).not.toContain('<script>');
  });

  it('is served from the edge cache within a window step', async () => {
    await get(PRIMARY, '/news-sitemap.xml');
    const hit = await get(PRIMARY, '/news-sitemap.xml');
    expect(cacheStatus(hit)).toBe('hit');
    expect(kvReads(hit)).toBe(0);
  });
});

describe('/news-sitemap.xml validators', () => {
  it('dates Last-Modified no earlier than the current window step', async () => {
    const response = await get(MIRROR, '/news-sitemap.xml');
    const lastModified = Date.parse(response.headers.get('Last-Modified') ?? '');
    // The fixture publish is dated 2026-01-01; the window step is now, give or take 15 minutes.
    expect(Date.now() - lastModified).toBeLessThanOrEqual(15 * 60 * 1000 + 1000);
    const again = await get(MIRROR, '/news-sitemap.xml', {
      'If-None-Match': response.headers.get('ETag') ?? '',
    });
    expect(again.status).toBe(304);
  });
});
