// Keyset pagination over precomputed buckets, shared by publish (which cuts a scope into buckets)
// and the worker (which serves a page from one bucket). Pure: no bindings, no clock.
import type { ApiArticleSummary, ListBucket } from './schemas';
import { LIMIT_MAX } from './schemas';

/** Articles per bucket, counted from the oldest: adding newer articles never moves older ones. */
export const LIST_BUCKET_SIZE = 100;
/** Older items repeated from the bucket below, so a page of any limit comes from one record. */
export const LIST_OVERLAP = LIMIT_MAX;
/** Newer items repeated from the bucket above: a cursor survives a few backdated inserts in one read. */
export const LIST_SLACK = 20;
/**
 * Beyond this many articles since the last cut, the `modified` scope is cut anyway (cutByContent).
 * Such a cut counts from the one before, so a correction that takes an article out of its run
 * moves it, and those after it (an edit by key declines it). Runs are about geometric, of mean
 * LIST_BUCKET_SIZE: about one article in 60 stands in a run this long, where four times
 * LIST_BUCKET_SIZE left one in 11. Its bucket holds up to 720 summaries, which at the content
 * limits is still a value KV takes (test/unit/list-bucket-limits.test.ts): half as many again
 * would not be.
 */
export const MAX_RUN = 6 * LIST_BUCKET_SIZE;
/** Entries per change-log page. Part of the v1 key layout: changing it needs a new key version. */
export const CHANGES_PAGE_SIZE = 50;

/** `published`: newest first by publication; `modified`: by last update (updated ?? published). */
export type ListOrder = 'published' | 'modified';

/** Position in an order: time in ms, then id (higher first) to break ties. */
export interface OrderKey {
  t: number;
  i: number;
}

/** Where a cursor stands: the last item served, and the bucket whose run holds it (a hint). */
export interface CursorPlace {
  after: OrderKey;
  bucket: number;
}

/** What an order reads of an item: a summary as stored, or the article it shows at publish time. */
export interface Ordered {
  id: number;
  published: string;
  updated?: string | null;
}

export function orderKeyOf(item: Ordered, order: ListOrder): OrderKey {
  const time = order === 'modified' ? (item.updated ?? item.published) : item.published;
  return { t: Date.parse(time), i: item.id };
}

/** Whether `a` comes after `b` in a newest-first walk. */
export function isOlder(a: OrderKey, b: OrderKey): boolean {
  return a.t < b.t || (a.t === b.t && a.i < b.i);
}

/** `keyOf` may remember keys: publish sorts each article into a handful of scopes. */
export function sortNewestFirst<T extends Ordered>(
  items: readonly T[],
  order: ListOrder,
  keyOf: (item: T) => OrderKey = (item) => orderKeyOf(item, order),
): T[] {
  const keyed = items.map((item) => ({ item, key: keyOf(item) }));
  // Publish hands over most scopes in this order already (its articles are newest first): one pass
  // finds out, where sorting 100,000 keys took most of a second.
  let previous: OrderKey | undefined;
  const ordered = keyed.every(({ key }) => {
    const inPlace = previous === undefined || !isOlder(previous, key);
    previous = key;
    return inPlace;
  });
  if (ordered) return items.slice();
  return keyed
    .sort((a, b) => (isOlder(a.key, b.key) ? 1 : isOlder(b.key, a.key) ? -1 : 0))
    .map(({ item }) => item);
}

/** A bucket record as cut, over whatever stands for its items (ListBucket holds their summaries). */
export type Bucket<T> = Omit<ListBucket, 'items'> & { items: T[] };

/**
 * Whether the scope is cut right after this article (cutByContent): true for about one article in
 * LIST_BUCKET_SIZE, decided by its id alone, the same wherever the article stands.
 */
export function cutsAfter(id: number): boolean {
  // A 32-bit integer mix (the finaliser of MurmurHash3), so neighbouring ids cut independently.
  let h = id | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % LIST_BUCKET_SIZE === 0;
}

/**
 * Cuts the `modified` scope (newest first) where its articles say, not by position: right after
 * each article for which cutsAfter holds (and after MAX_RUN articles without one). A correction
 * moves its article from its old place to the newest end, and a cut by position would shift, and
 * rewrite, every bucket above the old place; here the bucket it leaves and the one it joins change,
 * and those that repeat it as a neighbour. Each bucket is numbered by its anchor, the id of the
 * article the cut below it follows (0 for the oldest), names its neighbours (`older`, `newer`), and
 * holds, besides its own run (`own`), the LIST_SLACK newer and LIST_OVERLAP older articles next to
 * it, as cutBuckets' records do. `anchors` lists every bucket's anchor with the anchor's place, for
 * a cursor whose bucket is gone (anchorBucketOf).
 */
export function cutByContent<T extends { id: number }>(
  newestFirst: readonly T[],
  keyOf: (item: T) => OrderKey,
): { buckets: Bucket<T>[]; anchors: AnchorList } {
  const oldestFirst = [...newestFirst].reverse();
  const runs: { bucket: number; from: number; to: number }[] = [];
  const anchors: AnchorList = { anchors: [] };
  let from = 0;
  oldestFirst.forEach((item, index) => {
    const last = index === oldestFirst.length - 1;
    if (!last && !cutsAfter(item.id) && index + 1 - from < MAX_RUN) return;
    runs.push({ bucket: anchors.anchors.at(-1)?.[0] ?? 0, from, to: index + 1 });
    if (!last) {
      const { t, i } = keyOf(item);
      anchors.anchors.push([i, t]);
    }
    from = index + 1;
  });
  const buckets = runs.map((run, index) => {
    const bottom = Math.max(0, run.from - LIST_OVERLAP);
    const top = Math.min(oldestFirst.length, run.to + LIST_SLACK);
    return {
      bucket: run.bucket,
      newest: index === runs.length - 1,
      items: oldestFirst.slice(bottom, top).reverse(),
      // Newest first: the slack comes before the bucket's own run, the overlap after it.
      own: [top - run.to, top - run.from] as [number, number],
      older: runs[index - 1]?.bucket ?? null,
      newer: runs[index + 1]?.bucket ?? null,
    };
  });
  return { buckets, anchors };
}

/** Stored beside the `modified` scope's buckets: each anchor (cutByContent) as [id, time in ms], oldest first. */
export interface AnchorList {
  anchors: [id: number, t: number][];
}

/** The bucket of the `modified` scope whose run holds the articles just older than `after`. */
export function anchorBucketOf(list: AnchorList, after: OrderKey): number {
  // The newest anchor older than `after`: its bucket runs from just above it up to `after` or past.
  let low = 0;
  let high = list.anchors.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const [i, t] = list.anchors[middle] ?? [0, 0];
    if (isOlder({ t, i }, after)) low = middle + 1;
    else high = middle;
  }
  return list.anchors[low - 1]?.[0] ?? 0;
}

/** How many buckets cutBuckets cuts a scope of `count` articles into (the newest is the last). */
export function bucketCount(count: number): number {
  return Math.ceil(count / LIST_BUCKET_SIZE);
}

/** Cuts a scope (newest first) into bucket records; bucket n holds positions n*SIZE … from the oldest. */
export function cutBuckets<T>(newestFirst: readonly T[]): Bucket<T>[] {
  const oldestFirst = [...newestFirst].reverse();
  const count = oldestFirst.length;
  const buckets = bucketCount(count);
  const records: Bucket<T>[] = [];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const bottom = Math.max(0, bucket * LIST_BUCKET_SIZE - LIST_OVERLAP);
    const top = Math.min(count, (bucket + 1) * LIST_BUCKET_SIZE + LIST_SLACK);
    records.push({
      bucket,
      newest: bucket === buckets - 1,
      bottom,
      items: oldestFirst.slice(bottom, top).reverse(),
    });
  }
  return records;
}

export interface PageQuery {
  order: ListOrder;
  limit: number;
  /** The last item the client has seen: the page starts right after it. */
  after?: OrderKey;
  /** Stop at the first item modified before this time (ms). */
  since?: number;
  /** Filters the bucket's scope does not apply by itself. */
  matches: (item: ApiArticleSummary) => boolean;
}

export type PageSelection =
  | { type: 'page'; items: ApiArticleSummary[]; next: CursorPlace | null }
  /** The cursor's item has moved to another bucket since it was issued: read that one instead. */
  | { type: 'elsewhere'; bucket: number };

/**
 * Serves one page from one bucket. The bucket is a contiguous run of the scope's order, so the
 * items after the cursor in it are exactly the scope's next items, as long as the run reaches back
 * to the cursor (or is the newest) — otherwise the cursor's neighbourhood is in another bucket.
 */
export function selectPage(record: ListBucket, query: PageQuery): PageSelection {
  const { items } = record;
  const keys = items.map((item) => orderKeyOf(item, query.order));
  // A bucket cut by content (cutByContent) names its neighbours; one cut by position is numbered in order.
  const linked = record.own !== undefined;
  const oldest = linked ? record.older === null : record.bottom === 0;
  let start = 0;
  if (query.after) {
    const after = query.after;
    const first = keys[0];
    // (A linked record names `newer` unless it is the newest, and `older` unless it is the oldest.)
    if (!record.newest && (!first || isOlder(first, after))) {
      return { type: 'elsewhere', bucket: linked ? (record.newer ?? record.bucket) : record.bucket + 1 };
    }
    start = keys.findIndex((key) => isOlder(key, after));
    if (start < 0) {
      if (oldest) return { type: 'page', items: [], next: null };
      return { type: 'elsewhere', bucket: linked ? (record.older ?? record.bucket) : record.bucket - 1 };
    }
  }
  const page: ApiArticleSummary[] = [];
  let last = -1;
  for (let index = start; index < items.length && page.length < query.limit; index++) {
    const item = items[index];
    const key = keys[index];
    if (!item || !key) break;
    if (query.since !== undefined && key.t < query.since) return { type: 'page', items: page, next: null };
    last = index;
    if (query.matches(item)) page.push(item);
  }
  const lastKey = keys[last];
  const following = keys[last + 1];
  const endOfScope = last === items.length - 1 && oldest;
  const pastSince = query.since !== undefined && following !== undefined && following.t < query.since;
  if (!lastKey || endOfScope || pastSince) return { type: 'page', items: page, next: null };
  return { type: 'page', items: page, next: { after: lastKey, bucket: bucketHolding(record, last) } };
}

/** The bucket whose own run holds the record's item at `index` (or, past its own run, the next one towards it). */
function bucketHolding(record: ListBucket, index: number): number {
  if (record.own === undefined) {
    const position = (record.bottom ?? 0) + (record.items.length - 1 - index);
    return Math.floor(position / LIST_BUCKET_SIZE);
  }
  const [from, to] = record.own;
  if (index < from) return record.newer ?? record.bucket;
  if (index >= to) return record.older ?? record.bucket;
  return record.bucket;
}

/** The key part that names a tag's scope: case-insensitive, safe in a KV key. */
export function tagScope(tag: string): string {
  return `tag:${encodeURIComponent(tag.toLowerCase())}`;
}

export function sectionScope(slug: string): string {
  return `section:${slug}`;
}
