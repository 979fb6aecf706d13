// Search through the worker, on the primary and a mirror: words from headlines, summaries and
// bodies find their articles, best first and marked; Persian and Cyrillic spellings fold together;
// results page; bad queries get 400; every page carries the search form and every link stays on the host.

import { env } from 'cloudflare:workers';
import { selectAll, selectOne } from 'css-select';
import type { AnyNode, Element } from 'domhandler';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryRecordMemo } from '../../src/publish/record-memo';
import {
  SEARCH_SHARDS_MAX,
  type SearchShard,
  searchShardCount,
  shardOf,
} from '../../src/search/index-format';
import { legacySearchShardKey, manifestKey, searchShardKey } from '../../src/storage/keys';
import { repositoryContent } from '../support/content';
import { muteExpectedLogLines } from '../support/expected-logs';
import { parseHtml, textOf } from '../support/html';
import { FIXED_NOW, publish } from '../support/publish';
import { cacheStatus, fetchWorker, get, kvReads, MIRROR, PRIMARY } from '../support/request';

const SAMPLE_ID = 675904;
/** A sample article far older than the index's cut beside EXTRA's ids: its postings are settled. */
const OLDER_ID = 675712;
const SERIES = 25;
const FIRST_SERIES = 920_001;

function article(id: number, fields: { title: string; published: string; body: string; summary?: string }) {
  return {
    path: `content/articles/search/${id}.md`,
    text: [
      '---',
      `id: ${id}`,
      `title: ${JSON.stringify(fields.title)}`,
      'section: economy',
      `published: ${fields.published}`,
      ...(fields.summary ? [`summary: ${JSON.stringify(fields.summary)}`] : []),
      '---',
      '',
      fields.body,
      '',
    ].join('\n'),
  };
}

const EXTRA = [
  // One word, once in a headline and once only deep in a body: the headline ranks first.
  article(920_100, {
    title: 'Zephyrine exports reach a record',
    published: '2023-01-02T08:00:00Z',
    body: 'Shipments rose sharply this quarter.',
  }),
  article(920_101, {
    title: 'Port traffic in the quarter',
    published: '2023-01-03T08:00:00Z',
    body: 'Cranes worked all night. Among the cargo listed was zephyrine, loaded in the north.',
  }),
  article(920_200, {
    title: 'قیمت نفت در بازار جهانی افزایش یافت',
    published: '2023-01-04T08:00:00Z',
    body: 'بهای نفت خام برنت امروز در بازارهای جهانی بالا رفت و کارشناسان می‌گویند روند ادامه دارد.',
  }),
  article(920_300, {
    title: 'В Москве открылась новая станция метро',
    published: '2023-01-05T08:00:00Z',
    body: 'Пассажиры ещё утром опробовали новую линию.',
  }),
  ...Array.from({ length: SERIES }, (_, i) =>
    article(FIRST_SERIES + i, {
      title: `Quarterly grainledger report number ${i}`,
      published: `2023-02-${String(1 + i).padStart(2, '0')}T08:00:00Z`,
      body: `The grainledger figures for week ${i} were published.`,
    }),
  ),
];

muteExpectedLogLines();
beforeAll(async () => {
  const input = repositoryContent();
  input.articles = [...input.articles, ...EXTRA];
  await publish(input);
  // Publishing a few hundred records on a busy machine can outlast the default hook timeout.
}, 60_000);

interface Result {
  id: number;
  href: string;
  title: string;
  marks: string[];
}

async function searchPage(host: string, query: string, page = 1) {
  const params = new URLSearchParams({ q: query });
  if (page > 1) params.set('page', String(page));
  const response = await get(host, `/search?${params}`);
  const html = await response.text();
  const doc = parseHtml(html);
  const results: Result[] = doc.all('.search-result').map((result) => {
    const anchor = selectOne<AnyNode, Element>('.card-title a', result);
    const href = anchor?.attribs.href ?? '';
    return {
      id: Number(/\/Detail\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//.exec(href)?.[1]),
      href,
      title: anchor ? textOf(anchor) : '',
      marks: selectAll<AnyNode, Element>('mark', result).map(textOf),
    };
  });
  return { response, html, doc, results };
}

describe('search', () => {
  it('finds an article by a word of its body, on a mirror, and marks the word', async () => {
    const { response, results, html } = await searchPage(MIRROR, 'Baerbock');
    expect(response.status).toBe(200);
    expect(results.map((r) => r.id)).toEqual([SAMPLE_ID]);
    expect(results[0]?.marks).toContain('Baerbock');
    expect(results[0]?.href.startsWith('/Detail/2022/01/18/675904/')).toBe(true);
    // Links in the page (the footer's list of addresses aside) are root-relative: they stay on the mirror.
    const hrefs = parseHtml(html)
      .all('header [href], header [action], main [href]')
      .map((el) => el.attribs.href ?? el.attribs.action ?? '');
    expect(hrefs.filter((href) => !href.startsWith('/') || href.startsWith('//'))).toEqual([]);
  });

  it('finds by headline and summary words, every word required, a headline match first', async () => {
    const { results } = await searchPage(PRIMARY, 'zephyrine');
    expect(results.map((r) => r.id)).toEqual([920_100, 920_101]);
    expect(results[0]?.marks).toContain('Zephyrine');
    const both = await searchPage(PRIMARY, 'zephyrine cranes');
    expect(both.results.map((r) => r.id)).toEqual([920_101]);
    const none = await searchPage(PRIMARY, 'zephyrine nowruz');
    expect(none.response.status).toBe(200);
    expect(none.results).toEqual([]);
    expect(none.doc.text('main p')).toMatch(/No article contains all of these words/);
  });

  it('folds Persian and Arabic keyboard spellings, and Cyrillic ё, into one word', async () => {
    // Arabic yeh (ي) in the query, Persian yeh (ی) in the headline; a ZWNJ-joined word in the body.
    const persian = await searchPage(MIRROR, 'قيمت نفت');
    expect(persian.results.map((r) => r.id)).toEqual([920_200]);
    expect(persian.results[0]?.marks).toEqual(expect.arrayContaining(['قیمت', 'نفت']));
    expect((await searchPage(MIRROR, 'میگویند')).results.map((r) => r.id)).toEqual([920_200]);
    expect((await searchPage(MIRROR, 'МОСКВЕ метро')).results.map((r) => r.id)).toEqual([920_300]);
    expect((await searchPage(MIRROR, 'еще')).results.map((r) => r.id)).toEqual([920_300]);
  });

  it('pages results ten at a time, newest first among equals', async () => {
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const { response, results, doc } = await searchPage(MIRROR, 'grainledger', page);
      expect(response.status).toBe(200);
      expect(results).toHaveLength(page < 3 ? 10 : 5);
      expect(doc.text('.pagination span')).toBe(`Page ${page} of 3`);
      expect(doc.attr('a[rel="next"]', 'href')).toBe(
        page < 3 ? `/search?q=grainledger&page=${page + 1}` : undefined,
      );
      seen.push(...results.map((r) => r.id));
    }
    expect(new Set(seen).size).toBe(SERIES);
    expect((await searchPage(MIRROR, 'grainledger', 4)).response.status).toBe(404);
  });

  it('answers a bad query with 400 and an empty one with the search page', async () => {
    for (const path of [
      '/search?q=',
      '/search?q=%20%20',
      '/search?q=!!!%20%3F',
      `/search?q=${'word '.repeat(41)}`,
      '/search?q=oil&page=0',
      '/search?q=oil&page=x',
    ]) {
      const response = await get(MIRROR, path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    }
    const blank = await get(MIRROR, '/search');
    expect(blank.status).toBe(200);
    expect(parseHtml(await blank.text()).text('h1')).toBe('Search');
  });

  it('shows a hostile query as text, never as markup', async () => {
    const { response, doc } = await searchPage(MIRROR, '"><script>alert(1)</script> oil');
    expect(response.status).toBe(200);
    // No inline script at all; the one external script is the layout's own registration script.
    expect(doc.all('script:not([type="application/ld+json"]):not([src])')).toHaveLength(0);
    expect(doc.all('script[src]').map((script) => script.attribs.src)).toEqual(['/assets/offline.js']);
    expect(doc.attr('input[name="q"]', 'value')).toBe('"><script>alert(1)</script> oil');
  });

  it('keeps a repeat search free of KV reads, and a first one to two reads per word plus the results', async () => {
    const first = await searchPage(PRIMARY, 'metro');
    expect(cacheStatus(first.response)).toBe('miss');
    // The settled and fresh parts of the word's shard, then each result's article record.
    expect(kvReads(first.response)).toBe(2 + first.results.length);
    const again = await get(PRIMARY, '/search?q=metro');
    expect(cacheStatus(again)).toBe('hit');
    expect(kvReads(again)).toBe(0);
  });

  it('sends stray parameters and a trailing slash to the canonical search address', async () => {
    for (const [path, location] of [
      ['/search?q=oil&utm_source=x', '/search?q=oil'],
      ['/search/?q=oil&page=2', '/search?q=oil&page=2'],
      ['/search?page=2&q=oil', '/search?q=oil&page=2'],
    ] as const) {
      const response = await get(MIRROR, path);
      expect(response.status, path).toBe(301);
      expect(response.headers.get('Location'), path).toBe(location);
    }
  });
});

/** The search parts as a publish stored them: key → terms. */
async function storedParts(): Promise<Map<string, SearchShard['terms']>> {
  const { keys } = await env.ARTICLES.list({ prefix: 'search:' });
  const parts = new Map<string, SearchShard['terms']>();
  for (const { name } of keys)
    parts.set(name, (JSON.parse((await env.ARTICLES.get(name)) ?? '') as SearchShard).terms);
  return parts;
}

describe('the stored index', () => {
  it('has as many shards as the manifest names, chosen by the archive’s size', async () => {
    const manifest = JSON.parse((await env.ARTICLES.get(manifestKey())) ?? '');
    const articles = repositoryContent().articles.length + EXTRA.length;
    const { shards } = manifest.searchIndex;
    expect(shards).toBe(searchShardCount(articles));
    const parts = await storedParts();
    // Every term lies in the part its hash names under the manifest's count, and no part lies beyond it.
    expect(parts.size).toBeGreaterThan(shards);
    expect(parts.size).toBeLessThanOrEqual(2 * shards);
    for (const [key, terms] of parts) {
      for (const term of Object.keys(terms)) {
        const shard = shardOf(term, shards);
        const keys = [searchShardKey(shards, shard, 'settled'), searchShardKey(shards, shard, 'fresh')];
        expect(keys, term).toContain(key);
      }
    }
  });

  it('is read at 1,024 shards under a manifest that names no layout, as every manifest did before', async () => {
    // The same postings in the layout of a publish made before the count was named.
    const legacy = new Map<string, string>();
    for (const [key, terms] of await storedParts()) {
      const part = key.includes(':fresh:') ? 'fresh' : 'settled';
      for (const [term, postings] of Object.entries(terms)) {
        const moved = legacySearchShardKey(shardOf(term, SEARCH_SHARDS_MAX), part);
        const shard = JSON.parse(legacy.get(moved) ?? '{"terms":{}}') as SearchShard;
        shard.terms[term] = postings;
        legacy.set(moved, JSON.stringify(shard));
      }
    }
    const { searchIndex: _, ...manifest } = JSON.parse((await env.ARTICLES.get(manifestKey())) ?? '');
    legacy.set(manifestKey(), JSON.stringify({ ...manifest, version: 'before-counts' }));
    const stored = env.ARTICLES;
    const before = {
      getWithMetadata: async (key: string, type: 'text') => {
        if (!legacy.has(key) && !key.startsWith('search:')) return stored.getWithMetadata(key, type);
        const { metadata } = await stored.getWithMetadata(manifestKey(), type);
        return { value: legacy.get(key) ?? null, metadata, cacheStatus: null };
      },
    } as unknown as KVNamespace;
    const response = await fetchWorker(`https://${PRIMARY}/search?q=zephyrine+exports`, { ARTICLES: before });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect([...html.matchAll(/\/Detail\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//g)].map((m) => Number(m[1]))).toContain(
      920_100,
    );
    expect(parseHtml(html).all('.search-result')).toHaveLength(1);
  });
});

describe('the search form', () => {
  it('is in the header of every page, submits to this host, and stays there', async () => {
    for (const path of ['/', '/section/russia', '/tag/russia', '/search?q=oil', '/no-such-page']) {
      const html = await (await get(MIRROR, path)).text();
      const page = parseHtml(html);
      const form = page.one('header form[role="search"]');
      expect(form?.attribs.action, path).toBe('/search');
      expect(form?.attribs.method).toBe('get');
      expect(page.all('header form[role="search"] input[type="search"][name="q"]')).toHaveLength(1);
      expect(page.all('label[for="search-q"]')).toHaveLength(1);
    }
  });
});

describe('a correction of an article older than the index’s cut', () => {
  it('finds it by its new headline, no longer by a word it lost, and still by its body', async () => {
    // Published with a memo, as the publish command does: the next publish updates the index in
    // place, laying the article's changed postings over its settled ones in fresh parts.
    const memo = memoryRecordMemo((parts) => JSON.stringify(parts));
    const input = repositoryContent();
    input.articles = [...input.articles, ...EXTRA];
    await publish(input, FIXED_NOW, { memo });
    const idsFor = async (host: string, query: string) =>
      (await searchPage(host, query)).results.map((result) => result.id);
    // "weigh" is in the headline of 675712 alone, not in its summary or body.
    expect(await idsFor(PRIMARY, 'weigh')).toContain(OLDER_ID);
    const corrected = {
      ...input,
      articles: input.articles.map((file) =>
        file.text.includes(`\nid: ${OLDER_ID}\n`)
          ? {
              ...file,
              text: file.text.replace(
                /^title: .*$/m,
                'title: "Quillwort growers and oil traders await OPEC+"',
              ),
            }
          : file,
      ),
    };
    const published = await publish(corrected, FIXED_NOW, { memo });
    const searchWrites = published.plan.phases
      .flatMap((phase) => [...phase.writes].map((write) => write.key))
      .filter((key) => key.startsWith('search:'));
    expect(searchWrites.length).toBeGreaterThan(0);
    expect(searchWrites.filter((key) => !key.includes(':fresh:'))).toEqual([]);
    expect(await idsFor(MIRROR, 'quillwort')).toEqual([OLDER_ID]);
    // Other queries than before: a page already answered is kept while the isolate's manifest is.
    expect(await idsFor(MIRROR, 'weigh decision')).not.toContain(OLDER_ID);
    expect(await idsFor(PRIMARY, 'traders weigh')).not.toContain(OLDER_ID);
    expect(await idsFor(PRIMARY, 'omicron traders')).toContain(OLDER_ID);
  });
});
