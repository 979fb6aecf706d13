// How a section's list is cut into KV values: fixed chronological buckets numbered from the oldest,
// so a new article rewrites only the head (and at most one bucket that just closed), never old pages.
// Shared by publish (which writes the shards) and the worker (which maps ?page=N to one shard).

/** Articles per bucket, and so per reader page beyond the first. */
export const SECTION_BUCKET_SIZE = 10;

/** A stored shard: the section head (reader page 1) or closed bucket N (1 = oldest articles). */
export type SectionShard = 'head' | number;

/** Buckets that `articles` fill, the newest possibly partly: bucket b holds positions [(b-1)·S, b·S). */
export function countBuckets(articles: number): number {
  return Math.ceil(articles / SECTION_BUCKET_SIZE);
}

/**
 * Reader pages of a section. Page 1 (the head) shows the open bucket and the newest closed one,
 * so it never holds fewer than a bucket's worth (between S+1 and 2·S items once a section has
 * more than one bucket); every older page is exactly one closed bucket.
 */
export function countSectionPages(articles: number): number {
  return Math.max(1, countBuckets(articles) - 1);
}

/** The one shard a reader page is read from; page must be within countSectionPages. */
export function shardOfPage(articles: number, page: number): SectionShard {
  return page === 1 ? 'head' : countBuckets(articles) - page;
}

/** Closed buckets, each stored under its own key: every bucket the head does not cover. */
export function countStoredBuckets(articles: number): number {
  return Math.max(0, countBuckets(articles) - 2);
}

/**
 * Articles per feed archive document (RFC 5005 §4). The same fixed buckets as above with a larger
 * size: archives carry full text, and 25 bodies of a few hundred KiB stay far below KV's 25 MiB
 * value limit, while a subscription feed (the open bucket and the newest closed one) keeps at most
 * 50 items, as before archives existed.
 */
export const FEED_ARCHIVE_SIZE = 25;

/** Closed feed archives, each stored once: every archive bucket the subscription feed does not cover. */
export function countFeedArchives(articles: number): number {
  return Math.max(0, Math.ceil(articles / FEED_ARCHIVE_SIZE) - 2);
}

/** Archive buckets that `articles` fill: a number above the stored ones names a bucket still in the feed. */
export function countFeedBuckets(articles: number): number {
  return Math.ceil(articles / FEED_ARCHIVE_SIZE);
}

/**
 * Cuts a list (newest first) into its stored shards: closed buckets 1 … countStoredBuckets (oldest
 * first; bucket b holds chronological positions [(b-1)·S, b·S), so it never changes once full) and
 * the head with the rest. Used for sections, tags and authors alike.
 */
export function cutShards<T>(newestFirst: readonly T[]): { head: T[]; buckets: T[][] } {
  const total = newestFirst.length;
  const stored = countStoredBuckets(total);
  const buckets: T[][] = [];
  for (let bucket = 1; bucket <= stored; bucket++) {
    const end = total - (bucket - 1) * SECTION_BUCKET_SIZE;
    buckets.push(newestFirst.slice(end - SECTION_BUCKET_SIZE, end));
  }
  return { head: newestFirst.slice(0, total - stored * SECTION_BUCKET_SIZE), buckets };
}
