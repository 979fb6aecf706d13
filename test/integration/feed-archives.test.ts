// Archived feeds (RFC 5005 §4) through the worker: a reader walks from each subscription feed back
// through prev-archive (JSON Feed: next_url) to the first article, meets every article exactly once,
// and finds every closed archive document unchanged, byte for byte, after newer articles are published.
import { beforeAll, describe, expect, it } from 'vitest';
import { sectionFamily } from '../../src/config/site-config';
import { type ContentInput, compileContent } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';
import { FEED_FORMATS, type FeedFormat } from '../../src/feeds/feed-formats';
import { HISTORY_NAMESPACE } from '../../src/feeds/feed-history';
import { CACHE_POLICY } from '../../src/http/cache-policy';
import { ORIGIN_PLACEHOLDER } from '../../src/sites/origin-placeholder';
import { FEED_ARCHIVE_SIZE } from '../../src/storage/list-shards';
import { repositoryContent } from '../support/content';
import { readXmlFeed } from '../support/feed-checks';
import { publish } from '../support/publish';
import { fetchWorker, get as getMemoised, kvReads, MIRROR, PRIMARY } from '../support/request';
import { childrenNamed, type XmlNode } from '../support/xml';

const SECTION_CYCLE = ['news', 'russia', 'middle-east', 'economy', 'science', 'sport'];
const FIRST_SYNTHETIC_ID = 2_000_001;

/** `count` plain articles dated before every real one (a day apart from 2020-01-01), ids from `firstId`. */
function syntheticArticles(count: number, firstId: number, startMs: number): SourceFile[] {
  return Array.from({ length: count }, (_, i) => {
    const id = firstId + i;
    const published = new Date(startMs + i * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const text = [
      '---',
      `id: ${id}`,
      `title: Archive test report number ${id}`,
      `section: ${SECTION_CYCLE[i % SECTION_CYCLE.length]}`,
      `published: ${published}`,
      'tags: [Archive]',
      '---',
      '',
      `Report ${id} says what happened, with [the section](/section/news) linked.`,
      '',
    ].join('\n');
    return { path: `content/articles/synthetic/${id}.md`, text };
  });
}

function withArticles(input: ContentInput, extra: SourceFile[]): ContentInput {
  return { ...input, articles: [...input.articles, ...extra] };
}

const BASE = withArticles(
  repositoryContent(),
  syntheticArticles(120, FIRST_SYNTHETIC_ID, Date.UTC(2019, 0, 1)),
);
/** One article newer than everything: no archive bucket closes (135 → 136 site articles). */
const ONE_NEWER = withArticles(BASE, syntheticArticles(1, 3_000_001, Date.UTC(2024, 0, 1)));
/** Enough newer articles that the site's and several sections' open buckets close. */
const MANY_NEWER = withArticles(BASE, syntheticArticles(30, 3_000_001, Date.UTC(2024, 0, 1)));

const SCOPES = ['', '/section/news', '/section/economy', '/section/sport'] as const;

function expectedGuids(input: ContentInput, scope: string): string[] {
  const content = compileContent(input);
  const slug = scope.replace('/section/', '');
  const family = scope === '' ? undefined : sectionFamily(content.site, slug);
  return content.articles.filter((a) => family === undefined || family.has(a.section)).map((a) => a.guid);
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const RFC_822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** One document of a walk, as a feed reader reads it. */
interface WalkedDocument {
  url: string;
  body: string;
  guids: string[];
  links: Partial<Record<'self' | 'current' | 'prev-archive' | 'next-archive', string>>;
  archived: boolean;
}

const get = (url: string) => fetchWorker(url);

/** The checks every served feed passes, for any document of a walk: the same as the site feeds'. */
function xmlDocument(url: string, body: string, itemName: 'entry' | 'item'): { root: XmlNode } {
  const { root, found } = readXmlFeed(body);
  expect(found, url).toEqual([]);
  if (!root) throw new Error(`${url} does not parse`);
  expect(body, url).not.toContain(ORIGIN_PLACEHOLDER);
  const container = itemName === 'item' ? (childrenNamed(root, 'channel')[0] ?? root) : root;
  for (const item of childrenNamed(container, itemName)) {
    expect(childrenNamed(item, 'title'), url).toHaveLength(1);
    const html =
      itemName === 'item'
        ? (childrenNamed(item, 'content:encoded')[0]?.text ?? '')
        : (childrenNamed(item, 'content')[0]?.text ?? '');
    for (const [, link] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      expect(link, url).toMatch(/^(https?:|mailto:)/);
    }
  }
  return { root };
}

function readAtom(url: string, body: string): WalkedDocument {
  const { root } = xmlDocument(url, body, 'entry');
  expect(root.name).toBe('feed');
  expect(childrenNamed(root, 'updated')[0]?.text).toMatch(RFC_3339);
  const entries = childrenNamed(root, 'entry');
  for (const entry of entries) {
    for (const date of ['published', 'updated'])
      expect(childrenNamed(entry, date)[0]?.text).toMatch(RFC_3339);
    const alternate = childrenNamed(entry, 'link').find((l) => l.attributes.rel === 'alternate');
    expect(alternate?.attributes.href?.startsWith(`${new URL(url).origin}/Detail/`), url).toBe(true);
  }
  return {
    url,
    body,
    guids: entries.map((e) => childrenNamed(e, 'id')[0]?.text ?? ''),
    links: Object.fromEntries(childrenNamed(root, 'link').map((l) => [l.attributes.rel, l.attributes.href])),
    archived: childrenNamed(root, 'fh:archive').length === 1,
  };
}

function readRss(url: string, body: string): WalkedDocument {
  const { root } = xmlDocument(url, body, 'item');
  expect(root.name).toBe('rss');
  const channel = childrenNamed(root, 'channel')[0];
  if (!channel) throw new Error(`${url} has no channel`);
  const items = childrenNamed(channel, 'item');
  for (const item of items) {
    expect(childrenNamed(item, 'pubDate')[0]?.text).toMatch(RFC_822);
    expect(childrenNamed(item, 'guid')[0]?.attributes.isPermaLink).toBe('false');
    expect(childrenNamed(item, 'link')[0]?.text.startsWith(`${new URL(url).origin}/Detail/`), url).toBe(true);
  }
  return {
    url,
    body,
    guids: items.map((i) => childrenNamed(i, 'guid')[0]?.text ?? ''),
    links: Object.fromEntries(
      childrenNamed(channel, 'atom:link').map((l) => [l.attributes.rel, l.attributes.href]),
    ),
    archived: childrenNamed(channel, 'fh:archive').length === 1,
  };
}

interface JsonFeedPage {
  version: string;
  feed_url: string;
  next_url?: string;
  items: { id: string; url: string; date_published: string }[];
}

function readJson(url: string, body: string): WalkedDocument {
  const feed = JSON.parse(body) as JsonFeedPage;
  expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
  expect(body).not.toContain(ORIGIN_PLACEHOLDER);
  for (const item of feed.items) {
    expect(item.date_published).toMatch(RFC_3339);
    expect(item.url.startsWith(`${new URL(url).origin}/Detail/`), url).toBe(true);
  }
  return {
    url,
    body,
    guids: feed.items.map((i) => i.id),
    // JSON Feed has one paging link, next_url, pointing at older items: the walk's prev-archive.
    links: { self: feed.feed_url, ...(feed.next_url && { 'prev-archive': feed.next_url }) },
    archived: url.includes('/archive/'),
  };
}

const READERS: Record<FeedFormat, (url: string, body: string) => WalkedDocument> = {
  atom: readAtom,
  rss: readRss,
  json: readJson,
};

/** Follows prev-archive from the subscription feed to the document that has none. */
async function walk(host: string, scope: string, format: FeedFormat): Promise<WalkedDocument[]> {
  const documents: WalkedDocument[] = [];
  let url: string | undefined = `https://${host}${scope}/${FEED_FORMATS[format].file}`;
  while (url) {
    const response = await get(url);
    expect(response.status, url).toBe(200);
    expect(response.headers.get('Content-Type')).toBe(`${FEED_FORMATS[format].mediaType}; charset=UTF-8`);
    const document = READERS[format](url, await response.text());
    documents.push(document);
    url = document.links['prev-archive'];
    expect(documents.length, 'the walk ends').toBeLessThan(50);
  }
  return documents;
}

/** Every closed archive document of the sample scopes, in every format, on the primary. */
async function archiveBodies(): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  for (const scope of SCOPES) {
    for (const format of ['atom', 'rss', 'json'] as const) {
      for (const doc of (await walk(PRIMARY, scope, format)).slice(1)) bodies.set(doc.url, doc.body);
    }
  }
  return bodies;
}

describe('archived feeds (RFC 5005)', () => {
  beforeAll(async () => {
    await publish(BASE);
  });

  it('walks each Atom feed back through prev-archive to the first article, every article once', async () => {
    for (const host of [PRIMARY, MIRROR]) {
      for (const scope of SCOPES) {
        const documents = await walk(host, scope, 'atom');
        const expected = expectedGuids(BASE, scope);
        const walked = documents.flatMap((d) => d.guids);
        expect(walked, `${host}${scope}`).toEqual(expected);
        expect(new Set(walked).size).toBe(walked.length);
        const [subscription, ...archives] = documents;
        if (!subscription) throw new Error('no subscription document');
        const current = `https://${host}${scope}/atom.xml`;
        expect(subscription.archived).toBe(false);
        expect(subscription.links.self).toBe(current);
        expect(subscription.body).not.toContain(HISTORY_NAMESPACE);
        expect(archives.length).toBe(Math.max(0, Math.ceil(expected.length / FEED_ARCHIVE_SIZE) - 2));
        archives.forEach((archive, at) => {
          const number = archives.length - at;
          expect(archive.archived, archive.url).toBe(true);
          expect(archive.url).toBe(`https://${host}${scope}/archive/${number}/atom.xml`);
          expect(archive.links.self).toBe(archive.url);
          expect(archive.links.current).toBe(current);
          expect(archive.links['next-archive']).toBe(
            `https://${host}${scope}/archive/${number + 1}/atom.xml`,
          );
          expect(archive.guids).toHaveLength(FEED_ARCHIVE_SIZE);
          expect(archive.body).toContain(`xmlns:fh="${HISTORY_NAMESPACE}"`);
          // Immutable documents name no hosts list and no hub: those change without the articles.
          expect(archive.body).not.toContain('mw:mirrors');
        });
      }
    }
  });

  it('walks each RSS feed through atom:link prev-archive, with the same articles as Atom', async () => {
    for (const scope of SCOPES) {
      const rss = await walk(MIRROR, scope, 'rss');
      expect(rss.flatMap((d) => d.guids)).toEqual(expectedGuids(BASE, scope));
      const [subscription, ...archives] = rss;
      expect(subscription?.archived).toBe(false);
      expect(subscription?.body).toMatch(/<ttl>\d+<\/ttl>/);
      for (const archive of archives) {
        expect(archive.archived).toBe(true);
        expect(archive.links.self).toBe(archive.url);
        expect(archive.links.current).toBe(`https://${MIRROR}${scope}/rss.xml`);
        expect(archive.links['next-archive']).toMatch(
          new RegExp(`^https://${MIRROR}${scope}/archive/\\d+/rss\\.xml$`),
        );
        expect(archive.body).not.toContain('<ttl>');
      }
    }
  });

  it('pages each JSON Feed through next_url, every page naming the subscription feed', async () => {
    for (const scope of SCOPES) {
      const pages = await walk(MIRROR, scope, 'json');
      expect(pages.flatMap((d) => d.guids)).toEqual(expectedGuids(BASE, scope));
      for (const page of pages) expect(page.links.self).toBe(`https://${MIRROR}${scope}/feed.json`);
      expect(pages.at(-1)?.links['prev-archive']).toBeUndefined();
      for (const page of pages.slice(1)) expect(page.body).not.toContain('_mirrorwire');
    }
  });

  it('serves an archive document immutable for a year, with an ETag that answers 304', async () => {
    const url = `https://${MIRROR}/archive/1/atom.xml`;
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('Cache-Control')).toBe(CACHE_POLICY.feedArchive);
    expect(first.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await fetchWorker(new Request(url, { headers: { 'If-None-Match': etag ?? '' } }));
    expect(again.status).toBe(304);
    expect(again.headers.get('Cache-Control')).toBe(CACHE_POLICY.feedArchive);
    const elsewhere = await get(`https://${PRIMARY}/archive/1/atom.xml`);
    expect(elsewhere.headers.get('ETag')).not.toBe(etag);
    expect(await elsewhere.text()).toBe(
      (await first.text()).replaceAll(`https://${MIRROR}`, `https://${PRIMARY}`),
    );
  });

  it('redirects a bucket still in the subscription feed to it on the request host, and 404s past it', async () => {
    const siteArticles = expectedGuids(BASE, '').length;
    const buckets = Math.ceil(siteArticles / FEED_ARCHIVE_SIZE);
    for (const archive of [buckets - 1, buckets]) {
      // The manifest memo in front (as in production): the answer itself costs no read at all.
      const response = await getMemoised(MIRROR, `/archive/${archive}/feed.json`);
      expect(response.status).toBe(302);
      expect(response.headers.get('Location')).toBe(`https://${MIRROR}/feed.json`);
      expect(kvReads(response)).toBe(0);
    }
    for (const path of [
      `/archive/${buckets + 1}/atom.xml`,
      '/archive/0/atom.xml',
      '/archive/01/atom.xml',
      '/section/no-such-section/archive/1/rss.xml',
    ]) {
      const response = await get(`https://${MIRROR}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('Content-Type')).toBe('application/xml; charset=UTF-8');
    }
  });

  it('keeps every closed archive byte-identical, and rewrites none, when newer articles are published', async () => {
    const before = await archiveBodies();
    expect(before.size).toBeGreaterThan(12);

    const oneNewer = await publish(ONE_NEWER, new Date('2026-01-02T00:00:00Z'));
    // Archive keys are their feed's key plus `:{n}` (feed:v1:site:atom:3).
    const archiveWrites = (result: typeof oneNewer) =>
      result.plan.phases
        .flatMap((p) => [...p.writes].map((w) => w.key))
        .filter((k) => /^feed:v1:.*:\d+$/.test(k));
    expect(archiveWrites(oneNewer)).toEqual([]);
    const afterOne = await archiveBodies();
    expect([...afterOne.keys()]).toEqual([...before.keys()]);
    for (const [url, body] of before) expect(afterOne.get(url), url).toBe(body);

    // Enough articles to close buckets: new archive documents appear, the older ones stay as they were.
    const storedBefore = new Set(oneNewer.records.indexes.keys());
    const many = await publish(MANY_NEWER, new Date('2026-01-03T00:00:00Z'));
    const written = archiveWrites(many);
    expect(written.length).toBeGreaterThan(0);
    for (const key of written) expect(storedBefore.has(key), key).toBe(false);
    const afterMany = await archiveBodies();
    expect(afterMany.size).toBeGreaterThan(before.size);
    for (const [url, body] of before) expect(afterMany.get(url), url).toBe(body);
    for (const scope of SCOPES) {
      const walked = (await walk(MIRROR, scope, 'atom')).flatMap((d) => d.guids);
      expect(walked, scope).toEqual(expectedGuids(MANY_NEWER, scope));
    }
  }, 60_000);
});
