// The change log behind GET /api/v1/changes: each publish appends one entry per article it
// published or changed (upsert, with the whole article) and per article it removed (tombstone).
// Pure: the publish pipeline gathers the stored state (pipeline.ts) and writes the pages.

import { CHANGES_PAGE_SIZE } from '../api/paging';
import type { ApiArticle, Change, ChangesPage } from '../api/schemas';
import { sha256Hex } from '../shared/digest';
import { apiArticleIdOf, apiArticleKey, changesPageKey } from '../storage/keys';
import { type ApiArticleLookup, apiArticleBody } from './indexes/api-records';
import { memoryRecordStores, type RecordStore, type RecordStoreFactory } from './record-store';
import type { StoredHashLookup } from './stored-hashes';

export interface ChangeLogState {
  /** Last entry a completed publish committed (in the manifest); 0 before the first. */
  head: number;
  /**
   * Stored entries of page head/size onwards. Entries past the head were written by a publish
   * that stopped before its manifest: their article writes may have happened, so they are kept.
   */
  tail: Change[];
  /** Hash recorded in KV metadata for every stored key (api:v1:article:{id} among them). */
  stored: StoredHashLookup;
  /** guid of each article whose API record is stored but no longer produced. */
  removedGuids: ReadonlyMap<number, string>;
  /** Pages found unreadable by a repair: rewritten as lost, and every live article logged again. */
  lostPages?: ReadonlySet<number>;
  /**
   * The hash of an article's API record when known without making it (build-records.ts
   * rememberedApiHashes); otherwise the record is made and hashed.
   */
  knownHash?: (id: number) => string | undefined;
}

export interface ChangeLogUpdate {
  head: number;
  /** Pages to write (only those that gained entries). */
  pages: RecordStore;
}

/** Ids of stored API article records that this publish no longer produces: removed or drafted. */
export function removedIds(stored: Iterable<string>, articles: Pick<ApiArticleLookup, 'has'>): number[] {
  const ids: number[] = [];
  for (const key of stored) {
    const id = apiArticleIdOf(key);
    if (id !== null && !articles.has(id)) ids.push(id);
  }
  return ids.sort((a, b) => a - b);
}

type Unnumbered<T> = T extends Change ? Omit<T, 'seq'> : never;

/** An article's API record by id, made each time it is asked for; one not published is an error. */
function recordsIn(articles: ApiArticleLookup): (id: number) => ApiArticle {
  return (id) => {
    const article = articles.get(id);
    if (article === undefined) throw new Error(`no API record for article ${id}`);
    return article;
  };
}

function upsert(article: ApiArticle, stamp: string): Unnumbered<Change> {
  return { type: 'upsert', id: article.id, guid: article.guid, changed_at: stamp, article };
}

function removal(id: number, guid: string, stamp: string): Unnumbered<Change> {
  return { type: 'removal', id, guid, removed_at: stamp };
}

/**
 * Compares what this publish produces with what KV holds (by the hash of each API record) and
 * appends the difference: upserts oldest first, then removals by id. An unchanged publish appends
 * nothing and writes no page.
 */
export async function appendChanges(
  articles: ApiArticleLookup,
  state: ChangeLogState,
  stamp: string,
  stores: RecordStoreFactory = memoryRecordStores,
): Promise<ChangeLogUpdate> {
  const committed = state.tail.filter((entry) => entry.seq <= state.head);
  const lostPages = state.lostPages ?? new Set<number>();
  const resync = lostPages.size > 0;
  const pending: Change[] = [];
  for (const entry of state.tail) {
    if (entry.seq === state.head + pending.length + 1) pending.push(entry);
  }

  // A publish killed after writing its log pages but before its records left entries that already
  // state these changes: the re-run must not state them again (each change is logged once).
  const lastPending = new Map(pending.map((entry) => [entry.id, entry]));
  const loggedAlready = (id: number, live: ApiArticle | undefined): boolean => {
    const entry = lastPending.get(id);
    if (!entry) return false;
    return entry.type === 'upsert'
      ? live !== undefined && apiArticleBody(live) === apiArticleBody(entry.article)
      : live === undefined;
  };

  // What this publish appends, in order: an upsert is kept as its article's id and made again when
  // its page is written. Holding every upsert's whole article until then (a first publish logs
  // every article) kept 100,000 API records reachable at once until the pages were written.
  const fresh: (number | Unnumbered<Change>)[] = [];
  // By id: an article whose hash is known is not made at all unless it changed (ApiArticles).
  const recordOf = recordsIn(articles);
  const changed: { id: number; published: number }[] = [];
  for (const id of articles.keys()) {
    // Made here to hash it when its hash is not known, and made again for its page if it changed
    // (the lookup makes a new record each time it is asked): a first publish makes each twice.
    const known = state.knownHash?.(id);
    const record = known === undefined ? recordOf(id) : undefined;
    const hash = record ? await sha256Hex(apiArticleBody(record)) : known;
    if (resync || state.stored.get(apiArticleKey(id)) !== hash)
      changed.push({ id, published: Date.parse((record ?? recordOf(id)).published) });
  }
  // Oldest first, by publication and then id.
  changed.sort((a, b) => a.published - b.published || a.id - b.id);
  for (const { id } of changed) {
    if (!lastPending.has(id) || !loggedAlready(id, recordOf(id))) fresh.push(id);
  }
  // Committed removals whose deletes did not all happen (a kill after the manifest) are not news either.
  const lastCommitted = new Map(committed.map((entry) => [entry.id, entry.type]));
  for (const id of removedIds(state.stored.keys(), articles)) {
    if (loggedAlready(id, undefined) || (!lastPending.has(id) && lastCommitted.get(id) === 'removal'))
      continue;
    fresh.push(removal(id, state.removedGuids.get(id) ?? '', stamp));
  }

  // A pending entry whose effect this publish does not restate may have been overtaken (a file
  // restored or edited again since): one more entry puts the log back in line with what is live.
  const mentioned = new Set(fresh.map((entry) => (typeof entry === 'number' ? entry : entry.id)));
  for (const [id, entry] of lastPending) {
    const live = articles.get(id);
    if (mentioned.has(id) || loggedAlready(id, live)) continue;
    fresh.push(live ? upsert(live, stamp) : removal(id, entry.guid, stamp));
  }

  if (pending.length === 0 && fresh.length === 0 && !resync) return { head: state.head, pages: stores() };
  return writePages({ head: state.head, committed, pending, lostPages }, fresh, recordOf, stamp, stores);
}

/**
 * The change log after an edit by key: an upsert for each of `edited` (the edited articles alone)
 * whose API record's hash differs from what KV holds, oldest first, as appendChanges would append
 * for the whole archive when nothing else changed. It does not look for removals, nor for what a
 * publish that stopped left: with entries past the head, or pages lost, undefined (the publish of
 * every article sorts those out), and likewise for an article KV holds no record of (not an edit).
 */
export async function appendEdits(
  edited: ApiArticleLookup,
  state: ChangeLogState,
  stamp: string,
  stores: RecordStoreFactory = memoryRecordStores,
): Promise<ChangeLogUpdate | undefined> {
  if (state.tail.some((entry) => entry.seq > state.head) || (state.lostPages?.size ?? 0) > 0)
    return undefined;
  const recordOf = recordsIn(edited);
  const changed: { id: number; published: number }[] = [];
  for (const id of edited.keys()) {
    const stored = state.stored.get(apiArticleKey(id));
    if (stored === undefined) return undefined;
    const record = recordOf(id);
    if (stored !== (await sha256Hex(apiArticleBody(record))))
      changed.push({ id, published: Date.parse(record.published) });
  }
  if (changed.length === 0) return { head: state.head, pages: stores() };
  // Oldest first, by publication and then id, as appendChanges orders them.
  changed.sort((a, b) => a.published - b.published || a.id - b.id);
  const committed = state.tail.filter((entry) => entry.seq <= state.head);
  const fresh = changed.map(({ id }) => id);
  return writePages(
    { head: state.head, committed, pending: [], lostPages: new Set() },
    fresh,
    recordOf,
    stamp,
    stores,
  );
}

/**
 * The pages that gain `fresh` after the log's head and its pending entries (and the lost ones,
 * rewritten), each upsert's article made by `recordOf` as its page is written.
 */
async function writePages(
  log: { head: number; committed: Change[]; pending: Change[]; lostPages: ReadonlySet<number> },
  fresh: readonly (number | Unnumbered<Change>)[],
  recordOf: (id: number) => ApiArticle,
  stamp: string,
  stores: RecordStoreFactory,
): Promise<ChangeLogUpdate> {
  const { committed, pending, lostPages } = log;
  const base = log.head + pending.length;
  // The stored entries (a page's worth and the pending ones) come before every new one.
  const before = [...committed, ...pending];
  const head = base + fresh.length;
  /** The new entry numbered `seq`, its upsert's article made now. */
  const numbered = (seq: number): Change => {
    const entry = fresh[seq - base - 1];
    if (entry === undefined) throw new Error(`no change is numbered ${seq}`);
    return { seq, ...(typeof entry === 'number' ? upsert(recordOf(entry), stamp) : entry) } as Change;
  };

  const pages = stores();
  const firstPage = Math.floor(log.head / CHANGES_PAGE_SIZE);
  const lastPage = Math.floor((head - 1) / CHANGES_PAGE_SIZE);
  const rewritten = new Set(lostPages);
  for (let page = firstPage; page <= lastPage; page++) rewritten.add(page);
  for (const page of [...rewritten].sort((a, b) => a - b)) {
    const low = page * CHANGES_PAGE_SIZE;
    const high = low + CHANGES_PAGE_SIZE;
    const entries = before.filter((entry) => entry.seq > low && entry.seq <= high);
    for (let seq = Math.max(low, base) + 1; seq <= Math.min(high, head); seq++) entries.push(numbered(seq));
    const record: ChangesPage = { page, entries, ...(lostPages.has(page) && { lost: true as const }) };
    await pages.add(changesPageKey(page), JSON.stringify(record));
  }
  return { head, pages };
}
