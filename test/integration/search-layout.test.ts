// The search index across a change of its shard count, on the real edge's terms: an isolate that
// still holds the manifest from before the change finds every word it found before, the old
// layout's parts stay stored for the settling window and go with the first publish after it, and
// an archive that shrinks by a few articles keeps its count rather than moving every term back.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CompiledContent, type ContentInput, compileContent } from '../../src/content/compile';
import { applyPlan, preparePublish } from '../../src/publish/pipeline';
import { shardOf } from '../../src/search/index-format';
import { queryTerms } from '../../src/search/query';
import { SETTLING_WINDOW_SECONDS } from '../../src/storage/consistency';
import { manifestKey } from '../../src/storage/keys';
import type { Manifest } from '../../src/storage/records';
import { applyDueReleases } from '../../src/storage/scheduled-release';
import { repositoryContent } from '../support/content';
import { EventualKv, seededRandom } from '../support/eventual-kv';
import { signedByTestKey, testSigningKey } from '../support/publish';
import { fetchWorker, PRIMARY } from '../support/request';

const START = Date.parse('2026-03-01T08:00:00Z');
/** The largest archive of 16 shards (search/index-format.ts): one article more makes 32. */
const SIXTEEN_SHARDS_MAX = 1024;
const FIRST_ID = 800_001;

/**
 * Made-up words, each in one article, whose shard under 32 is not their shard under 16: a reader
 * of the 16-shard layout finds them in a part that the 32-shard layout gave to other terms.
 */
const WORDS = Array.from({ length: 400 }, (_, n) => `zorvath${n.toString(36)}`)
  .filter((word) => {
    const [term] = queryTerms(word);
    return term !== undefined && shardOf(term, 32) !== shardOf(term, 16);
  })
  .slice(0, 4);

/** An article published at `at`: in the future of a publish, it is staged as a release. */
function articleAt(id: number, at: string) {
  return {
    path: `content/articles/layout/${id}.md`,
    text: `---\nid: ${id}\ntitle: Harbour report at ${at}\nsection: economy\npublished: ${at}\n---\n\nShips.\n`,
  };
}

/** The sample's drafts: compiled but never published, so not counted in an archive's size. */
const SAMPLE_DRAFTS = compileContent(repositoryContent()).drafts;

/** `size` published articles (the sample's and made-up ones), and `scheduled` ones on top. */
function archive(size: number, scheduled: { id: number; at: string }[] = []): ContentInput {
  const base = repositoryContent();
  const articles = [...base.articles, ...scheduled.map(({ id, at }) => articleAt(id, at))];
  for (let n = 0; articles.length < size + scheduled.length + SAMPLE_DRAFTS; n++) {
    const id = FIRST_ID + n;
    const word = WORDS[n] ?? 'routine';
    articles.push({
      path: `content/articles/layout/${id}.md`,
      text: [
        '---',
        `id: ${id}`,
        `title: Harbour report ${n}`,
        'section: economy',
        `published: ${new Date(Date.parse('2024-01-01T00:00:00Z') + n * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
        '---',
        '',
        `The harbour office counted ships today, ${word} among the cargo.`,
        '',
      ].join('\n'),
    });
  }
  return { ...base, articles };
}

let kv = new EventualKv({ locations: 1, maxDelayMs: 0, cacheTtlMs: 0, random: seededRandom(7) });
let location = kv.locations[0] as KVNamespace;
/** The search parts the worker read, in order: which layout an isolate used. */
const partsRead: string[] = [];
const reader = {
  get: (key: string, type: 'text') => location.get(key, type),
  getWithMetadata: (key: string, type: 'text') => {
    if (key.startsWith('search:')) partsRead.push(key);
    return location.getWithMetadata(key, type);
  },
} as unknown as KVNamespace;

/** The layouts (`search:v2:{count}:`) of the parts read by `run`. */
async function layoutsReadBy(run: () => Promise<unknown>): Promise<string[]> {
  partsRead.length = 0;
  await run();
  return [...new Set(partsRead.map((key) => /^search:v2:\d+:/.exec(key)?.[0] ?? key))];
}
let clock = START;

function at(ms: number): void {
  clock = ms;
  vi.setSystemTime(clock);
}

/** Each archive compiled once: compiling is a pure function of its input, and nothing changes what it returns. */
const compiled = new Map<string, CompiledContent>();
function compiledArchive(size: number, scheduled: { id: number; at: string }[]): CompiledContent {
  const key = JSON.stringify([size, scheduled]);
  let content = compiled.get(key);
  if (!content) {
    content = compileContent(archive(size, scheduled));
    compiled.set(key, content);
  }
  return content;
}

async function publishArchive(
  size: number,
  scheduled: { id: number; at: string }[] = [],
): Promise<{ writes: string[]; deletes: string[] }> {
  const content = await signedByTestKey(compiledArchive(size, scheduled));
  const prepared = await preparePublish(content, kv.publisher(), new Date(clock), {
    signingKey: await testSigningKey(),
  });
  await applyPlan(prepared.plan, kv.publisher());
  return {
    writes: prepared.plan.phases.flatMap((phase) => [...phase.writes].map((write) => write.key)),
    deletes: prepared.plan.deletes,
  };
}

/** The articles a search on this isolate's reader finds, through the worker; its manifest memo lasts 30 s. */
async function found(word: string): Promise<number[]> {
  const response = await fetchWorker(`https://${PRIMARY}/search?q=${word}`, {
    ARTICLES: reader,
    SITE_MANIFEST_TTL_SECONDS: '30',
    EDGE_MEMORY_CACHE_BYTES: '0',
    EDGE_CACHE_NAME: `search-layout-${clock}-${word}`,
  });
  expect(response.status, word).toBe(200);
  return [...(await response.text()).matchAll(/\/Detail\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//g)].map((m) =>
    Number(m[1]),
  );
}

/** The manifest as the publisher left it. */
function manifestOf(): Manifest {
  return JSON.parse(kv.latest(manifestKey())?.value ?? 'null') as Manifest;
}

async function searchKeys(): Promise<string[]> {
  return [...(await kv.publisher().listKeys()).keys()].filter((key) => key.startsWith('search:')).sort();
}

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at(START);
});
afterAll(() => {
  vi.useRealTimers();
});

describe('a change of the search index’s shard count', () => {
  it('keeps every word findable for an isolate holding the manifest from before', async () => {
    expect(WORDS).toHaveLength(4);
    await publishArchive(SIXTEEN_SHARDS_MAX);
    expect(manifestOf().searchIndex?.shards).toBe(16);
    const before = await searchKeys();
    // The isolate reads the 16-shard manifest, and keeps it for 30 s.
    expect(await found(WORDS[0] ?? '')).toEqual([FIRST_ID]);

    at(START + 5_000);
    await publishArchive(SIXTEEN_SHARDS_MAX + 10);
    expect(manifestOf().searchIndex?.shards).toBe(32);
    at(START + 10_000);
    const during = await layoutsReadBy(async () => {
      for (const [n, word] of WORDS.entries()) expect(await found(word), word).toEqual([FIRST_ID + n]);
    });
    // Read through the manifest it holds: the 16-shard parts, intact.
    expect(during).toEqual(['search:v2:16:']);
    // The parts the old manifest names are still stored, beside the new layout's.
    const stored = await searchKeys();
    for (const key of before) expect(stored, key).toContain(key);

    // Once its memo runs out, the isolate reads the new manifest and the new layout.
    at(START + 40_000);
    const after = await layoutsReadBy(async () => {
      for (const [n, word] of WORDS.entries()) expect(await found(word), word).toEqual([FIRST_ID + n]);
    });
    expect(after).toEqual(['search:v2:32:']);
  });

  it('deletes the old layout’s parts with the first publish after the settling window', async () => {
    const old = (await searchKeys()).filter((key) => key.startsWith('search:v2:16:'));
    expect(old.length).toBeGreaterThan(16);
    at(START + 5_000 + (SETTLING_WINDOW_SECONDS - 60) * 1000);
    expect((await publishArchive(SIXTEEN_SHARDS_MAX + 10)).deletes).toEqual([]);
    at(START + 5_000 + (SETTLING_WINDOW_SECONDS + 1) * 1000);
    const { writes, deletes } = await publishArchive(SIXTEEN_SHARDS_MAX + 10);
    expect(deletes).toEqual(old);
    expect(writes).toEqual(['site:v1']);
    expect((await searchKeys()).every((key) => key.startsWith('search:v2:32:'))).toBe(true);
    at(clock + 60_000);
    for (const [n, word] of WORDS.entries()) expect(await found(word), word).toEqual([FIRST_ID + n]);
  });

  it('stays at its count when the archive shrinks back across the doubling', async () => {
    const kept = await searchKeys();
    at(clock + 60_000);
    const { writes } = await publishArchive(SIXTEEN_SHARDS_MAX - 10);
    expect(manifestOf().searchIndex?.shards).toBe(32);
    // Only parts that held the ten removed articles' words change; no term moves to another part.
    const searchWrites = writes.filter((key) => key.startsWith('search:'));
    expect(searchWrites.length).toBeGreaterThan(0);
    expect(searchWrites.length).toBeLessThan(32);
    for (const key of searchWrites) expect(kept, key).toContain(key);
    at(clock + 60_000);
    expect(await found(WORDS[1] ?? '')).toEqual([FIRST_ID + 1]);
  });

  it('keeps the old layout through a release that changes the count, dated from when the cron applied it', async () => {
    kv = new EventualKv({ locations: 1, maxDelayMs: 0, cacheTtlMs: 0, random: seededRandom(8) });
    location = kv.locations[0] as KVNamespace;
    const release = '2026-03-02T08:00:00Z';
    at(START);
    // 1,024 articles live, and one more at `release`: the release brings the 32-shard layout.
    await publishArchive(SIXTEEN_SHARDS_MAX, [{ id: 900_001, at: release }]);
    expect(manifestOf().searchIndex?.shards).toBe(16);
    const old = (await searchKeys()).filter((key) => key.startsWith('search:v2:16:'));
    expect(old.length).toBeGreaterThan(16);

    // The cron comes two hours late, and applies what publish staged.
    const applied = Date.parse(release) + 2 * 3_600_000;
    at(applied);
    const writable = {
      get: async (key: string) => kv.latest(key)?.value ?? null,
      put: async (key: string, value: string, options?: { metadata?: unknown }) =>
        kv.write(key, value, options?.metadata ?? null),
      delete: async (key: string) => kv.write(key, null, null),
    } as unknown as KVNamespace;
    expect(await applyDueReleases(writable, applied)).toHaveLength(1);
    expect(manifestOf().searchIndex).toEqual({
      shards: 32,
      since: new Date(applied).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    // The release deleted none of the parts an isolate on the manifest before it reads.
    const stored = await searchKeys();
    for (const key of old) expect(stored, key).toContain(key);

    // A publish within the settling window of the apply keeps them; one after it deletes them.
    at(applied + 60_000);
    const within = await publishArchive(SIXTEEN_SHARDS_MAX, [{ id: 900_001, at: release }]);
    expect(within.deletes.filter((key) => key.startsWith('search:'))).toEqual([]);
    at(applied + (SETTLING_WINDOW_SECONDS + 1) * 1000);
    const past = await publishArchive(SIXTEEN_SHARDS_MAX, [{ id: 900_001, at: release }]);
    expect(past.deletes).toEqual(old);
  });
});
