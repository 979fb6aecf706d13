// The change log's append step on its own: what a publish logs, and how it recovers the entries
// of a publish that stopped after writing its log pages but before its manifest. And an edit by
// key's (appendEdits): from the edited articles alone, the same pages as from the whole archive.
import { describe, expect, it } from 'vitest';
import { CHANGES_PAGE_SIZE } from '../../src/api/paging';
import type { ApiArticle, Change, ChangesPage } from '../../src/api/schemas';
import { appendChanges, appendEdits } from '../../src/publish/changes';
import { apiArticleBody } from '../../src/publish/indexes/api-records';
import { memoryRecordStores, type RecordStore } from '../../src/publish/record-store';
import { sha256Hex } from '../../src/shared/digest';
import { apiArticleKey, changesPageKey } from '../../src/storage/keys';

const STAMP = '2026-05-01T00:00:00Z';

function article(id: number, title = `Article ${id}`): ApiArticle {
  return {
    id,
    guid: `tag:www.presstv.ir,2022-01-01:${id}`,
    title,
    summary: 'Summary.',
    url: `https://origin.mirrorwire.invalid/Detail/2022/01/01/${id}/A`,
    canonical_url: `https://www.presstv.ir/Detail/2022/01/01/${id}/A`,
    section: 'news',
    tags: [],
    author: null,
    image: null,
    published: `2022-01-01T00:00:${String(id % 60).padStart(2, '0')}Z`,
    updated: null,
    body_html: '<p>Body.</p>',
  };
}

async function storedFor(articles: ApiArticle[]): Promise<Map<string, string>> {
  const stored = new Map<string, string>();
  for (const a of articles) stored.set(apiArticleKey(a.id), await sha256Hex(apiArticleBody(a)));
  return stored;
}

const live = (articles: ApiArticle[]) => new Map(articles.map((a) => [a.id, a]));

function pageEntries(pages: RecordStore, page: number): Change[] {
  const text = pages.get(changesPageKey(page));
  return text ? (JSON.parse(text) as ChangesPage).entries : [];
}

describe('appendChanges', () => {
  it('appends nothing and writes no page when nothing changed', async () => {
    const articles = [article(1), article(2)];
    const update = await appendChanges(
      live(articles),
      { head: 2, tail: [], stored: await storedFor(articles), removedGuids: new Map() },
      STAMP,
    );
    expect(update.head).toBe(2);
    expect(update.pages.size).toBe(0);
  });

  it('logs new and changed articles as upserts and missing ones as removals', async () => {
    const before = [article(1), article(2), article(3)];
    const after = [article(1), article(2, 'Changed'), article(4)];
    const update = await appendChanges(
      live(after),
      { head: 3, tail: [], stored: await storedFor(before), removedGuids: new Map([[3, 'guid-3']]) },
      STAMP,
    );
    expect(update.head).toBe(6);
    expect(pageEntries(update.pages, 0).map((e) => [e.seq, e.type, e.id])).toEqual([
      [4, 'upsert', 2],
      [5, 'upsert', 4],
      [6, 'removal', 3],
    ]);
  });

  it('keeps the entries of an interrupted publish, and corrects one that no longer holds', async () => {
    // The interrupted publish logged an upsert of 5 (and wrote it) and the removal of 6, then
    // stopped; since then 6 was restored. The stored hashes already include 5.
    const articles = [article(5), article(6)];
    const tail: Change[] = [
      { seq: 1, type: 'upsert', id: 5, guid: article(5).guid, changed_at: STAMP, article: article(5) },
      { seq: 2, type: 'removal', id: 6, guid: article(6).guid, removed_at: STAMP },
    ];
    const update = await appendChanges(
      live(articles),
      { head: 0, tail, stored: await storedFor(articles), removedGuids: new Map() },
      STAMP,
    );
    expect(update.head).toBe(3);
    expect(pageEntries(update.pages, 0).map((e) => [e.seq, e.type, e.id])).toEqual([
      [1, 'upsert', 5],
      [2, 'removal', 6],
      [3, 'upsert', 6],
    ]);
  });

  it('fills the last page before starting the next', async () => {
    const articles = Array.from({ length: 60 }, (_, i) => article(i + 1));
    const update = await appendChanges(
      live(articles),
      { head: 0, tail: [], stored: new Map(), removedGuids: new Map() },
      STAMP,
    );
    expect(update.head).toBe(60);
    expect(pageEntries(update.pages, 0)).toHaveLength(50);
    expect(pageEntries(update.pages, 1).map((e) => e.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => 51 + i),
    );
  });

  it('makes each upsert’s article when its page is written, not every article before the first page', async () => {
    // A first publish logs every article: held until the pages were written, their records were a
    // large archive's whole API, reachable at once.
    const articles = Array.from({ length: 120 }, (_, i) => article(i + 1));
    const events: string[] = [];
    const lookup = {
      has: (id: number) => id >= 1 && id <= articles.length,
      keys: () => articles.map((a) => a.id).values(),
      get: (id: number) => {
        events.push(`made ${id}`);
        const found = articles[id - 1];
        return found && { ...found };
      },
    };
    const stores = () => {
      const store = memoryRecordStores();
      const add = store.add.bind(store);
      store.add = async (key, value) => {
        events.push(`wrote ${key}`);
        await add(key, value);
      };
      return store;
    };
    const update = await appendChanges(
      lookup,
      { head: 0, tail: [], stored: new Map(), removedGuids: new Map() },
      STAMP,
      stores,
    );
    expect(update.head).toBe(120);
    for (const page of [0, 1, 2]) {
      const entries = pageEntries(update.pages, page);
      const wrote = events.indexOf(`wrote ${changesPageKey(page)}`);
      const previous = page === 0 ? -1 : events.indexOf(`wrote ${changesPageKey(page - 1)}`);
      for (const entry of entries) {
        if (entry.type !== 'upsert') throw new Error(`entry ${entry.seq} is not an upsert`);
        expect(entry.article).toEqual(articles[entry.id - 1]);
        // The record the page holds was made after the page before it was written.
        expect(events.lastIndexOf(`made ${entry.id}`), `article ${entry.id}`).toBeGreaterThan(previous);
        expect(events.lastIndexOf(`made ${entry.id}`)).toBeLessThan(wrote);
      }
    }
  });
});

describe('appendEdits', () => {
  // A log whose head sits just before a page's end, so that two edits fill it and start the next.
  const articles = Array.from({ length: 60 }, (_, i) => article(i + 1));
  const tailOf = (head: number): Change[] =>
    articles
      .slice(0, head % CHANGES_PAGE_SIZE)
      .map((each, i) => ({ seq: head - (head % CHANGES_PAGE_SIZE) + i + 1, ...upsertOf(each) }));
  const upsertOf = (each: ApiArticle) =>
    ({ type: 'upsert', id: each.id, guid: each.guid, changed_at: STAMP, article: each }) as const;

  it('appends, for the edited articles alone, what appendChanges appends for the whole archive', async () => {
    const stored = await storedFor(articles);
    for (const edits of [[7], [40, 3], [12, 12 + 1, 59]]) {
      const after = articles.map((each) => (edits.includes(each.id) ? article(each.id, 'Corrected') : each));
      const head = CHANGES_PAGE_SIZE * 3 - 1;
      const state = { head, tail: tailOf(head), stored, removedGuids: new Map() };
      const whole = await appendChanges(live(after), state, STAMP);
      // Given in the order edited, not the log's.
      const edited = edits.map((id) => after.find((each) => each.id === id) as ApiArticle);
      const byKey = await appendEdits(live(edited), state, STAMP);
      expect(whole.head).toBe(head + edits.length);
      expect(byKey?.head, String(edits)).toBe(whole.head);
      expect([...(byKey?.pages ?? [])], String(edits)).toEqual([...whole.pages]);
    }
  });

  it('appends nothing for an article unchanged, and declines what only the whole archive can log', async () => {
    const stored = await storedFor(articles);
    const head = 70;
    const state = { head, tail: tailOf(head), stored, removedGuids: new Map() };
    const same = await appendEdits(live([articles[4] as ApiArticle]), state, STAMP);
    expect(same?.head).toBe(head);
    expect(same?.pages.size).toBe(0);
    // An article KV holds no record of is not an edit.
    expect(await appendEdits(live([article(99)]), state, STAMP)).toBeUndefined();
    // Entries past the head (a publish that stopped before its manifest), or pages lost.
    const pendingTail = [...state.tail, { seq: head + 1, ...upsertOf(article(8, 'Pending')) }];
    expect(
      await appendEdits(live([article(9, 'X')]), { ...state, tail: pendingTail }, STAMP),
    ).toBeUndefined();
    expect(
      await appendEdits(live([article(9, 'X')]), { ...state, lostPages: new Set([0]) }, STAMP),
    ).toBeUndefined();
  });
});
