// The only module that reads Workers KV. Each read is counted for Server-Timing, judged against
// the manifest's recent writes (storage/consistency.ts: may its response be cached?) and decoded
// into a typed record (or a named error) before anything else sees it.
import * as z from 'zod/mini';
import type { FeedFormat, FeedScope } from '../feeds/feed-formats';
import { SEARCH_SHARDS_MAX, type SearchShardPart, searchShardSchema } from '../search/index-format';
import type { StoredSearchIndex } from '../search/query';
import { type ConsistencyState, judgeRead, type ReadVerdict, readValueMetadata } from './consistency';
import { CorruptRecordError, NotYetVisibleError, StorageUnavailableError } from './errors';
import {
  apiArticleKey,
  apiFirstPageKey,
  apiListAnchorsKey,
  apiListKey,
  apiOpenApiKey,
  articleKey,
  articlePageKey,
  changesPageKey,
  feedArchiveKey,
  feedKey,
  homeListKey,
  legacySearchShardKey,
  manifestKey,
  newsSitemapKey,
  opmlKey,
  removedArticleKey,
  searchShardKey,
  sectionBucketKey,
  sectionHeadKey,
  sitemapIndexKey,
  sitemapKey,
  termBucketKey,
  termHeadKey,
} from './keys';
import type { SectionShard } from './list-shards';
import {
  type Article,
  type ArticlePageRecord,
  articlePageSchema,
  articleSchema,
  type ListShard,
  listShardSchema,
  type Manifest,
  manifestSchema,
  type NewsSitemapRecord,
  newsSitemapRecordSchema,
  type RemovedArticle,
  removedArticleSchema,
  type TermHead,
  termHeadSchema,
} from './records';

/**
 * A value stored as finished text (a feed, an API body), with the SHA-256 (hex) publish recorded
 * for it in KV metadata: a validator for its bytes without a pass over them. `hash` is absent only
 * on a value written without metadata (by hand, or by a publish from before hashes were stored).
 */
export interface StoredText {
  text: string;
  hash: string | undefined;
}

/** Decoded API list buckets the isolate keeps (about 150 KB of JSON each), least recently used first. */
const DECODED_BUCKETS_MAX = 8;
const decodedBuckets = new Map<string, { hash: string; schema: z.ZodMiniType; record: unknown }>();

/** A stored value decoded into a typed record, or a CorruptRecordError naming its key. */
function decode<S extends z.ZodMiniType>(key: string, text: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message would only repeat the value; the key is what an operator needs.
    throw new CorruptRecordError(key, 'not JSON');
  }
  const decoded = z.safeParse(schema, json);
  if (!decoded.success) throw new CorruptRecordError(key, decoded.error.issues[0]?.message ?? 'wrong shape');
  return decoded.data;
}

/** A decoded record and the SHA-256 (hex) of its stored bytes, from its KV metadata when it has one. */
export interface Stored<T> {
  record: T;
  hash: string | undefined;
}

/** Told of every read: its cost (Server-Timing) and whether its response may be cached. */
export interface ReadObserver {
  recordKvRead(milliseconds: number): void;
  recordVerdict(verdict: ReadVerdict): void;
}

export class ContentRepository {
  private consistency: ConsistencyState | null = null;

  constructor(
    private readonly kv: KVNamespace,
    private readonly observer: ReadObserver,
  ) {}

  /**
   * Judges every later read against this manifest. A manifest from before generations were
   * recorded gives no way to judge: its reads count as settled, as they always did.
   */
  useManifest(manifest: Manifest): void {
    const { gen, recent } = manifest;
    this.consistency = gen !== undefined && recent !== undefined ? { gen, recent } : null;
  }

  getManifest(): Promise<Manifest | null> {
    return this.readRecord(manifestKey(), manifestSchema);
  }

  getArticle(id: number): Promise<Article | null> {
    return this.readRecord(articleKey(id), articleSchema);
  }

  /** The article's page as publish rendered it (all but the frame), with its stored hash. */
  getArticlePage(id: number): Promise<Stored<ArticlePageRecord> | null> {
    return this.readStored(articlePageKey(id), articlePageSchema);
  }

  /** Asked only once the article's own record is missing: a real 404 costs one read more, nothing else does. */
  getRemovedArticle(id: number): Promise<RemovedArticle | null> {
    return this.readRecord(removedArticleKey(id), removedArticleSchema);
  }

  getHomeList(): Promise<Stored<ListShard> | null> {
    return this.readStored(homeListKey(), listShardSchema);
  }

  getSectionShard(slug: string, shard: SectionShard): Promise<Stored<ListShard> | null> {
    const key = shard === 'head' ? sectionHeadKey(slug) : sectionBucketKey(slug, shard);
    return this.readStored(key, listShardSchema);
  }

  /** A tag's or author's head (name, count, newest articles); null: no such term. */
  getTermHead(kind: 'tag' | 'author', slug: string): Promise<Stored<TermHead> | null> {
    return this.readStored(termHeadKey(kind, slug), termHeadSchema);
  }

  getTermBucket(kind: 'tag' | 'author', slug: string, bucket: number): Promise<Stored<ListShard> | null> {
    return this.readStored(termBucketKey(kind, slug, bucket), listShardSchema);
  }

  /**
   * The search index `manifest` names: its shard count, and a reader of one part (null when no
   * indexed term of that part hashes to it). A manifest from before the count was keyed (no
   * `searchIndex`) is read through the old keys, at its `searchShards` or SEARCH_SHARDS_MAX.
   */
  searchIndexOf(manifest: Manifest): StoredSearchIndex {
    const layout = manifest.searchIndex;
    const keyOf = (shard: number, part: SearchShardPart) =>
      layout ? searchShardKey(layout.shards, shard, part) : legacySearchShardKey(shard, part);
    return {
      shards: layout?.shards ?? manifest.searchShards ?? SEARCH_SHARDS_MAX,
      read: (shard, part) => this.readRecord(keyOf(shard, part), searchShardSchema),
    };
  }

  getNewsSitemap(): Promise<NewsSitemapRecord | null> {
    return this.readRecord(newsSitemapKey(), newsSitemapRecordSchema);
  }

  /** The partner API's body for one article, precomputed (origin still a placeholder). */
  getApiArticleBody(id: number): Promise<StoredText | null> {
    return this.readText(apiArticleKey(id));
  }

  /** The OpenAPI document; every publish writes it, so its absence is a corrupt store. */
  async getOpenApiDocument(): Promise<StoredText> {
    const document = await this.readText(apiOpenApiKey());
    if (document === null) throw new CorruptRecordError(apiOpenApiKey(), 'missing: publish again');
    return document;
  }

  /**
   * The finished body of an API list's first page (no cursor, default limit) in `scope`, origin
   * still a placeholder; null when the scope has no articles (or a publish from before first pages).
   */
  getApiListFirstPage(scope: string): Promise<StoredText | null> {
    return this.readText(apiFirstPageKey(scope));
  }

  /** The anchors of a scope cut by content (the API's anchorListSchema), read only for a lost cursor. */
  async getApiListAnchors<S extends z.ZodMiniType>(scope: string, schema: S): Promise<z.output<S> | null> {
    const key = apiListAnchorsKey(scope);
    const stored = await this.readText(key);
    return stored === null ? null : decode(key, stored.text, schema);
  }

  // The partner API's stored records are its public contract, described by OpenAPI from the API's
  // own schemas (src/api/schemas.ts): storage reads, judges and decodes them with the schema it is
  // handed, and so depends on nothing of the API.

  /**
   * One bucket of an API list scope, decoded with `schema` (the API's listBucketSchema). A bucket
   * holds up to 220 summaries (720 in a `modified` bucket of a run cut by length), and decoding one
   * costs more than reading it; a partner walking a scope asks the same bucket for several pages.
   * So the isolate keeps the last few decoded, each with the hash publish stored for its bytes: a
   * read that finds the same hash finds the same bytes and is answered with the same record. The
   * record is shared: read it, never modify it.
   */
  async getApiListBucket<S extends z.ZodMiniType>(
    scope: string,
    bucket: number | 'head',
    schema: S,
  ): Promise<z.output<S> | null> {
    const key = apiListKey(scope, bucket);
    const stored = await this.readText(key);
    if (stored === null) return null;
    const known = decodedBuckets.get(key);
    if (known && stored.hash !== undefined && known.hash === stored.hash && known.schema === schema) {
      // Most recently used last.
      decodedBuckets.delete(key);
      decodedBuckets.set(key, known);
      return known.record as z.output<S>;
    }
    const record = decode(key, stored.text, schema);
    if (stored.hash !== undefined) {
      decodedBuckets.delete(key);
      decodedBuckets.set(key, { hash: stored.hash, schema, record });
      for (const oldest of decodedBuckets.keys()) {
        if (decodedBuckets.size <= DECODED_BUCKETS_MAX) break;
        decodedBuckets.delete(oldest);
      }
    }
    return record;
  }

  /** One page of the change log, decoded with `schema` (the API's changesPageSchema). */
  getChangesPage<S extends z.ZodMiniType>(page: number, schema: S): Promise<z.output<S> | null> {
    return this.readRecord(changesPageKey(page), schema);
  }

  /** The error for a change-log page that lacks entries the manifest's head says exist. */
  changesPageCorrupt(page: number, reason: string): CorruptRecordError {
    return new CorruptRecordError(changesPageKey(page), reason);
  }

  /** A feed body (text, placeholder-origin URLs); null when that feed is not stored. */
  getFeed(scope: FeedScope, format: FeedFormat): Promise<StoredText | null> {
    return this.readText(feedKey(scope, format));
  }

  /** The OPML list of every feed (text, placeholder-origin URLs). */
  getOpml(): Promise<StoredText | null> {
    return this.readText(opmlKey());
  }

  /** The sitemap index (XML text, placeholder-origin URLs). */
  getSitemapIndex(): Promise<string | null> {
    return this.read(sitemapIndexKey());
  }

  /** One sitemap of the index by name (`pages`, `2022-01`, `2022-01-2`). */
  getSitemap(name: string): Promise<string | null> {
    return this.read(sitemapKey(name));
  }

  /** A closed feed archive document (RFC 5005), as text with placeholder-origin URLs; null if not stored. */
  getFeedArchive(scope: FeedScope, format: FeedFormat, archive: number): Promise<StoredText | null> {
    return this.readText(feedArchiveKey(scope, format, archive));
  }

  private async readRecord<S extends z.ZodMiniType>(key: string, schema: S): Promise<z.output<S> | null> {
    return (await this.readStored(key, schema))?.record ?? null;
  }

  private async readStored<S extends z.ZodMiniType>(
    key: string,
    schema: S,
  ): Promise<Stored<z.output<S>> | null> {
    const stored = await this.readText(key);
    return stored === null ? null : { record: decode(key, stored.text, schema), hash: stored.hash };
  }

  private async read(key: string): Promise<string | null> {
    return (await this.readText(key))?.text ?? null;
  }

  private async readText(key: string): Promise<StoredText | null> {
    const started = performance.now();
    let found: KVNamespaceGetWithMetadataResult<string, unknown>;
    try {
      found = await this.kv.getWithMetadata(key, 'text');
    } catch (error) {
      throw new StorageUnavailableError(key, { cause: error });
    } finally {
      this.observer.recordKvRead(performance.now() - started);
    }
    const { gen, hash } = readValueMetadata(found.metadata);
    const stored = found.value === null ? null : { text: found.value, hash };
    if (!this.consistency) return stored;
    const judged = judgeRead(key, { present: stored !== null, gen }, this.consistency, Date.now());
    this.observer.recordVerdict(judged.verdict);
    if (judged.deleted) return null;
    if (judged.verdict === 'behind' && !stored) throw new NotYetVisibleError(key);
    return stored;
  }
}
