// One page of an API list scope read from its stored buckets, following a cursor whose place has
// moved since it was issued (articles backdated, removed or, in `modified`, corrected). Shared by the
// worker's /api/v1/articles route and the paging property test; storage is passed in.
import { type AnchorList, anchorBucketOf, type CursorPlace, type PageQuery, selectPage } from './paging';
import type { ApiArticleSummary, ListBucket } from './schemas';

/** A cursor whose article moved bucket is followed this far at most (buckets and anchors read). */
export const MAX_LIST_READS = 3;

/** A scope's stored records, as the worker reads them. */
export interface ListSource {
  bucket(bucket: number | 'head'): Promise<ListBucket | null>;
  /** The anchors of a scope cut by content (`modified`, paging.ts cutByContent). */
  anchors(): Promise<AnchorList | null>;
}

export interface ListRequest extends Omit<PageQuery, 'after'> {
  cursor?: CursorPlace;
  /** The scope is cut by content (`modified`): its buckets are named by anchors (cutByContent). */
  byContent: boolean;
}

export type ListRead =
  | { items: ApiArticleSummary[]; next: CursorPlace | null }
  /** The cursor's place was not found within MAX_LIST_READS: the client starts again without it. */
  | 'expired';

export async function readListPage(source: ListSource, request: ListRequest): Promise<ListRead> {
  const { cursor, byContent, ...query } = request;
  const after = cursor?.after;
  let bucket: number | 'head' = cursor ? cursor.bucket : 'head';
  let reads = 0;
  // A bucket cut by content is named by its anchor, an article that moves when corrected: a
  // cursor's bucket may be gone, or be a bucket of that name somewhere else now. The anchors say
  // which bucket holds the cursor's place; they are read once at most.
  let anchorsRead = false;
  const bucketByAnchors = async (): Promise<number | undefined> => {
    if (!byContent || anchorsRead || !after) return undefined;
    anchorsRead = true;
    reads++;
    const anchors = await source.anchors();
    return anchors ? anchorBucketOf(anchors, after) : undefined;
  };
  for (;;) {
    if (reads >= MAX_LIST_READS) return 'expired';
    reads++;
    const record = await source.bucket(bucket);
    // No head, or no oldest bucket: the scope has no articles.
    if (!record && (bucket === 'head' || bucket === 0)) return { items: [], next: null };
    if (!record) {
      const found = await bucketByAnchors();
      if (found !== undefined && found !== bucket) bucket = found;
      // No bucket: the archive shrank below it (a scope cut by position).
      else if (!byContent && typeof bucket === 'number') bucket -= 1;
      else return 'expired';
      continue;
    }
    const selection = selectPage(record, { ...query, ...(after && { after }) });
    if (selection.type === 'page') return { items: selection.items, next: selection.next };
    const found = await bucketByAnchors();
    bucket = found !== undefined && found !== bucket ? found : selection.bucket;
  }
}
