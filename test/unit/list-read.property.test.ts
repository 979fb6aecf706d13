// A partner walking `updated_since` (the `modified` scope, cut by content: api/paging.ts
// cutByContent) while publishes correct, remove, add and backdate articles between its pages:
// every page comes within the read budget, nothing is repeated, and every article that stood in
// the scope all along, untouched, older than the walk's start and inside `since`, is served, as is
// every article added during the walk below where it stood (backdated) and left alone since. The
// worker's read (api/list-read.ts) over buckets stored and decoded as KV holds them, buckets and
// anchors always of one publish (a location that reads them from two may expire a cursor). The same
// for a scope cut by position (every other scope): with fewer than 20 articles removed or backdated
// between two pages, no cursor expires, including one whose bucket the archive shrank below.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type ListRequest, type ListSource, MAX_LIST_READS, readListPage } from '../../src/api/list-read';
import {
  type AnchorList,
  type CursorPlace,
  cutBuckets,
  cutByContent,
  isOlder,
  LIST_SLACK,
  type ListOrder,
  type OrderKey,
  orderKeyOf,
  sortNewestFirst,
} from '../../src/api/paging';
import {
  type ApiArticleSummary,
  anchorListSchema,
  type ListBucket,
  listBucketSchema,
} from '../../src/api/schemas';
import { sweepSize } from '../support/sweep-size';

const HOUR = 3_600_000;
const START = Date.UTC(2020, 0, 1);

interface Article {
  id: number;
  published: number;
  updated?: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const keyOf = (article: Article): OrderKey => ({ t: article.updated ?? article.published, i: article.id });

/** What a summary needs for the order and the page; the rest of it is the same for every article. */
function summaryOf(article: Article): ApiArticleSummary {
  return {
    id: article.id,
    guid: `tag:example.org,2020:${article.id}`,
    title: `Article ${article.id}`,
    summary: '',
    url: `https://origin.mirrorwire.invalid/${article.id}`,
    canonical_url: `https://example.org/${article.id}`,
    section: 'news',
    tags: [],
    author: null,
    image: null,
    published: iso(article.published),
    updated: article.updated === undefined ? null : iso(article.updated),
  };
}

/** Freezes `value` and everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const each of Object.values(value)) deepFreeze(each);
    Object.freeze(value);
  }
  return value;
}

/**
 * A stored record as the worker reads it: its text decoded through the worker's schema. Decoded
 * once, on the first read, and frozen: a walk of an archive page by page reads the same few records
 * hundreds of times, and decoding (or copying) them anew for each read took most of this file's
 * time. A read that changed a record it was given would fail here rather than pass unseen.
 */
function decodedOnce<T>(text: string, schema: z.ZodMiniType<T>): () => T {
  let decoded: T | undefined;
  return () => {
    decoded ??= deepFreeze(z.parse(schema, JSON.parse(text)));
    return decoded;
  };
}

/** The scope as a publish stores it, read back through the schemas the worker decodes with. */
function stored(articles: Iterable<Article>) {
  const summaries = [...articles].map(summaryOf);
  const { buckets, anchors } = cutByContent(sortNewestFirst(summaries, 'modified'), (summary) =>
    orderKeyOf(summary, 'modified'),
  );
  const records = new Map<number | 'head', () => ListBucket>();
  for (const bucket of buckets) {
    const text = JSON.stringify(bucket);
    records.set(bucket.bucket, decodedOnce(text, listBucketSchema));
    if (bucket.newest) records.set('head', decodedOnce(text, listBucketSchema));
  }
  const anchorList = decodedOnce(JSON.stringify(anchors), anchorListSchema);
  return {
    bucket: async (bucket: number | 'head') => records.get(bucket)?.() ?? null,
    anchors: async (): Promise<AnchorList> => anchorList(),
  };
}

/** One page read, every storage read counted: never expired, and within the read budget. */
async function readWithinBudget(source: ListSource, request: ListRequest) {
  let reads = 0;
  const counted: ListSource = {
    bucket: (bucket) => {
      reads++;
      return source.bucket(bucket);
    },
    anchors: () => {
      reads++;
      return source.anchors();
    },
  };
  const page = await readListPage(counted, request);
  expect(page).not.toBe('expired');
  expect(reads).toBeLessThanOrEqual(MAX_LIST_READS);
  return page === 'expired' ? undefined : page;
}

/** A partner's walk: pages read one after another, each from the cursor the one before gave. */
function walker(request: Omit<ListRequest, 'cursor'>) {
  const served: ApiArticleSummary[] = [];
  let cursor: CursorPlace | undefined;
  let ended = false;
  return {
    served,
    get cursor() {
      return cursor;
    },
    get ended() {
      return ended;
    },
    async page(source: ListSource) {
      const page = await readWithinBudget(source, { ...request, ...(cursor && { cursor }) });
      if (!page) return;
      served.push(...page.items);
      cursor = page.next ?? undefined;
      ended = page.next === null;
    },
  };
}

/** The ids served, checked newest first throughout, so nothing twice. */
function newestFirstOnce(served: readonly ApiArticleSummary[], order: ListOrder): Set<number> {
  const keys = served.map((summary) => orderKeyOf(summary, order));
  keys.forEach((key, i) => {
    const before = keys[i - 1];
    if (before) expect(isOlder(key, before)).toBe(true);
  });
  return new Set(served.map((summary) => summary.id));
}

// A change picks an article at random, or the anchor of the cursor's bucket (the bucket's number):
// corrected, it moves to the newest end and its number names a bucket there; removed, it is gone.
const change = fc.oneof(
  fc.record({ kind: fc.constant('correct' as const), anchor: fc.boolean(), pick: fc.nat() }),
  fc.record({ kind: fc.constant('remove' as const), anchor: fc.boolean(), pick: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), backdated: fc.boolean(), pick: fc.nat() }),
);

describe('a walk of `updated_since` while the archive changes', () => {
  it('stays within the read budget, repeats nothing and skips nothing that stood still', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          count: fc.integer({ min: 0, max: 700 }),
          firstId: fc.integer({ min: 1, max: 5_000_000 }),
          // Articles an hour apart, some at the same instant.
          sameHour: fc.array(fc.nat(700), { maxLength: 40 }),
          limit: fc.constantFrom(1, 7, 20, 100),
          // As a share of the archive's span, so that most walks have something to walk.
          since: fc.option(fc.double({ min: 0, max: 0.9, noNaN: true }), { nil: undefined }),
          steps: fc.array(
            fc.record({ pages: fc.integer({ min: 1, max: 6 }), changes: fc.array(change, { maxLength: 8 }) }),
            {
              maxLength: 8,
            },
          ),
        }),
        async ({ count, firstId, sameHour, limit, since, steps }) => {
          const same = new Set(sameHour);
          const articles = new Map<number, Article>();
          let hour = 0;
          for (let i = 0; i < count; i++) {
            if (!same.has(i)) hour++;
            articles.set(firstId + i, { id: firstId + i, published: START + hour * HOUR });
          }
          let nextId = firstId + count;
          let clock = START + (hour + 1) * HOUR;
          const sinceMs = since === undefined ? undefined : START + Math.floor(since * hour) * HOUR;
          const inScope = (article: Article) => sinceMs === undefined || keyOf(article).t >= sinceMs;
          const atStart = [...articles.values()].filter(inScope);
          const touched = new Set<number>();
          // Added, backdated, below where the walk stood, and left alone since: ahead of the walk.
          const addedAhead = new Set<number>();

          let source = stored(articles.values());
          const walk = walker({
            byContent: true,
            order: 'modified',
            limit,
            ...(sinceMs !== undefined && { since: sinceMs }),
            matches: () => true,
          });
          for (const step of [...steps, { pages: Number.POSITIVE_INFINITY, changes: [] }]) {
            for (let page = 0; page < step.pages && !walk.ended; page++) await walk.page(source);
            if (walk.ended) break;
            const ids = [...articles.keys()];
            for (const each of step.changes) {
              const id =
                each.kind !== 'add' && each.anchor && walk.cursor
                  ? walk.cursor.bucket
                  : ids[each.pick % Math.max(1, ids.length)];
              const article = id === undefined ? undefined : articles.get(id);
              if (each.kind === 'add') {
                const published = each.backdated ? START + (each.pick % (hour + 1)) * HOUR : clock;
                const added = { id: nextId, published };
                articles.set(nextId, added);
                if (walk.cursor && isOlder(keyOf(added), walk.cursor.after)) addedAhead.add(nextId);
                touched.add(nextId++);
              } else if (article && each.kind === 'remove') {
                articles.delete(article.id);
                touched.add(article.id);
                addedAhead.delete(article.id);
              } else if (article) {
                articles.set(article.id, { ...article, updated: clock });
                touched.add(article.id);
                addedAhead.delete(article.id);
              }
              clock += HOUR;
            }
            source = stored(articles.values());
          }

          const servedIds = newestFirstOnce(walk.served, 'modified');
          for (const article of atStart)
            if (!touched.has(article.id))
              expect(servedIds.has(article.id), `article ${article.id}`).toBe(true);
          // A backdated article published below the walk's position is still ahead of it: served.
          for (const id of addedAhead) {
            const article = articles.get(id);
            if (article && inScope(article)) expect(servedIds.has(id), `backdated article ${id}`).toBe(true);
          }
        },
      ),
      { numRuns: sweepSize({ fast: 40, long: 600 }) },
    );
  });
});

/** The scope as a publish stores it cut by position (every scope but `modified`: paging.ts cutBuckets). */
function storedByPosition(articles: Iterable<Article>) {
  const summaries = [...articles].map(summaryOf);
  const records = new Map<number | 'head', () => ListBucket>();
  for (const bucket of cutBuckets(sortNewestFirst(summaries, 'published'))) {
    const text = JSON.stringify(bucket);
    records.set(bucket.bucket, decodedOnce(text, listBucketSchema));
    if (bucket.newest) records.set('head', decodedOnce(text, listBucketSchema));
  }
  return {
    bucket: async (bucket: number | 'head') => records.get(bucket)?.() ?? null,
    anchors: async () => null,
  };
}

// Between two pages, at most LIST_SLACK articles removed or backdated: fewer than either overlap of
// a bucket (100 older, 20 newer), so the cursor's place is always within reach.
const positionalChange = fc.record({ remove: fc.boolean(), backdated: fc.boolean(), pick: fc.nat() });

describe('a walk of a scope cut by position while the archive changes', () => {
  it('never expires while fewer than 20 articles move between pages, repeats nothing and skips nothing that stood still', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          // Often just past a bucket's end: the newest bucket holds a few articles of its own, and
          // removals can take it away under the cursor (the reader steps down to the one below).
          count: fc.oneof(
            fc.integer({ min: 0, max: 700 }),
            fc
              .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }))
              .map(([b, n]) => b * 100 + n),
          ),
          firstId: fc.integer({ min: 1, max: 5_000_000 }),
          limit: fc.constantFrom(1, 1, 7, 20, 100),
          steps: fc.array(
            fc.record({
              pages: fc.integer({ min: 1, max: 6 }),
              // Some steps only remove, so that the archive shrinks below the cursor's bucket.
              changes: fc.oneof(
                fc.array(positionalChange, { maxLength: LIST_SLACK - 1 }),
                fc.array(
                  positionalChange.map((change) => ({ ...change, remove: true })),
                  { minLength: 10, maxLength: LIST_SLACK - 1 },
                ),
              ),
            }),
            { maxLength: 8 },
          ),
        }),
        async ({ count, firstId, limit, steps }) => {
          const articles = new Map<number, Article>();
          for (let i = 0; i < count; i++)
            articles.set(firstId + i, { id: firstId + i, published: START + (i + 1) * HOUR });
          let nextId = firstId + count;
          let clock = START + (count + 1) * HOUR;
          const atStart = [...articles.values()];
          const touched = new Set<number>();
          const addedAhead = new Set<number>();
          let source = storedByPosition(articles.values());
          const walk = walker({
            byContent: false,
            order: 'published',
            limit,
            matches: () => true,
          });
          for (const step of [...steps, { pages: Number.POSITIVE_INFINITY, changes: [] }]) {
            for (let page = 0; page < step.pages && !walk.ended; page++) await walk.page(source);
            if (walk.ended) break;
            for (const each of step.changes) {
              const ids = [...articles.keys()];
              const id = ids[each.pick % Math.max(1, ids.length)];
              if (each.remove && id !== undefined) {
                articles.delete(id);
                touched.add(id);
                addedAhead.delete(id);
              } else if (!each.remove) {
                // Backdated: anywhere in the archive's span, at a minute of its own.
                const published = each.backdated ? START + (each.pick % (count + 1)) * HOUR + 60_000 : clock;
                const added = { id: nextId, published };
                articles.set(nextId, added);
                if (walk.cursor && isOlder({ t: published, i: nextId }, walk.cursor.after))
                  addedAhead.add(nextId);
                touched.add(nextId++);
              }
              clock += HOUR;
            }
            source = storedByPosition(articles.values());
          }

          const servedIds = newestFirstOnce(walk.served, 'published');
          for (const article of atStart)
            if (!touched.has(article.id))
              expect(servedIds.has(article.id), `article ${article.id}`).toBe(true);
          for (const id of addedAhead)
            if (articles.has(id)) expect(servedIds.has(id), `backdated article ${id}`).toBe(true);
        },
      ),
      { numRuns: sweepSize({ fast: 40, long: 600 }) },
    );
  });

  it('steps down to the bucket below when the archive shrank under the cursor', async () => {
    // 105 articles: the newest bucket (1) holds five of its own; a page of one leaves the cursor in it.
    const hourly = (count: number) =>
      Array.from({ length: count }, (_, i): Article => ({ id: i + 1, published: START + (i + 1) * HOUR }));
    const first = await readListPage(storedByPosition(hourly(105)), {
      byContent: false,
      order: 'published',
      limit: 1,
      matches: () => true,
    });
    if (first === 'expired' || !first.next) throw new Error('the first page has no cursor');
    expect(first.next.bucket).toBe(1);
    // Ten of the oldest removed: 95 articles, one bucket.
    const shrunk = storedByPosition(hourly(105).filter((article) => article.id > 10));
    const asked: (number | 'head')[] = [];
    const page = await readListPage(
      {
        bucket: (bucket) => {
          asked.push(bucket);
          return shrunk.bucket(bucket);
        },
        anchors: shrunk.anchors,
      },
      { cursor: first.next, byContent: false, order: 'published', limit: 1, matches: () => true },
    );
    expect(asked).toEqual([1, 0]);
    expect(page !== 'expired' && page.items.map((item) => item.id)).toEqual([104]);
  });
});
