// A partner walking `updated_since` (the `modified` scope, cut by content: api/paging.ts
// cutByContent) while publishes correct, remove, add and backdate articles between its pages:
// every page comes within the read budget, nothing is repeated, and every article that stood in
// the scope all along, untouched, older than the walk's start and inside `since`, is served, as is
// every article added during the walk below where it stood (backdated) and left alone since. The
// worker's read (api/list-read.ts) over buckets stored and decoded as KV holds them, buckets and
// anchors always of one publish (a location that reads them from two may expire a cursor).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { MAX_LIST_READS, readListPage } from '../../src/api/list-read';
import {
  type AnchorList,
  cutByContent,
  isOlder,
  type OrderKey,
  orderKeyOf,
  sortNewestFirst,
} from '../../src/api/paging';
import { type ApiArticleSummary, anchorListSchema, listBucketSchema } from '../../src/api/schemas';
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

/** The scope as a publish stores it, read back through the schemas the worker decodes with. */
function stored(articles: Iterable<Article>) {
  const summaries = [...articles].map(summaryOf);
  const { buckets, anchors } = cutByContent(sortNewestFirst(summaries, 'modified'), (summary) =>
    orderKeyOf(summary, 'modified'),
  );
  const records = new Map<number | 'head', unknown>();
  for (const bucket of buckets) {
    const text = JSON.stringify(bucket);
    records.set(bucket.bucket, JSON.parse(text));
    if (bucket.newest) records.set('head', JSON.parse(text));
  }
  const anchorText = JSON.stringify(anchors);
  return {
    bucket: async (bucket: number | 'head') => {
      const record = records.get(bucket);
      return record === undefined ? null : z.parse(listBucketSchema, record);
    },
    anchors: async (): Promise<AnchorList> => z.parse(anchorListSchema, JSON.parse(anchorText)),
  };
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
          const served: ApiArticleSummary[] = [];
          let cursor: { after: OrderKey; bucket: number } | undefined;
          let ended = false;
          const read = async () => {
            // Every storage read of this page counted: buckets and anchors within the budget.
            let reads = 0;
            const counted = {
              bucket: (bucket: number | 'head') => {
                reads++;
                return source.bucket(bucket);
              },
              anchors: () => {
                reads++;
                return source.anchors();
              },
            };
            const page = await readListPage(counted, {
              ...(cursor && { cursor }),
              byContent: true,
              order: 'modified',
              limit,
              ...(sinceMs !== undefined && { since: sinceMs }),
              matches: () => true,
            });
            expect(page).not.toBe('expired');
            expect(reads).toBeLessThanOrEqual(MAX_LIST_READS);
            if (page === 'expired') return;
            served.push(...page.items);
            cursor = page.next ?? undefined;
            ended = page.next === null;
          };
          for (const step of [...steps, { pages: Number.POSITIVE_INFINITY, changes: [] }]) {
            for (let page = 0; page < step.pages && !ended; page++) await read();
            if (ended) break;
            const ids = [...articles.keys()];
            for (const each of step.changes) {
              const id =
                each.kind !== 'add' && each.anchor && cursor
                  ? cursor.bucket
                  : ids[each.pick % Math.max(1, ids.length)];
              const article = id === undefined ? undefined : articles.get(id);
              if (each.kind === 'add') {
                const published = each.backdated ? START + (each.pick % (hour + 1)) * HOUR : clock;
                const added = { id: nextId, published };
                articles.set(nextId, added);
                if (cursor && isOlder(keyOf(added), cursor.after)) addedAhead.add(nextId);
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

          // Newest first throughout, so nothing twice.
          const keys = served.map((summary) => orderKeyOf(summary, 'modified'));
          keys.forEach((key, i) => {
            const before = keys[i - 1];
            if (before) expect(isOlder(key, before)).toBe(true);
          });
          const servedIds = new Set(served.map((summary) => summary.id));
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
