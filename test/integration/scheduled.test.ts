// Scheduled articles through the real worker on a controlled clock: a future-dated article is
// invisible on every surface and host until its time, then the cron trigger (the worker's own
// `scheduled` handler, as Cloudflare runs it each minute) makes it live everywhere, with no publish.
import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import worker from '../../src/index';
import { writerTokenKey } from '../../src/storage/keys';
import { repositoryArticles } from '../support/content';
import { muteExpectedLogLines } from '../support/expected-logs';
import { FIXED_NOW, publish } from '../support/publish';
import { fetchWorker, MIRROR, PRIMARY } from '../support/request';

const RELEASE = Date.parse('2026-01-02T10:00:00Z');
const LATER_RELEASE = Date.parse('2026-01-03T08:15:00Z');

/**
 * The sample's Russia articles, where the future ones go, and one of another section: every release
 * stages the indexes as they will be at its time, so a smaller site stages and writes a fraction.
 */
const BASE_ARTICLES = [675768, 675904, 675991, 676048, 675790];

function withFuture(articles: { id: number; title: string; published: number }[]): ContentInput {
  const base = repositoryArticles(BASE_ARTICLES);
  // A hub, so that a release pings it as a publish would.
  const content = {
    ...base,
    site: { ...base.site, text: `${base.site.text}\nhub: https://hub.presstv.example/\n` },
  };
  for (const { id, title, published } of articles) {
    content.articles.push({
      path: `content/articles/2026/${id}.md`,
      text: `---\nid: ${id}\ntitle: ${title}\nsection: russia\npublished: ${new Date(published).toISOString()}\ntags: [Moscow]\n---\n\nA report written ahead of its time.\n`,
    });
  }
  return content;
}

/** What the cron queued for push delivery (WebSub pings, partner webhooks). */
const queued: unknown[] = [];
const capturingQueue = {
  async sendBatch(messages: { body: unknown }[]) {
    queued.push(...messages.map((message) => message.body));
  },
} as unknown as Queue;

/** Runs the worker's cron handler as Cloudflare would at the current (fake) time. */
async function runCron(): Promise<void> {
  const controller = createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' });
  await worker.scheduled(controller, { ...env, PUSH_QUEUE: capturingQueue });
}

const SURFACES = [
  '/',
  '/section/russia',
  '/section/news',
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/section/russia/atom.xml',
  '/feeds.opml',
  '/sitemap.xml',
  '/news-sitemap.xml',
  '/api/v1/articles',
  '/api/v1/articles?section=russia',
  '/api/v1/changes',
];

/** Every surface on the primary and a mirror, as text, with its status. */
async function everySurface(): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const host of [PRIMARY, MIRROR]) {
    for (const path of SURFACES) {
      const response = await fetchWorker(`https://${host}${path}`);
      expect(response.status, `${host}${path}`).toBe(200);
      answers.set(`${host}${path}`, await response.text());
    }
  }
  return answers;
}

async function articleStatus(host: string, id: number): Promise<number[]> {
  const page = await fetchWorker(`https://${host}/Detail/2026/01/02/${id}/x`);
  const location = page.headers.get('Location');
  const final = location ? await fetchWorker(`https://${host}${location}`) : page;
  const api = await fetchWorker(`https://${host}/api/v1/articles/${id}`);
  return [final.status, api.status];
}

muteExpectedLogLines();
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(FIXED_NOW);
  await publish(withFuture([{ id: 700100, title: 'Moscow opens a new river terminal', published: RELEASE }]));
});

afterAll(() => {
  vi.useRealTimers();
});

describe('a scheduled article', () => {
  it('is invisible on every surface and host, its URL a 404 like an unknown id', async () => {
    for (const [surface, text] of await everySurface()) {
      expect(text, surface).not.toContain('700100');
      expect(text, surface).not.toContain('river terminal');
    }
    for (const host of [PRIMARY, MIRROR]) {
      expect(await articleStatus(host, 700100)).toEqual([404, 404]);
      const unknown = await (await fetchWorker(`https://${host}/Detail/2026/01/02/799999/x`)).text();
      const held = await (await fetchWorker(`https://${host}/Detail/2026/01/02/700100/x`)).text();
      expect(held).toBe(unknown);
    }
  });

  it('stays held back when the cron runs before its time', async () => {
    vi.setSystemTime(RELEASE - 60_000);
    const token = await env.ARTICLES.get(writerTokenKey());
    await runCron();
    expect(await articleStatus(PRIMARY, 700100)).toEqual([404, 404]);
    expect(queued).toEqual([]);
    expect(await env.ARTICLES.get(writerTokenKey())).toBe(token);
  });

  it('goes live on its own within a minute of its time, on every surface and host', async () => {
    vi.setSystemTime(RELEASE + 30_000);
    const token = await env.ARTICLES.get(writerTokenKey());
    await runCron();
    // A writer like any publish: its own token first, so no publish trusts what it remembers of KV.
    expect(await env.ARTICLES.get(writerTokenKey())).not.toBe(token);
    // Pushed like a publish: a WebSub ping for the site feed on every host, among others.
    expect(queued).toContainEqual(
      expect.objectContaining({ kind: 'websub', topic: `https://${MIRROR}/atom.xml` }),
    );
    const surfaces = await everySurface();
    for (const host of [PRIMARY, MIRROR]) {
      expect(await articleStatus(host, 700100)).toEqual([200, 200]);
      for (const path of SURFACES.filter(
        (p) => p !== '/section/news' && p !== '/sitemap.xml' && p !== '/feeds.opml',
      ))
        expect(surfaces.get(`${host}${path}`), `${host}${path}`).toContain('river terminal');
    }
    const changes = JSON.parse(surfaces.get(`${PRIMARY}/api/v1/changes`) ?? '{}') as {
      data: { id: number; type: string }[];
    };
    expect(changes.data.filter((entry) => entry.id === 700100).map((entry) => entry.type)).toEqual([
      'upsert',
    ]);
    // Applied once: the next run has nothing to do and changes nothing.
    await runCron();
    expect(await everySurface()).toEqual(surfaces);
  });

  it('is staged again by a publish before its time, which replaces what the earlier one staged', async () => {
    const terminal = { id: 700100, title: 'Moscow opens a new river terminal', published: RELEASE };
    const ferries = { id: 700101, title: 'Volga ferries resume for the season', published: LATER_RELEASE };
    const first = await publish(withFuture([terminal, ferries]), new Date(RELEASE + 60_000));
    const edited = [terminal, { ...ferries, title: 'Volga ferries resume early this season' }];
    const again = await publish(withFuture(edited), new Date(RELEASE + 120_000));
    // Only the release changed, yet it gets a key of its own: a record is never rewritten in place.
    expect(again.plan.retire).toEqual([`release:v1:${first.releases[0]?.gen}`]);
    expect(again.releases[0]?.gen).toBeGreaterThan(first.releases[0]?.gen ?? Infinity);
    vi.setSystemTime(LATER_RELEASE + 5_000);
    await runCron();
    const home = await (await fetchWorker(`https://${MIRROR}/`)).text();
    expect(home).toContain('Volga ferries resume early this season');
    expect(home).not.toContain('Volga ferries resume for the season');
  });
});

describe('republishing unchanged content with releases staged', () => {
  it('writes nothing: every release keeps its generation, time and record', async () => {
    const future = [
      { id: 700110, title: 'A port reopens on the Caspian', published: Date.parse('2026-02-01T06:00:00Z') },
      {
        id: 700111,
        title: 'Grain exports rise for a third month',
        published: Date.parse('2026-02-02T06:00:00Z'),
      },
      { id: 700112, title: 'A rail link opens to the north', published: Date.parse('2026-02-03T06:00:00Z') },
    ];
    const first = await publish(withFuture(future), new Date('2026-01-10T00:00:00Z'));
    expect(first.releases).toHaveLength(3);
    const again = await publish(withFuture(future), new Date('2026-01-10T00:05:00Z'));
    expect(again.releases).toEqual(first.releases);
    const written = again.plan.phases.flatMap((phase) => [...phase.writes].map((write) => write.key));
    expect(written).toEqual([]);
    expect([...again.plan.deletes, ...again.plan.retire]).toEqual([]);
  });
});

describe('a publish that changes one of several staged releases', () => {
  it('stages every release under a key no stored release holds, and retires them all', async () => {
    const port = {
      id: 700120,
      title: 'A ferry line opens on the Caspian',
      published: Date.parse('2026-03-01T06:00:00Z'),
    };
    const rail = {
      id: 700121,
      title: 'A rail link opens to the north',
      published: Date.parse('2026-03-02T06:00:00Z'),
    };
    const first = await publish(withFuture([port, rail]), new Date('2026-02-20T00:00:00Z'));
    expect(first.releases).toHaveLength(2);
    const edited = [port, { ...rail, title: 'A rail link opens to the far north' }];
    const again = await publish(withFuture(edited), new Date('2026-02-20T00:05:00Z'));
    const stored = first.releases.map((release) => `release:v1:${release.gen}`);
    const staged = again.releases.map((release) => `release:v1:${release.gen}`);
    // A cron may be reading a stored record while this publish runs: none is rewritten in place.
    expect(staged.filter((key) => stored.includes(key))).toEqual([]);
    expect([...again.plan.retire].sort()).toEqual([...stored].sort());
  });
});
