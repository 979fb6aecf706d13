// The storage fault matrix: what readers get when KV loses, garbles or refuses a record, when
// nothing is published, and when a publish stops halfway. Every fault is a deliberate answer.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  articlePageKey,
  changesPageKey,
  homeListKey,
  manifestKey,
  sectionHeadKey,
} from '../../src/storage/keys';
import { repositoryArticles } from '../support/content';
import { elementsByTag, parseHtml } from '../support/html';
import { planFor, publish, writeBatch } from '../support/publish';

const LATER = new Date('2026-02-01T00:00:00Z');

import { fetchWorker, PRIMARY } from '../support/request';

const ARTICLE_ID = 675904;
const ARTICLE =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';
const OTHER_ARTICLE =
  '/Detail/2022/01/06/675790/Oil-prices-rise-to-highest-since-November-as-supply-worries-build';

/**
 * The sample articles these tests name and one of each other section with articles: every fault
 * here is about one record or one list, and each test's publish and link walk grow with the site.
 */
const sample = () => repositoryArticles([ARTICLE_ID, 675790, 675738, 675752, 675715]);

const at = (path: string) => `https://${PRIMARY}${path}`;
const SECTION_SLUGS = [...sample().site.text.matchAll(/- slug: (\S+)/g)].map((m) => m[1]);

/** Captures console.error/warn: the worker's log lines, parsed. */
function captureLogs() {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  return {
    lines(): Record<string, unknown>[] {
      return [...error.mock.calls, ...warn.mock.calls].map((call) => {
        expect(call, 'a log call is one string').toHaveLength(1);
        return JSON.parse(String(call[0])) as Record<string, unknown>;
      });
    },
  };
}

/** A KV binding that reads through to the test namespace, except that reads of `failing` keys throw. */
function failingKv(failing: (key: string) => boolean): KVNamespace {
  const real = env.ARTICLES;
  return new Proxy(real, {
    get(target, property) {
      if (property !== 'get' && property !== 'getWithMetadata') return Reflect.get(target, property, target);
      return (key: string, ...rest: unknown[]) => {
        if (failing(key)) return Promise.reject(new Error('network connection lost'));
        const read = Reflect.get(target, property, target) as (...args: unknown[]) => Promise<unknown>;
        return read.call(target, key, ...rest);
      };
    },
  });
}

/** No stack trace, file path or internal error text in what a reader sees. */
async function expectNoLeak(response: Response): Promise<string> {
  const body = await response.text();
  const everything = `${body}\n${[...response.headers].join('\n')}`;
  expect(everything).not.toMatch(/\bat \S+ \(|\.ts:\d+|Error:|network connection lost|CorruptRecordError/);
  return body;
}

function expectLayoutPage(body: string, title: string): void {
  const doc = parseHtml(body);
  expect(elementsByTag(doc, 'title').map((t) => t.children.length)).toHaveLength(1);
  expect(body).toContain(`<title>${title} | Press TV</title>`);
  expect(elementsByTag(doc, 'footer')).toHaveLength(1);
}

/** Every article link on the home page and each section page answers 200, directly or after one redirect. */
async function expectNoDeadLinks(): Promise<void> {
  const pages = ['/', ...SECTION_SLUGS.map((slug) => `/section/${slug}`)];
  for (const page of pages) {
    const response = await fetchWorker(at(page));
    expect(response.status, page).toBe(200);
    const links = elementsByTag(parseHtml(await response.text()), 'a')
      .map((a) => a.attribs.href ?? '')
      .filter((href) => href.startsWith('/Detail/'));
    for (const link of new Set(links)) {
      const answer = await fetchWorker(at(link));
      // A retitled article has a new slug: the old link redirects by id to the new path.
      const location = answer.status === 301 ? answer.headers.get('Location') : null;
      const final = location?.startsWith('/Detail/') ? await fetchWorker(at(location)) : answer;
      expect(final.status, `${page} → ${link}`).toBe(200);
    }
  }
}

let logs: ReturnType<typeof captureLogs>;

beforeEach(async () => {
  await publish(sample());
  logs = captureLogs();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a record missing behind an index entry', () => {
  it('answers 404 for the article, not 500, and keeps the lists serving', async () => {
    await env.ARTICLES.delete(articlePageKey(ARTICLE_ID));
    const response = await fetchWorker(at(ARTICLE));
    expect(response.status).toBe(404);
    expectLayoutPage(await expectNoLeak(response), 'Page not found');
    expect((await fetchWorker(at('/'))).status).toBe(200);
    expect(logs.lines()).toEqual([]);
  });
});

describe('a corrupt record', () => {
  it.each([
    ['not JSON', '{"id": 675904, "title": '],
    ['the wrong shape', JSON.stringify({ id: 'six', title: ['x'] })],
  ])(
    'answers 500 in the layout for an article that is %s, logs its key once, and leaves other routes alone',
    async (_, value) => {
      await env.ARTICLES.put(articlePageKey(ARTICLE_ID), value);
      const response = await fetchWorker(at(ARTICLE));
      expect(response.status).toBe(500);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      const body = await expectNoLeak(response);
      expectLayoutPage(body, 'Something went wrong');
      const requestId = response.headers.get('X-Request-Id');
      expect(body).toContain(`<code>${requestId}</code>`);

      const lines = logs.lines();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'error',
        status: 500,
        requestId,
        method: 'GET',
        path: ARTICLE,
      });
      expect(lines[0]?.reason).toContain(articlePageKey(ARTICLE_ID));
      expect(typeof lines[0]?.route).toBe('string');

      for (const path of ['/', '/section/economy', OTHER_ARTICLE]) {
        expect((await fetchWorker(at(path))).status, path).toBe(200);
      }
    },
  );

  it('answers 500 for a section list of the wrong shape, naming the key in the log', async () => {
    // A section no earlier test has requested: a cached page would hide the fault.
    await env.ARTICLES.put(sectionHeadKey('sport'), JSON.stringify({ page: 1, items: 'none' }));
    const response = await fetchWorker(at('/section/sport'));
    expect(response.status).toBe(500);
    expectLayoutPage(await expectNoLeak(response), 'Something went wrong');
    expect(logs.lines()[0]?.reason).toContain(sectionHeadKey('sport'));
    expect((await fetchWorker(at('/section/russia'))).status).toBe(200);
  });

  it('answers a plain 500 for a corrupt manifest, with nothing to render a layout from', async () => {
    await env.ARTICLES.put(manifestKey(), '[]');
    const response = await fetchWorker(at('/'));
    expect(response.status).toBe(500);
    expect(await expectNoLeak(response)).toBe('500 Something went wrong');
    expect(logs.lines()[0]?.reason).toContain(manifestKey());
  });

  it('answers a JSON error for a corrupt manifest under /api/', async () => {
    await env.ARTICLES.put(manifestKey(), '{');
    const response = await fetchWorker(at('/api/v1/articles'));
    expect(response.status).toBe(500);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(JSON.parse(await expectNoLeak(response))).toEqual({
      error: { code: 'something_went_wrong', message: 'Something went wrong' },
    });
  });
});

describe('a KV read that throws', () => {
  it('answers 503 with Retry-After when the manifest cannot be read', async () => {
    const response = await fetchWorker(at('/'), { ARTICLES: failingKv(() => true) });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('30');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    await expectNoLeak(response);
    expect(logs.lines()).toMatchObject([{ level: 'error', status: 503 }]);
    expect(logs.lines()[0]?.reason).toContain(manifestKey());
  });

  it('answers 503 in the layout when one article cannot be read, and serves the rest', async () => {
    const kv = failingKv((key) => key === articlePageKey(ARTICLE_ID));
    const response = await fetchWorker(at(ARTICLE), { ARTICLES: kv });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('30');
    expectLayoutPage(await expectNoLeak(response), 'Temporarily unavailable');
    expect((await fetchWorker(at(OTHER_ARTICLE), { ARTICLES: kv })).status).toBe(200);
    expect((await fetchWorker(at('/section/economy'), { ARTICLES: kv })).status).toBe(200);
  });

  it('answers a JSON 503 with Retry-After under /api/', async () => {
    const response = await fetchWorker(at('/api/v1/articles'), { ARTICLES: failingKv(() => true) });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('30');
    expect(JSON.parse(await expectNoLeak(response))).toMatchObject({
      error: { code: 'unavailable' },
    });
  });
});

describe('nothing published', () => {
  it('answers 503 with Retry-After on every route until the manifest exists', async () => {
    await env.ARTICLES.delete(manifestKey());
    for (const path of ['/', ARTICLE, '/section/news', '/assets/site.css']) {
      const response = await fetchWorker(at(path));
      expect(response.status, path).toBe(503);
      expect(response.headers.get('Retry-After')).toBe('30');
      await expectNoLeak(response);
    }
    await publish(sample());
    expect((await fetchWorker(at('/'))).status).toBe(200);
  });
});

describe('a publish interrupted halfway', () => {
  /** The next edition: a new article on top, and a correction to an existing headline. */
  function nextEdition() {
    const content = sample();
    content.articles = content.articles.map((file) =>
      file.text.includes(`id: ${ARTICLE_ID}\n`)
        ? { ...file, text: file.text.replace(/^title: .*$/m, 'title: Russia says no new talks (corrected)') }
        : file,
    );
    content.articles.push({
      path: 'content/articles/2022/02/700001-new.md',
      text: '---\nid: 700001\ntitle: A new article\nsection: russia\npublished: 2022-02-01T09:00:00Z\n---\n\nFresh news.\n',
    });
    return content;
  }

  it('keeps every link working after only the articles are written', async () => {
    const { plan } = await planFor(nextEdition());
    const [changes, articles] = plan.phases;
    expect([changes?.name, articles?.name]).toEqual(['changes', 'articles']);
    await writeBatch([...(changes?.writes ?? [])]);
    await writeBatch([...(articles?.writes ?? [])]);
    await expectNoDeadLinks();
    expect(logs.lines()).toEqual([]);
  });

  it('keeps every link working after the articles and half the indexes are written, and a re-run completes', async () => {
    const edition = nextEdition();
    const { plan } = await planFor(edition);
    const [changes, articles, indexes] = plan.phases;
    const indexWrites = [...(indexes?.writes ?? [])];
    await writeBatch([...(changes?.writes ?? [])]);
    await writeBatch([...(articles?.writes ?? [])]);
    await writeBatch(indexWrites.slice(0, Math.ceil(indexWrites.length / 2)));
    expect(indexWrites.some((w) => w.key === homeListKey())).toBe(true);
    await expectNoDeadLinks();

    await publish(edition);
    const home = await (await fetchWorker(at('/'))).text();
    expect(home).toContain('A new article');
    expect(home).toContain('Russia says no new talks (corrected)');
    await expectNoDeadLinks();
    // Nothing is left to write: the re-run finished the job.
    const again = await planFor(edition);
    expect(again.plan.phases.flatMap((phase) => [...phase.writes])).toEqual([]);
    expect(again.plan.deletes).toEqual([]);
    expect(logs.lines()).toEqual([]);
  });
});

describe('a corrupt change-log page', () => {
  /** Every key and value in the namespace. */
  async function everything(): Promise<Map<string, string | null>> {
    const entries = new Map<string, string | null>();
    let cursor: string | undefined;
    do {
      const page = await env.ARTICLES.list(cursor ? { cursor } : {});
      // A bulk read takes at most 100 keys: one read per key cost seconds over the sample site.
      const names = page.keys.map((key) => key.name);
      for (let start = 0; start < names.length; start += 100) {
        const values = await env.ARTICLES.get(names.slice(start, start + 100), 'text');
        for (const [name, value] of values) entries.set(name, value);
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return entries;
  }

  /** Every entry a partner gets by following /api/v1/changes from the start. */
  async function replay(): Promise<{ seq: number; id: number; type: string }[]> {
    const entries: { seq: number; id: number; type: string }[] = [];
    let since = '';
    for (let more = true; more; ) {
      const response = await fetchWorker(at(`/api/v1/changes${since}`));
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        data: { seq: number; id: number; type: string }[];
        next_token: string;
        has_more: boolean;
      };
      entries.push(...body.data);
      since = `?since=${body.next_token}`;
      more = body.has_more;
    }
    return entries;
  }

  it('stops the next publish with its key and the way out, writing nothing', async () => {
    const page = await env.ARTICLES.getWithMetadata(changesPageKey(0), 'text');
    await env.ARTICLES.put(changesPageKey(0), '{"page": 0, "entries": [');
    const before = await everything();
    await expect(planFor(sample(), LATER)).rejects.toThrow(
      /^changes:v1:0 is not a change-log page; nothing was written\. `npm run publish -- --repair`/,
    );
    expect(await everything()).toEqual(before);
    // Storage is shared by this file's tests: put the page back for the next one.
    await env.ARTICLES.put(changesPageKey(0), page.value ?? '', { metadata: page.metadata });
  });

  it('is rebuilt by --repair, keeping the sequence, and partners converge on the archive', async () => {
    const head = (await planFor(sample())).records.manifest.manifest.changes?.head ?? 0;
    await env.ARTICLES.put(changesPageKey(0), 'garbage');
    const repaired = await publish(sample(), LATER, { repair: true });
    const live = [...repaired.records.articles.keys()].filter((key) => key.startsWith('article:'));
    // Every live article is logged again after the old head: no sequence number is reused.
    expect(repaired.records.manifest.manifest.changes?.head).toBe(head + live.length);
    const replayed = await replay();
    expect(replayed.map((entry) => entry.seq)).toEqual(live.map((_, i) => head + i + 1));
    expect(new Set(replayed.map((entry) => `article:v1:${entry.id}`))).toEqual(new Set(live));
    // Repaired: the next publish has nothing to do.
    const again = await planFor(sample(), LATER);
    expect(again.plan.phases.flatMap((phase) => [...phase.writes])).toEqual([]);
  });
});
