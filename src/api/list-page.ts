// One page of GET /api/v1/articles exactly as it is sent, shared by the worker (any query, from a
// bucket) and the publish (each scope's first page, stored finished: api-records.ts), so that the
// stored first page and a page the worker builds for the same query are the same bytes.
import * as z from 'zod/mini';
import { type CursorPlace, selectPage } from './paging';
import {
  type ApiArticleSummary,
  type ArticleList,
  LIMIT_DEFAULT,
  type ListBucket,
  listBucketSchema,
} from './schemas';
import { encodeCursor } from './tokens';

/** What a cursor is tied to: the filters it was issued for, in the form it records them. */
export function listFilters(
  section: string | undefined,
  tagLower: string | undefined,
  since: number | undefined,
): string {
  return JSON.stringify([section ?? null, tagLower ?? null, since ?? null]);
}

/** The body `{ data, next_cursor }`, and the cursor on its own for the Link header. */
export function articleListBody(
  items: ApiArticleSummary[],
  next: CursorPlace | null,
  filters: string,
): { body: string; nextCursor: string | null } {
  const nextCursor = next && encodeCursor({ filters, bucket: next.bucket, after: next.after });
  const list: ArticleList = { data: items, next_cursor: nextCursor };
  return { body: JSON.stringify(list), nextCursor };
}

/**
 * The first page (no cursor, default limit) of a scope whose newest bucket is `head`, for a query
 * whose only filter is the scope's own (`filters`). `head` is the stored bucket as the worker
 * decodes it, so that its items serialise the same.
 */
export function firstPageBody(head: ListBucket, filters: string): string {
  if (!head.newest) throw new Error(`bucket ${head.bucket} is not the newest: no first page from it`);
  const selection = selectPage(head, { order: 'published', limit: LIMIT_DEFAULT, matches: () => true });
  if (selection.type !== 'page') throw new Error('a page without a cursor is always in the newest bucket');
  return articleListBody(selection.items, selection.next, filters).body;
}

/** A stored bucket's text as the worker reads it: JSON through the API's schema (throws if it does not decode). */
export function decodeListBucket(text: string): ListBucket {
  return z.parse(listBucketSchema, JSON.parse(text));
}

const NEXT_CURSOR = '"next_cursor":';

/**
 * The `next_cursor` of a finished list body, for its Link header: the body's last member, so it is
 * read from the end (a string inside `data` cannot hold the unescaped quotes of the member name).
 */
export function nextCursorOfBody(body: string): string | null {
  const at = body.lastIndexOf(NEXT_CURSOR);
  if (at < 0) return null;
  const value: unknown = JSON.parse(body.slice(at + NEXT_CURSOR.length, -1));
  return typeof value === 'string' ? value : null;
}
