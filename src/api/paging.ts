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
/** Entries per change-log page. Part of the v1 key layout: changing it needs a new key version. */
export const CHANGES_PAGE_SIZE = 50;

/** `published`: newest first by publication; `modified`: by last update (updated ?? published). */
export type ListOrder = 'published' | 'modified';

/** Position in an order: time in ms, then id (higher first) to break ties. */
export interface OrderKey {
  t: number;
  i: number;
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
  return items
    .map((item) => ({ item, key: keyOf(item) }))
    .sort((a, b) => (isOlder(a.key, b.key) ? 1 : isOlder(b.key, a.key) ? -1 : 0))
    .map(({ item }) => item);
}

/** A bucket record as cut, over whatever stands for its items (ListBucket holds their summaries). */
export type Bucket<T> = Omit<ListBucket, 'items'> & { items: T[] };

/** Cuts a scope (newest first) into bucket records; bucket n holds positions n*SIZE … from the oldest. */
export function cutBuckets<T>(newestFirst: readonly T[]): Bucket<T>[] {
  const oldestFirst = [...newestFirst].reverse();
  const count = oldestFirst.length;
  const buckets = Math.ceil(count / LIST_BUCKET_SIZE);
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
  | { type: 'page'; items: ApiArticleSummary[]; next: { after: OrderKey; bucket: number } | null }
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
  let start = 0;
  if (query.after) {
    const after = query.after;
    const first = keys[0];
    if (!record.newest && (!first || isOlder(first, after))) {
      return { type: 'elsewhere', bucket: record.bucket + 1 };
    }
    start = keys.findIndex((key) => isOlder(key, after));
    if (start < 0) {
      if (record.bottom === 0) return { type: 'page', items: [], next: null };
      return { type: 'elsewhere', bucket: record.bucket - 1 };
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
  const endOfScope = last === items.length - 1 && record.bottom === 0;
  const pastSince = query.since !== undefined && following !== undefined && following.t < query.since;
  if (!lastKey || endOfScope || pastSince) return { type: 'page', items: page, next: null };
  const position = record.bottom + (items.length - 1 - last);
  return {
    type: 'page',
    items: page,
    next: { after: lastKey, bucket: Math.floor(position / LIST_BUCKET_SIZE) },
  };
}

/** The key part that names a tag's scope: case-insensitive, safe in a KV key. */
export function tagScope(tag: string): string {
  return `tag:${encodeURIComponent(tag.toLowerCase())}`;
}

export function sectionScope(slug: string): string {
  return `section:${slug}`;
}
