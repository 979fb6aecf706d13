// The eventual-consistency simulation: publishes (add, edit, remove, back-date) interleaved with
// readers at several locations, each with its own KV view (eventual-kv.ts) and its own edge cache,
// through the real worker and the real publish pipeline, on a controlled clock. Every response is
// checked against what a strongly consistent store would have served (docs/storage.md, "Consistency").
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, vi } from 'vitest';
import { compileContent } from '../../src/content/compile';
import worker from '../../src/index';
import { applyPlan, preparePublish } from '../../src/publish/pipeline';
import { repositoryContent } from './content';
import { EventualKv, seededRandom, settledKv } from './eventual-kv';
import { signedByTestKey, testSigningKey } from './publish';

const LOCATIONS = 3;
const MAX_DELAY_MS = 30_000;
const KV_CACHE_TTL_MS = 60_000;
const MANIFEST_MEMO_SECONDS = 30;
/**
 * The stated bound: once a publish has finished, every location serves exactly its version after
 * propagation, the location's cached copies and the isolate's manifest memo have run out.
 */
export const SETTLE_BOUND_MS = MAX_DELAY_MS + KV_CACHE_TTL_MS + MANIFEST_MEMO_SECONDS * 1000 + 1000;

const HOSTS = ['www.presstv.ir', 'mirror.presstv.example'];
/** Prints the bodies behind a violation (set while debugging a seed). */
const DEBUG_SIMULATION = false;
const START = Date.parse('2026-03-01T08:00:00Z');
const NEW_ID_BASE = 690_000;

const unlimited = { limit: async () => ({ success: true }) } as unknown as RateLimit;

interface Answer {
  status: number;
  text: string;
  cache: string | undefined;
  /** `behind`, `ahead` or `unverified` when a read was not settled (Server-Timing). */
  consistency: string | undefined;
}

async function fetchThrough(
  kv: KVNamespace,
  cacheName: string,
  url: string,
  memoryBytes: string,
): Promise<Answer> {
  const ctx = createExecutionContext();
  const bindings = {
    ...env,
    ARTICLES: kv,
    EDGE_CACHE_NAME: cacheName,
    EDGE_MEMORY_CACHE_BYTES: memoryBytes,
    SITE_MANIFEST_TTL_SECONDS: String(MANIFEST_MEMO_SECONDS),
    API_RATE_LIMITER: unlimited,
  };
  const response = await worker.fetch(new Request(url, { redirect: 'manual' }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  const text = `${response.headers.get('Location') ?? ''}\n${await response.text()}`;
  const timing = response.headers.get('Server-Timing') ?? '';
  const cache = /cache;desc="(\w+)"/.exec(timing)?.[1];
  const consistency = /kv-consistency;desc="(\w+)"/.exec(timing)?.[1];
  return { status: response.status, text, cache, consistency };
}

interface ArticleFile {
  path: string;
  text: string;
}

/** One editorial change to the archive, chosen at random. */
function mutate(files: ArticleFile[], random: () => number, step: number): string {
  const pick = () => Math.floor(random() * files.length);
  const roll = random();
  if (roll < 0.35 || files.length < 4) {
    const id = NEW_ID_BASE + step;
    const back = random() < 0.3;
    const published = new Date(
      Date.parse(back ? '2021-06-01T10:00:00Z' : '2022-04-01T10:00:00Z') + step * 3600_000,
    );
    const section = ['russia', 'economy', 'science', 'sport'][Math.floor(random() * 4)];
    files.push({
      path: `content/articles/sim/${id}.md`,
      text: [
        '---',
        `id: ${id}`,
        `title: Simulated report number ${step}`,
        `section: ${section}`,
        `published: ${published.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
        'tags: [Simulation]',
        '---',
        '',
        `Body of simulated report ${step}.`,
        '',
      ].join('\n'),
    });
    return back ? 'add back-dated' : 'add';
  }
  const index = pick();
  const file = files[index];
  if (!file) return 'none';
  if (roll < 0.65) {
    files[index] = {
      path: file.path,
      text: `${file.text.trimEnd()}\n\nUpdate ${step}: the story was revised.\n`,
    };
    return 'edit';
  }
  if (roll < 0.8) {
    files[index] = {
      path: file.path,
      text: file.text.replace(/^published: (\S+)$/m, (_, date: string) => {
        const earlier = new Date(Date.parse(date) - 400 * 86_400_000);
        return `published: ${earlier.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
      }),
    };
    return 'back-date';
  }
  files.splice(index, 1);
  return 'remove';
}

/** The lists, feeds and indexes: every publish rewrites some of them, so readers ask for them most. */
const INDEX_PATHS = [
  '/',
  '/section/news',
  '/section/russia',
  '/section/economy',
  '/section/economy?page=2',
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/section/russia/atom.xml',
  '/feeds.opml',
  '/sitemap.xml',
  '/api/v1/articles',
  '/api/v1/changes',
];

/** Every URL a reader, feed reader or partner may ask for, at each publish's state. */
function urlsOf(files: ArticleFile[]): string[] {
  const paths = new Set(INDEX_PATHS);
  for (const file of files) {
    const id = /^id: (\d+)$/m.exec(file.text)?.[1];
    if (id) {
      // The id route redirects any date and slug to the article's path: a fixed one serves every state.
      paths.add(`/Detail/2000/01/01/${id}/x`);
      paths.add(`/api/v1/articles/${id}`);
    }
  }
  const urls: string[] = [];
  for (const host of HOSTS) for (const path of paths) urls.push(`https://${host}${path}`);
  return urls;
}

/**
 * Hooks for a file that runs the simulation: a controlled clock, and silence for the 503 lines
 * that readers before the first manifest log (expected there).
 */
export function useSimulationClock(): void {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterAll(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
}

export interface SimulationResult {
  violations: string[];
  requests: number;
  publishes: string[];
  /** Responses built from reads that were not settled, by verdict: the cases the layout exists for. */
  unsettled: Record<string, number>;
}

/**
 * Runs one seed: `publishes` publishes with readers at every location before, during and after
 * each, then one settled read of every URL everywhere. Returns every invariant violation seen.
 */
export async function simulate(
  seed: number,
  options: { publishes: number; legacy?: boolean },
): Promise<SimulationResult> {
  const random = seededRandom(seed);
  const run = `sim-${seed}-${options.legacy ? 'legacy' : 'current'}-${crypto.randomUUID()}`;
  const kv = new EventualKv({
    locations: LOCATIONS,
    maxDelayMs: MAX_DELAY_MS,
    cacheTtlMs: KV_CACHE_TTL_MS,
    random,
    legacy: options.legacy ?? false,
  });
  const publisher = kv.publisher();
  const base = repositoryContent();
  const files: ArticleFile[] = base.articles.map((a) => ({ path: a.path, text: a.text }));
  const truths: Map<string, Answer>[] = [];
  const states: ReturnType<EventualKv['snapshot']>[] = [];
  const allUrls = new Set<string>();
  const violations: string[] = [];
  const log: string[] = [];
  let requests = 0;
  const unsettled: Record<string, number> = {};
  let clock = START;
  vi.setSystemTime(clock);
  const advance = (ms: number) => {
    clock += Math.max(1, Math.floor(ms));
    vi.setSystemTime(clock);
  };

  const truthOf = async (gen: number, url: string): Promise<Answer> => {
    const known = truths[gen]?.get(url);
    if (known) return known;
    const state = states[gen];
    if (!state) throw new Error(`no state for generation ${gen}`);
    const answer = await fetchThrough(settledKv(state), `${run}-truth-${gen}`, url, '0');
    truths[gen]?.set(url, answer);
    return answer;
  };

  let settledFrom = Number.POSITIVE_INFINITY;
  const lastMiss = new Map<string, string>();
  const indexUrls = HOSTS.flatMap((host) => INDEX_PATHS.map((path) => `https://${host}${path}`));
  const read = async () => {
    const urls = random() < 0.7 ? indexUrls : [...allUrls];
    const url = urls[Math.floor(random() * urls.length)];
    const location = Math.floor(random() * LOCATIONS);
    const locationKv = kv.locations[location];
    if (!url || !locationKv) return;
    requests++;
    const answer = await fetchThrough(locationKv, `${run}-loc${location}`, url, '1048576');
    if (answer.consistency) unsettled[answer.consistency] = (unsettled[answer.consistency] ?? 0) + 1;
    if (DEBUG_SIMULATION && answer.cache === 'miss')
      lastMiss.set(
        `${location} ${url}`,
        `t+${Math.round((clock - START) / 1000)} ${answer.consistency ?? 'settled'} ${answer.text.slice(-60)}`,
      );
    const at = `seed ${seed}, t+${Math.round((clock - START) / 1000)} s, location ${location}, ${url}`;
    if (answer.cache === 'hit' && answer.status === 200) {
      // A cached response is exactly some generation's response, never a mix or a pinned stale read.
      let matched = false;
      for (let gen = 0; gen < states.length && !matched; gen++)
        matched = (await truthOf(gen, url)).text === answer.text;
      if (!matched) {
        violations.push(`${at}: cached body matches no published state`);
        if (DEBUG_SIMULATION) {
          const known = await Promise.all(states.map((_, gen) => truthOf(gen, url)));
          const sketch = (text: string) =>
            `${[...text.matchAll(/"seq":(\d+),"type":"(\w+)","id":(\d+)/g)].map((m) => `${m[1]}${m[2]?.[0]}${m[3]}`).join(' ')} | ${text.slice(-80)}`;
          console.info(
            JSON.stringify({
              at,
              miss: lastMiss.get(`${location} ${url}`),
              body: sketch(answer.text),
              truths: known.map((k) => sketch(k.text)),
            }),
          );
        }
      }
    }
    if (clock >= settledFrom) {
      const expected = await truthOf(states.length - 1, url);
      if (expected.status !== answer.status || expected.text !== answer.text)
        violations.push(
          `${at}: ${answer.status} after the settle bound, not the latest state (${expected.status})`,
        );
    }
  };
  // A busy site: every location asks for the lists and feeds every few seconds.
  const readFor = async (ms: number) => {
    const end = clock + ms;
    while (clock < end) {
      advance(500 + random() * 2500);
      await read();
      await read();
    }
  };

  for (let step = 0; step <= options.publishes; step++) {
    const change = step === 0 ? 'first publish' : mutate(files, random, step);
    log.push(change);
    const input = { ...base, articles: files.map((f) => ({ ...f })) };
    const content = await signedByTestKey(compileContent(input));
    const prepared = await preparePublish(content, publisher, new Date(clock), {
      signingKey: await testSigningKey(),
    });
    settledFrom = Number.POSITIVE_INFINITY;
    // The write plan's phases take time, and readers keep reading in between.
    await applyPlan(prepared.plan, {
      put: async (writes, phase) => {
        await publisher.put(writes, phase);
        await readFor(random() * 4000);
      },
      delete: async (keys) => {
        await publisher.delete(keys);
      },
    });
    states.push(kv.snapshot());
    truths.push(new Map());
    for (const url of urlsOf(files)) allUrls.add(url);
    settledFrom = clock + SETTLE_BOUND_MS;
    await readFor(30_000 + random() * 90_000);
    // Sometimes the next publish comes before this one has settled; otherwise readers find it settled.
    if (random() < 0.6) {
      if (clock < settledFrom) advance(settledFrom - clock);
      await readFor(10_000);
    }
  }

  // Settled: every URL, at every location, is exactly the last publish's.
  if (clock < settledFrom) advance(settledFrom - clock);
  for (const url of allUrls) {
    for (let location = 0; location < LOCATIONS; location++) {
      const locationKv = kv.locations[location];
      if (!locationKv) continue;
      requests++;
      const answer = await fetchThrough(locationKv, `${run}-loc${location}`, url, '1048576');
      const expected = await truthOf(states.length - 1, url);
      if (expected.status !== answer.status || expected.text !== answer.text)
        violations.push(`seed ${seed}, settled, location ${location}, ${url}: not the latest state`);
    }
  }
  return { violations, requests, publishes: log, unsettled };
}
