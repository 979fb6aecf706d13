// Exactly-once change log: a publish killed at any point of its write plan (once, or again while
// re-running) and then re-run logs each change once, in order, exactly as if it had never stopped;
// and partners replaying /api/v1/changes through the worker get that same log.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContentInput, compileContent } from '../../src/content/compile';
import {
  applyPlan,
  type PublishSource,
  type PublishTarget,
  preparePublish,
} from '../../src/publish/pipeline';
import { repositoryArticles } from '../support/content';
import { EventualKv, seededRandom, settledKv } from '../support/eventual-kv';
import { signedByTestKey, testSigningKey } from '../support/publish';
import { fetchWithBindings } from '../support/request';
import { sweepSize } from '../support/sweep-size';

const NOW = new Date('2026-03-01T08:00:00Z');
const LATER = new Date('2026-03-01T09:00:00Z');

/**
 * Eight sample articles, none a draft: every publish here builds the site again, for each kill the
 * property draws, and eight logged articles are as many kill points as the change log needs.
 */
const PUBLISHED = [675712, 675715, 675738, 675752, 675768, 675790, 675904, 675909];
const sampleContent = () => repositoryArticles(PUBLISHED);

/** The archive after an editor's session: two edits, a removal, two new articles. */
function edited(): ContentInput {
  const base = sampleContent();
  const articles = base.articles.map((file, index) =>
    index === 1 || index === 4 ? { ...file, text: `${file.text.trimEnd()}\n\nA later paragraph.\n` } : file,
  );
  articles.splice(7, 1);
  for (const id of [690001, 690002]) {
    articles.push({
      path: `content/articles/new/${id}.md`,
      text: `---\nid: ${id}\ntitle: New report ${id}\nsection: russia\npublished: 2022-05-0${id - 690000}T10:00:00Z\n---\n\nBody ${id}.\n`,
    });
  }
  return { ...base, articles };
}

class Killed extends Error {}

/** The store's target, stopping dead (as a killed process would) after `budget` writes and deletes. */
function killedAfter(store: PublishSource & PublishTarget, budget: number): PublishTarget {
  let left = budget;
  const spend = () => {
    if (left-- <= 0) throw new Killed();
  };
  return {
    put: async (writes, phase) => {
      for (const write of writes) {
        spend();
        await store.put([write], phase);
      }
    },
    delete: async (keys) => {
      for (const key of keys) {
        spend();
        await store.delete([key]);
      }
    },
  };
}

async function run(
  store: PublishSource & PublishTarget,
  input: ContentInput,
  now: Date,
  target: PublishTarget = store,
) {
  const content = await signedByTestKey(compileContent(input));
  const prepared = await preparePublish(content, store, now, { signingKey: await testSigningKey() });
  await applyPlan(prepared.plan, target);
  return prepared;
}

/** Every committed change-log entry, without its time stamp (a re-run happens later). */
function committedLog(kv: EventualKv): unknown[] {
  const manifest = JSON.parse(kv.latest('site:v1')?.value ?? 'null') as { changes?: { head: number } };
  const head = manifest.changes?.head ?? 0;
  const entries: Record<string, unknown>[] = [];
  for (let page = 0; page * 50 < head; page++) {
    const value = kv.latest(`changes:v1:${page}`)?.value;
    if (!value) throw new Error(`change-log page ${page} is missing`);
    entries.push(...(JSON.parse(value) as { entries: Record<string, unknown>[] }).entries);
  }
  return entries
    .filter((entry) => Number(entry.seq) <= head)
    .map(({ changed_at: _c, removed_at: _r, ...entry }) => entry);
}

function freshStore(): EventualKv {
  return new EventualKv({ locations: 0, maxDelayMs: 0, cacheTtlMs: 0, random: seededRandom(1) });
}

const reference = (async () => {
  const kv = freshStore();
  await run(kv.publisher(), sampleContent(), NOW);
  const prepared = await run(kv.publisher(), edited(), LATER);
  const operations =
    prepared.plan.phases.reduce((n, p) => n + p.writes.length, 0) + prepared.plan.deletes.length;
  // Release records retired would come before every write and move each kill point: there are none.
  expect(prepared.plan.retire).toEqual([]);
  const removed = prepared.plan.deletes.find((key) => key.startsWith('api:v1:article:'));
  return { log: committedLog(kv), operations, deletes: prepared.plan.deletes.length, removed };
})();

describe('a publish killed and re-run', () => {
  it('logs each change once, in order, wherever it was killed, even twice', async () => {
    const { log, operations } = await reference;
    // Every article published, then 2 edits, 1 removal, 2 new.
    expect(log.length).toBe(PUBLISHED.length + 5);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: operations }),
        fc.option(fc.integer({ min: 0, max: operations }), { nil: undefined }),
        async (firstKill, secondKill) => {
          const kv = freshStore();
          const store = kv.publisher();
          await run(store, sampleContent(), NOW);
          for (const kill of [firstKill, secondKill]) {
            if (kill === undefined) continue;
            // A budget larger than what is left lets the run finish: a kill after the end.
            await run(store, edited(), LATER, killedAfter(store, kill)).catch((error: unknown) => {
              if (!(error instanceof Killed)) throw error;
            });
          }
          await run(store, edited(), LATER);
          expect(committedLog(kv)).toEqual(log);
          // A further publish of the same content has nothing left to do.
          const content = await signedByTestKey(compileContent(edited()));
          const again = await preparePublish(content, store, LATER, { signingKey: await testSigningKey() });
          expect(again.plan.phases.flatMap((p) => [...p.writes])).toEqual([]);
        },
      ),
      { numRuns: sweepSize({ fast: 6, long: 20 }) },
    );
  }, 120_000);

  it('logs a removal once when killed while deleting, after its manifest was written', async () => {
    const { log, operations, deletes, removed = '' } = await reference;
    // The removed article's records are among the deletes, which come after the manifest.
    expect(removed).not.toBe('');
    expect(deletes).toBeGreaterThan(1);
    for (const kill of [operations - deletes, operations - deletes + 1, operations - 1]) {
      const kv = freshStore();
      const store = kv.publisher();
      await run(store, sampleContent(), NOW);
      await expect(run(store, edited(), LATER, killedAfter(store, kill))).rejects.toBeInstanceOf(Killed);
      // Killed before its first delete, the removed article's record is still listed: the next
      // publish must take it as gone already, not log its removal again.
      if (kill === operations - deletes)
        expect(kv.latest(removed)?.value ?? null, `kill ${kill}`).not.toBeNull();
      await run(store, edited(), LATER);
      expect(committedLog(kv), `kill ${kill}`).toEqual(log);
      expect(kv.latest(removed)?.value ?? null, `kill ${kill}`).toBeNull();
    }
  });

  it('serves partners the same log through /api/v1/changes', async () => {
    const { log } = await reference;
    const kv = freshStore();
    const store = kv.publisher();
    await run(store, sampleContent(), NOW);
    await expect(run(store, edited(), LATER, killedAfter(store, 30))).rejects.toThrow(Killed);
    await run(store, edited(), LATER);
    const served: unknown[] = [];
    let token: string | undefined;
    const articles = settledKv(kv.snapshot());
    for (let more = true; more; ) {
      const query = token ? `?since=${token}` : '';
      const response = await fetchWithBindings(`https://www.presstv.ir/api/v1/changes${query}`, {
        ARTICLES: articles,
        API_RATE_LIMITER: { limit: async () => ({ success: true }) } as unknown as RateLimit,
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        data: Record<string, unknown>[];
        next_token: string;
        has_more: boolean;
      };
      for (const { changed_at: _c, removed_at: _r, ...entry } of body.data) served.push(entry);
      token = body.next_token;
      more = body.has_more;
    }
    expect(served.map((e) => (e as { seq: number }).seq)).toEqual(log.map((e) => (e as { seq: number }).seq));
    expect(served.length).toBe(log.length);
  });
});
