// Feeds as feed readers see them: parsed with a real XML parser (JSON.parse for JSON Feed) and
// checked for structure, identity across hosts, caching and injection safety.
import { beforeAll, describe, expect, it } from 'vitest';
import { sectionFamily } from '../../../src/config/site-config';
import { compileContent } from '../../../src/content/compile';
import { CACHE_POLICY, FEED_MAX_AGE_SECONDS } from '../../../src/http/cache-policy';
import { ORIGIN_PLACEHOLDER } from '../../../src/sites/origin-placeholder';
import { collectTerms, TERM_KINDS, termPath } from '../../../src/taxonomy/terms';
import { repositoryContent } from '../../support/content';
import { publishSample } from '../../support/publish';
import { cacheStatus, get, kvReads, MIRROR, PRIMARY } from '../../support/request';
import { childrenNamed, descendants, onlyChild, parseXml, type XmlNode } from '../../support/xml';

const content = compileContent(repositoryContent());
const SECTIONS = content.site.sections.map((s) => s.slug);
const FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
type FeedFile = (typeof FILES)[number];

const RFC_822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const URL_ATTRIBUTE = /\s(?:href|src)="([^"]*)"/g;

/** What any feed reader needs from one item, whatever the format. */
interface ParsedItem {
  guid: string;
  title: string;
  url: string;
  contentHtml: string;
  dates: string[];
  image: string | undefined;
}

interface ParsedFeed {
  selfUrl: string | undefined;
  items: ParsedItem[];
  dates: string[];
}

function parseRss(text: string): ParsedFeed {
  const channel = onlyChild(parseXml(text), 'channel');
  const self = childrenNamed(channel, 'atom:link').find((l) => l.attributes.rel === 'self');
  return {
    selfUrl: self?.attributes.href,
    dates: [onlyChild(channel, 'lastBuildDate').text],
    items: childrenNamed(channel, 'item').map((item) => {
      const guid = onlyChild(item, 'guid');
      expect(guid.attributes.isPermaLink).toBe('false');
      return {
        guid: guid.text,
        title: onlyChild(item, 'title').text,
        url: onlyChild(item, 'link').text,
        contentHtml: onlyChild(item, 'content:encoded').text,
        dates: [onlyChild(item, 'pubDate').text],
        image: childrenNamed(item, 'media:content')[0]?.attributes.url,
      };
    }),
  };
}

function parseAtom(text: string): ParsedFeed {
  const feed = parseXml(text);
  const links = (node: XmlNode, rel: string) =>
    childrenNamed(node, 'link').filter((l) => l.attributes.rel === rel);
  return {
    selfUrl: links(feed, 'self')[0]?.attributes.href,
    dates: [onlyChild(feed, 'updated').text],
    items: childrenNamed(feed, 'entry').map((entry) => {
      const content = onlyChild(entry, 'content');
      expect(content.attributes.type).toBe('html');
      for (const category of childrenNamed(entry, 'category')) expect(category.attributes.term).toBeTruthy();
      return {
        guid: onlyChild(entry, 'id').text,
        title: onlyChild(entry, 'title').text,
        url: links(entry, 'alternate')[0]?.attributes.href ?? '',
        contentHtml: content.text,
        dates: [onlyChild(entry, 'published').text, onlyChild(entry, 'updated').text],
        image: links(entry, 'enclosure')[0]?.attributes.href,
      };
    }),
  };
}

interface JsonFeed {
  version: string;
  feed_url: string;
  language: string;
  authors: { name: string }[];
  hubs?: { type: string; url: string }[];
  items: {
    id: string;
    url: string;
    title: string;
    content_html: string;
    summary: string;
    image?: string;
    date_published: string;
    date_modified?: string;
    authors: { name: string }[];
    tags: string[];
  }[];
}

function parseJsonFeed(text: string): ParsedFeed {
  const feed = JSON.parse(text) as JsonFeed;
  expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
  return {
    selfUrl: feed.feed_url,
    dates: [],
    items: feed.items.map((item) => ({
      guid: item.id,
      title: item.title,
      url: item.url,
      contentHtml: item.content_html,
      dates: [item.date_published, ...(item.date_modified ? [item.date_modified] : [])],
      image: item.image,
    })),
  };
}

const PARSERS: Record<FeedFile, (text: string) => ParsedFeed> = {
  'rss.xml': parseRss,
  'atom.xml': parseAtom,
  'feed.json': parseJsonFeed,
};

const DATE_FORMATS: Record<FeedFile, RegExp> = {
  'rss.xml': RFC_822,
  'atom.xml': RFC_3339,
  'feed.json': RFC_3339,
};

const CONTENT_TYPES: Record<FeedFile, string> = {
  'rss.xml': 'application/rss+xml; charset=UTF-8',
  'atom.xml': 'application/atom+xml; charset=UTF-8',
  'feed.json': 'application/feed+json; charset=UTF-8',
};

function allFeedPaths(): string[] {
  return ['', ...SECTIONS.map((slug) => `/section/${slug}`)].flatMap((base) =>
    FILES.map((f) => `${base}/${f}`),
  );
}

async function fetchFeed(host: string, path: string): Promise<{ text: string; feed: ParsedFeed }> {
  const response = await get(host, path);
  expect(response.status, path).toBe(200);
  const file = FILES.find((f) => path.endsWith(f)) as FeedFile;
  expect(response.headers.get('Content-Type')).toBe(CONTENT_TYPES[file]);
  const text = await response.text();
  return { text, feed: PARSERS[file](text) };
}

/** The article id at the end of a `tag:` GUID. */
function idOf(guid: string): number {
  return Number(guid.slice(guid.lastIndexOf(':') + 1));
}

describe('feeds of the published sample content', () => {
  beforeAll(async () => {
    await publishSample();
  });

  it('carries every published article once, and no draft, in each site feed', async () => {
    const published = content.articles.map((a) => a.guid).sort();
    expect(published).toHaveLength(15);
    for (const file of FILES) {
      const { feed } = await fetchFeed(PRIMARY, `/${file}`);
      const guids = feed.items.map((item) => item.guid);
      expect(new Set(guids).size, file).toBe(guids.length);
      expect([...guids].sort(), file).toEqual(published);
      expect(guids.map(idOf), file).not.toContain(676063);
    }
  });

  it('keeps GUIDs identical across hosts while every link names the request host', async () => {
    for (const path of allFeedPaths()) {
      const primary = await fetchFeed(PRIMARY, path);
      const mirror = await fetchFeed(MIRROR, path);
      expect(mirror.feed.items.map((i) => i.guid)).toEqual(primary.feed.items.map((i) => i.guid));
      for (const [host, { text, feed }] of [
        [PRIMARY, primary],
        [MIRROR, mirror],
      ] as const) {
        expect(feed.selfUrl, path).toBe(`https://${host}${path}`);
        expect(text).not.toContain(ORIGIN_PLACEHOLDER);
        for (const item of feed.items) {
          expect(item.guid).toMatch(/^tag:presstv\.ir,\d{4}-\d{2}-\d{2}:\d+$/);
          expect(item.url.startsWith(`https://${host}/Detail/`), item.url).toBe(true);
        }
      }
    }
  });

  it('writes RFC 822 dates in RSS and RFC 3339 dates in Atom and JSON Feed', async () => {
    for (const path of allFeedPaths()) {
      const file = FILES.find((f) => path.endsWith(f)) as FeedFile;
      const { feed } = await fetchFeed(PRIMARY, path);
      for (const date of [...feed.dates, ...feed.items.flatMap((i) => i.dates)]) {
        expect(date, path).toMatch(DATE_FORMATS[file]);
        expect(Number.isNaN(Date.parse(date))).toBe(false);
      }
    }
  });

  it('carries full content and the lead image with absolute URLs on the request host', async () => {
    for (const path of allFeedPaths()) {
      const { text, feed } = await fetchFeed(MIRROR, path);
      expect(XML_ILLEGAL.test(text), path).toBe(false);
      for (const item of feed.items) {
        expect(item.contentHtml.length).toBeGreaterThan(200);
        for (const [, url] of item.contentHtml.matchAll(URL_ATTRIBUTE)) {
          expect(url, `${path} ${item.guid}`).toMatch(/^(https?:|mailto:)/);
        }
        expect(item.image, item.guid).toMatch(
          new RegExp(`^https://${MIRROR.replaceAll('.', '\\.')}/images/`),
        );
        expect(item.contentHtml).toContain(`<img src="${item.image}"`);
      }
    }
  });

  it('puts in a section feed only that section, with its child sections', async () => {
    for (const slug of SECTIONS) {
      const family = sectionFamily(content.site, slug);
      const expected = content.articles.filter((a) => family.has(a.section)).map((a) => a.id);
      for (const file of FILES) {
        const { feed } = await fetchFeed(PRIMARY, `/section/${slug}/${file}`);
        expect(feed.items.map((i) => idOf(i.guid)).sort(), `${slug} ${file}`).toEqual(expected.sort());
      }
    }
    expect(sectionFamily(content.site, 'news').size).toBeGreaterThan(1);
  });

  it('describes the feed: language, ttl matching Cache-Control, media credit, bylines, JSON Feed 1.1 authors', async () => {
    const channel = onlyChild(parseXml(await (await get(PRIMARY, '/rss.xml')).text()), 'channel');
    expect(onlyChild(channel, 'language').text).toBe('en');
    expect(Number(onlyChild(channel, 'ttl').text) * 60).toBe(FEED_MAX_AGE_SECONDS);
    const credited = childrenNamed(channel, 'item')
      .flatMap((item) => childrenNamed(item, 'media:content'))
      .filter((media) => childrenNamed(media, 'media:credit').length === 1);
    expect(credited.length).toBeGreaterThan(0);
    for (const item of childrenNamed(channel, 'item')) {
      expect(onlyChild(item, 'dc:creator').text).not.toBe('');
      expect(childrenNamed(item, 'author')).toHaveLength(0);
    }
    expect(parseXml(await (await get(PRIMARY, '/atom.xml')).text()).attributes['xml:lang']).toBe('en');
    const json = JSON.parse(await (await get(PRIMARY, '/feed.json')).text()) as JsonFeed;
    expect(json.language).toBe('en');
    expect(json.authors[0]?.name).toBe('Press TV');
    expect(json.items.every((item) => item.authors.length === 1 && item.tags.length > 0)).toBe(true);
  });

  it('answers a repeat request from the edge cache with identical bytes and one KV read on the miss', async () => {
    // presstv.example is requested nowhere else in this file, so its first request is a miss.
    const first = await get('presstv.example', '/section/economy/atom.xml');
    expect(cacheStatus(first)).toBe('miss');
    expect(kvReads(first)).toBe(1);
    const second = await get('presstv.example', '/section/economy/atom.xml');
    expect(cacheStatus(second)).toBe('hit');
    expect(kvReads(second)).toBe(0);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(second.headers.get('Cache-Control')).toBe(CACHE_POLICY.feed);
    expect(first.headers.get('Cache-Control')).toBe(CACHE_POLICY.feed);
  });

  it('answers 304 to its own ETag and Last-Modified', async () => {
    const fresh = await get(MIRROR, '/feed.json');
    const etag = fresh.headers.get('ETag');
    const lastModified = fresh.headers.get('Last-Modified');
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(lastModified).toBeTruthy();
    const byTag = await get(MIRROR, '/feed.json', { 'If-None-Match': etag ?? '' });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    expect(byTag.headers.get('Cache-Control')).toBe(CACHE_POLICY.feed);
    const byDate = await get(MIRROR, '/feed.json', { 'If-Modified-Since': lastModified ?? '' });
    expect(byDate.status).toBe(304);
  });

  it('gives each host its own ETag, since the bytes name the host', async () => {
    const onPrimary = await get(PRIMARY, '/rss.xml');
    const onMirror = await get(MIRROR, '/rss.xml');
    expect(onPrimary.headers.get('ETag')).not.toBe(onMirror.headers.get('ETag'));
  });

  it('answers an unknown section feed with 404 in the feed format family', async () => {
    for (const file of ['rss.xml', 'atom.xml'] as const) {
      const response = await get(PRIMARY, `/section/no-such-section/${file}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('Content-Type')).toBe('application/xml; charset=UTF-8');
      const error = parseXml(await response.text());
      expect(error.name).toBe('error');
      expect(onlyChild(error, 'code').text).toMatch(/not_found$/);
    }
    const json = await get(PRIMARY, '/section/no-such-section/feed.json');
    expect(json.status).toBe(404);
    expect(json.headers.get('Content-Type')).toBe('application/json; charset=UTF-8');
    expect((JSON.parse(await json.text()) as { error: { code: string } }).error.code).toMatch(/not_found$/);
    expect(kvReads(json)).toBe(0);
  });

  it('lists every feed in the OPML file, absolute on the request host', async () => {
    const response = await get(MIRROR, '/feeds.opml');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/xml; charset=UTF-8');
    expect(response.headers.get('ETag')).toBeTruthy();
    const opml = parseXml(await response.text());
    expect(opml.attributes.version).toBe('2.0');
    const feeds = descendants(onlyChild(opml, 'body')).filter((node) => node.attributes.xmlUrl);
    // The site's and sections' feeds, then those of every tag and author in use.
    const termPaths = TERM_KINDS.flatMap((kind) =>
      [...collectTerms(content.articles, kind).keys()].flatMap((slug) =>
        FILES.map((file) => `${termPath(kind, slug)}/${file}`),
      ),
    );
    expect(termPaths.length).toBeGreaterThan(100);
    expect(feeds.map((node) => node.attributes.xmlUrl).sort()).toEqual(
      [...allFeedPaths(), ...termPaths].map((path) => `https://${MIRROR}${path}`).sort(),
    );
    for (const node of feeds) expect(node.attributes.type).toBe('rss');
  });

  it('advertises the site feeds and the section feeds for autodiscovery', async () => {
    const html = await (await get(PRIMARY, '/section/russia')).text();
    const expected: [string, string][] = [
      ['application/rss+xml', '/rss.xml'],
      ['application/atom+xml', '/section/russia/atom.xml'],
      ['application/feed+json', '/section/russia/feed.json'],
    ];
    for (const [type, href] of expected) {
      expect(html).toMatch(
        new RegExp(`<link rel="alternate" type="${type.replace('+', '\\+')}"[^>]* href="${href}"`),
      );
    }
  });
});
