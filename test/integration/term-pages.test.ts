// Tag and author pages and their feeds, through the worker on the primary and a mirror: every tag
// and byline link resolves, pages paginate over fixed buckets, feeds pass the site feeds' checks,
// slugs are readable in any script, and every link stays on the requesting host.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileContent } from '../../src/content/compile';
import { termSlug } from '../../src/taxonomy/term-slug';
import { repositoryContent } from '../support/content';
import { muteExpectedLogLines } from '../support/expected-logs';
import { checkAtomEntry, checkJsonFeedItem, checkRssItem, type ExpectedItem } from '../support/feed-checks';
import { parseHtml } from '../support/html';
import { publish } from '../support/publish';
import { cacheStatus, get, kvReads, MIRROR, PRIMARY } from '../support/request';

const HOSTS = [PRIMARY, MIRROR];
const SECOND_MIRROR = 'presstv.example';
const NOTES = 45;
const FIRST_NOTE = 910_001;
const MULTI_ID = 910_900;
const PERSIAN = 'انرژي هسته اي';
const PERSIAN_SLUG = 'انرژی-هسته-ای';
const CYRILLIC = 'Россия сегодня';
const AUTHORS = ['Jane Doe', 'Алексей Иванов'];

function note(index: number) {
  const day = String(1 + (index % 28)).padStart(2, '0');
  const month = String(1 + Math.floor(index / 28)).padStart(2, '0');
  return {
    path: `content/articles/2023/${month}/${FIRST_NOTE + index}-note.md`,
    text: [
      '---',
      `id: ${FIRST_NOTE + index}`,
      `title: Grain market note number ${index}`,
      'section: economy',
      `published: 2023-${month}-${day}T08:00:00Z`,
      'tags: [Grain notes]',
      'author: Market Desk',
      '---',
      '',
      `Prices moved on day ${index} of the series.`,
      '',
    ].join('\n'),
  };
}

const MULTI = {
  path: `content/articles/2023/06/${MULTI_ID}-multi.md`,
  text: [
    '---',
    `id: ${MULTI_ID}`,
    'title: Two reporters on one story about energy',
    'section: middle-east',
    'published: 2023-06-30T12:00:00Z',
    'summary: A story with two bylines and tags in three scripts.',
    `tags: ["${PERSIAN}", "${CYRILLIC}", "russia"]`,
    `author: ["${AUTHORS[0]}", "${AUTHORS[1]}"]`,
    '---',
    '',
    'The report quotes `grid-2023` as the project name.',
    '',
  ].join('\n'),
};

const input = repositoryContent();
input.articles = [...input.articles, ...Array.from({ length: NOTES }, (_, i) => note(i)), MULTI];
const content = compileContent(input);

const pathOf = (kind: 'tag' | 'author', name: string) => `/${kind}/${encodeURIComponent(termSlug(name))}`;

/** Every `href`/`src`/`action` in a page outside the places allowed to name the primary. */
function pageUrls(html: string): string[] {
  const page = parseHtml(html);
  const allowed = new Set([
    ...page.all('link[rel="canonical"]'),
    ...page.all('.alternate-addresses a'),
    ...page.all('.share a'),
  ]);
  return page
    .all('[href], [src], [action]')
    .filter((el) => !allowed.has(el))
    .map((el) => el.attribs.href ?? el.attribs.src ?? el.attribs.action ?? '');
}

function articleIds(html: string): number[] {
  return parseHtml(html)
    .all('.article-list .card-title a')
    .map((a) => Number(/\/Detail\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//.exec(a.attribs.href ?? '')?.[1]));
}

muteExpectedLogLines();
beforeAll(async () => {
  await publish(input);
  // Publishing a few hundred records on a busy machine can outlast the default hook timeout.
}, 60_000);

describe('tag and author pages', () => {
  it('resolves every tag and byline link of every article, on the primary and a mirror', async () => {
    const checked = new Set<string>();
    // The sample articles, the one with several bylines, and one of the series (they share their links).
    const articles = content.articles.filter(
      (a) => a.id < FIRST_NOTE || a.id === MULTI_ID || a.id === FIRST_NOTE + NOTES - 1,
    );
    for (const article of articles) {
      for (const host of HOSTS) {
        const html = await (await get(host, article.path)).text();
        const page = parseHtml(html);
        const links = [...page.all('.tags a[rel="tag"]'), ...page.all('.byline a[rel="author"]')];
        expect(links.length).toBe(
          article.tags.length + (article.authors?.length ?? (article.author ? 1 : 0)),
        );
        for (const link of links) {
          const href = link.attribs.href ?? '';
          expect(href).toMatch(/^\/(tag|author)\/[^/?#]+$/);
          if (checked.has(`${host} ${href}`)) continue;
          checked.add(`${host} ${href}`);
          const response = await get(host, href);
          expect(response.status, href).toBe(200);
          expect(articleIds(await response.text()), href).toContain(article.id);
        }
      }
    }
    expect(checked.size).toBeGreaterThan(100);
  }, 60_000);

  it('lists a tag’s articles once each, newest first, across fixed-bucket pages', async () => {
    const base = pathOf('tag', 'Grain notes');
    expect(base).toBe('/tag/grain-notes');
    const pages = Math.ceil(NOTES / 10) - 1;
    const seen: number[] = [];
    for (let page = 1; page <= pages; page++) {
      // A host the other tests leave alone, so every page here is a cache miss.
      const response = await get(SECOND_MIRROR, page === 1 ? base : `${base}?page=${page}`);
      expect(response.status).toBe(200);
      expect(cacheStatus(response)).toBe('miss');
      // The head answers page 1; an older page needs the head's count to find its bucket.
      expect(kvReads(response)).toBe(page === 1 ? 1 : 2);
      const html = await response.text();
      const doc = parseHtml(html);
      expect(doc.text('.pagination span')).toBe(`Page ${page} of ${pages}`);
      expect(doc.one('a[rel="next"]') !== null).toBe(page < pages);
      if (page > 1)
        expect(doc.attr('a[rel="prev"]', 'href')).toBe(page === 2 ? base : `${base}?page=${page - 1}`);
      seen.push(...articleIds(html));
    }
    expect(seen).toHaveLength(NOTES);
    expect(new Set(seen).size).toBe(NOTES);
    expect(seen).toEqual(Array.from({ length: NOTES }, (_, i) => FIRST_NOTE + NOTES - 1 - i));
    expect((await get(MIRROR, `${base}?page=${pages + 1}`)).status).toBe(404);
  });

  it('paginates an author’s page the same way', async () => {
    const response = await get(PRIMARY, '/author/market-desk?page=2');
    expect(response.status).toBe(200);
    expect(articleIds(await response.text())).toHaveLength(10);
  });

  it('answers an unknown tag or author with 404 after one read', async () => {
    for (const path of ['/tag/no-such-tag', '/author/nobody-here', '/tag/no-such-tag?page=2']) {
      const response = await get(MIRROR, path);
      expect(response.status, path).toBe(404);
      expect(kvReads(response), path).toBe(1);
    }
  });

  it('sends another spelling of a slug to the term’s one address', async () => {
    for (const [path, location] of [
      ['/tag/Russia', '/tag/russia'],
      ['/tag/Grain%20Notes?page=2', '/tag/grain-notes?page=2'],
      ['/author/Market-Desk', '/author/market-desk'],
    ] as const) {
      const response = await get(MIRROR, path);
      expect(response.status, path).toBe(301);
      expect(response.headers.get('Location'), path).toBe(location);
    }
  });

  it('gives Persian and Cyrillic tags readable slugs, and merges tags that slug alike', async () => {
    expect(termSlug(PERSIAN)).toBe(PERSIAN_SLUG);
    expect(termSlug(CYRILLIC)).toBe('россия-сегодня');
    for (const name of [PERSIAN, CYRILLIC]) {
      const response = await get(MIRROR, pathOf('tag', name));
      expect(response.status, name).toBe(200);
      const html = await response.text();
      expect(parseHtml(html).text('h1')).toBe(name);
      expect(articleIds(html)).toEqual([MULTI_ID]);
    }
    // "russia" and the sample content's "Russia" are one tag, named as most articles spell it.
    const russia = parseHtml(await (await get(PRIMARY, '/tag/russia')).text());
    expect(russia.text('h1')).toBe('Russia');
    expect(articleIds(await (await get(PRIMARY, '/tag/russia')).text())).toContain(MULTI_ID);
  });

  it('links each of several authors from the byline, and each author page lists the article', async () => {
    const article = content.articles.find((a) => a.id === MULTI_ID);
    expect(article?.author).toBe('Jane Doe and Алексей Иванов');
    const html = await (await get(MIRROR, article?.path ?? '')).text();
    const page = parseHtml(html);
    expect(page.text('.byline')).toBe('By Jane Doe and Алексей Иванов');
    const hrefs = page.all('.byline a').map((a) => a.attribs.href);
    expect(hrefs).toEqual(AUTHORS.map((name) => pathOf('author', name)));
    for (const href of hrefs)
      expect(articleIds(await (await get(MIRROR, href ?? '')).text())).toEqual([MULTI_ID]);
  });

  it('keeps every link of a tag and an author page on the requesting host', async () => {
    for (const host of HOSTS) {
      for (const path of ['/tag/russia', '/author/market-desk?page=2', pathOf('tag', PERSIAN)]) {
        const html = await (await get(host, path)).text();
        const urls = pageUrls(html);
        expect(urls.length).toBeGreaterThan(10);
        const offHost = (url: string) =>
          !url.startsWith('#') && (!url.startsWith('/') || url.startsWith('//'));
        expect(urls.filter(offHost), path).toEqual([]);
        // Root-relative links make the bytes the same on every host.
        expect(await (await get(SECOND_MIRROR, path)).text()).toBe(html);
      }
    }
  });

  it('describes tag pages as CollectionPage and author pages as ProfilePage, with sharing tags', async () => {
    const tag = parseHtml(await (await get(MIRROR, '/tag/russia')).text());
    const tagLd = JSON.parse(tag.text('script[type="application/ld+json"]'));
    expect(tagLd['@type']).toBe('CollectionPage');
    expect(tagLd.url).toBe(`https://${PRIMARY}/tag/russia`);
    expect(tag.attr('meta[property="og:url"]', 'content')).toBe(`https://${PRIMARY}/tag/russia`);
    expect(tag.attr('meta[property="og:title"]', 'content')).toBe('Russia');
    expect(tag.attr('meta[name="twitter:card"]', 'content')).toBe('summary');

    const author = parseHtml(await (await get(MIRROR, '/author/market-desk')).text());
    const authorLd = JSON.parse(author.text('script[type="application/ld+json"]'));
    expect(authorLd['@type']).toBe('ProfilePage');
    expect(authorLd.mainEntity).toEqual({
      '@type': 'Person',
      name: 'Market Desk',
      url: `https://${PRIMARY}/author/market-desk`,
    });
    expect(author.attr('meta[property="og:type"]', 'content')).toBe('profile');
  });
});

describe('tag and author feeds', () => {
  const multi = content.articles.find((a) => a.id === MULTI_ID);
  const expected = (author: string): ExpectedItem => ({
    guid: multi?.guid ?? '',
    title: multi?.title ?? '',
    summary: multi?.summary ?? '',
    author,
    categories: ['Middle East', PERSIAN, CYRILLIC, 'russia'],
    tags: [PERSIAN, CYRILLIC, 'russia'],
    byline: author,
    code: 'grid-2023',
  });

  it('serves RSS, Atom and JSON Feed per tag and author that pass the site feeds’ checks', async () => {
    for (const host of HOSTS) {
      const origin = `https://${host}`;
      for (const base of [pathOf('tag', PERSIAN), pathOf('author', AUTHORS[1] ?? '')]) {
        const item = expected('Jane Doe and Алексей Иванов');
        const rss = await get(host, `${base}/rss.xml`);
        expect(rss.headers.get('Content-Type')).toBe('application/rss+xml; charset=UTF-8');
        expect(checkRssItem(await rss.text(), origin, item), `${host}${base}/rss.xml`).toEqual([]);
        const atom = await get(host, `${base}/atom.xml`);
        expect(checkAtomEntry(await atom.text(), origin, item), `${host}${base}/atom.xml`).toEqual([]);
        const json = await get(host, `${base}/feed.json`);
        const body = await json.text();
        expect(checkJsonFeedItem(body, origin, item), `${host}${base}/feed.json`).toEqual([]);
        expect(JSON.parse(body).feed_url).toBe(`${origin}${base}/feed.json`);
      }
    }
  });

  it('carries the newest 50 of a tag’s articles and nothing else', async () => {
    const feed = JSON.parse(await (await get(MIRROR, '/tag/grain-notes/feed.json')).text()) as {
      title: string;
      home_page_url: string;
      items: { id: string }[];
    };
    expect(feed.title).toBe('Press TV: Grain notes');
    expect(feed.home_page_url).toBe(`https://${MIRROR}/tag/grain-notes`);
    expect(feed.items).toHaveLength(NOTES);
  });

  it('advertises a tag’s feeds on its page, and each advertised feed resolves', async () => {
    const page = parseHtml(await (await get(MIRROR, '/tag/grain-notes')).text());
    const hrefs = page.all('link[rel="alternate"]').map((l) => l.attribs.href ?? '');
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '/tag/grain-notes/rss.xml',
        '/tag/grain-notes/atom.xml',
        '/tag/grain-notes/feed.json',
      ]),
    );
    for (const href of hrefs) expect((await get(MIRROR, href)).status, href).toBe(200);
  });

  it('lists the feeds of every tag and author in use in the OPML file', async () => {
    const opml = await (await get(MIRROR, '/feeds.opml')).text();
    for (const path of [
      '/tag/grain-notes/rss.xml',
      '/author/market-desk/atom.xml',
      `${pathOf('tag', PERSIAN)}/feed.json`,
    ])
      expect(opml).toContain(`xmlUrl="https://${MIRROR}${path}"`);
    expect(opml).not.toContain('/tag/no-such-tag');
  });

  it('answers an unknown tag’s feed with 404', async () => {
    expect((await get(MIRROR, '/tag/no-such-tag/rss.xml')).status).toBe(404);
  });
});

describe('URL hygiene', () => {
  const article = content.articles.find((a) => a.id === MULTI_ID)?.path ?? '';

  it('sends a trailing slash or a stray query to the canonical address, on the same host', async () => {
    for (const [path, location] of [
      [`${article}/`, article],
      [`${article}?utm_source=x`, article],
      ['/section/russia/', '/section/russia'],
      ['/section/economy/?page=2&utm_medium=y', '/section/economy?page=2'],
      ['/section/economy?utm_medium=y&page=3', '/section/economy?page=3'],
      ['/tag/russia/', '/tag/russia'],
      ['/author/market-desk?page=2&x=1', '/author/market-desk?page=2'],
      ['/?fbclid=abc', '/'],
    ] as const) {
      const response = await get(MIRROR, path);
      expect(response.status, path).toBe(301);
      expect(response.headers.get('Location'), path).toBe(location);
    }
  });

  it('refuses a malformed page number rather than redirect with it', async () => {
    const response = await get(MIRROR, '/tag/russia/?page=%3Cx%3E');
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });
});
