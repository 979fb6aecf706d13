// The only module that reads Workers KV. Each read is counted for Server-Timing, judged against
// the manifest's recent writes (storage/consistency.ts: may its response be cached?) and decoded
// into a typed record (or a named error) before anything else sees it.
import * as z from 'zod/mini';
import type { FeedFormat, FeedScope } from '../feeds/feed-formats';
import { type SearchShard, searchShardSchema } from '../search/index-format';
import { type ConsistencyState, judgeRead, type ReadVerdict, readValueMetadata } from './consistency';
import { CorruptRecordError, NotYetVisibleError, StorageUnavailableError } from './errors';
import {
  apiArticleKey,
  apiListKey,
  apiOpenApiKey,
  articleKey,
  articlePageKey,
  changesPageKey,
  feedArchiveKey,
  feedKey,
  homeListKey,
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

  /** One part of a shard of the search index; null when no indexed term of that part hashes to it. */
  getSearchShard(shard: number, part: 'settled' | 'fresh'): Promise<SearchShard | null> {
    return this.readRecord(searchShardKey(shard, part), searchShardSchema);
  }

  getNewsSitemap(): Promise<NewsSitemapRecord | null> {
    return this.readRecord(newsSitemapKey(), newsSitemapRecordSchema);
  }

  /** The partner API's body for one article, precomputed (origin still a placeholder). */
  getApiArticleBody(id: number): Promise<string | null> {
    return this.read(apiArticleKey(id));
  }

  /** The OpenAPI document; every publish writes it, so its absence is a corrupt store. */
  async getOpenApiDocument(): Promise<string> {
    const document = await this.read(apiOpenApiKey());
    if (document === null) throw new CorruptRecordError(apiOpenApiKey(), 'missing: publish again');
    return document;
  }

  // The partner API's stored records are its public contract, described by OpenAPI from the API's
  // own schemas (src/api/schemas.ts): storage reads, judges and decodes them with the schema it is
  // handed, and so depends on nothing of the API.

  /** One bucket of an API list scope, decoded with `schema` (the API's listBucketSchema). */
  getApiListBucket<S extends z.ZodMiniType>(
    scope: string,
    bucket: number | 'head',
    schema: S,
  ): Promise<z.output<S> | null> {
    return this.readRecord(apiListKey(scope, bucket), schema);
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
  getFeed(scope: FeedScope, format: FeedFormat): Promise<string | null> {
    return this.read(feedKey(scope, format));
  }

  /** The OPML list of every feed (text, placeholder-origin URLs). */
  getOpml(): Promise<string | null> {
    return this.read(opmlKey());
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
  getFeedArchive(scope: FeedScope, format: FeedFormat, archive: number): Promise<string | null> {
    return this.read(feedArchiveKey(scope, format, archive));
  }

  private async readRecord<S extends z.ZodMiniType>(key: string, schema: S): Promise<z.output<S> | null> {
    return (await this.readStored(key, schema))?.record ?? null;
  }

  private async readStored<S extends z.ZodMiniType>(
    key: string,
    schema: S,
  ): Promise<Stored<z.output<S>> | null> {
    const { value: text, hash } = await this.readEntry(key);
    if (text === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message would only repeat the value; the key is what an operator needs.
      throw new CorruptRecordError(key, 'not JSON');
    }
    const decoded = z.safeParse(schema, json);
    if (!decoded.success)
      throw new CorruptRecordError(key, decoded.error.issues[0]?.message ?? 'wrong shape');
    return { record: decoded.data, hash };
  }

  private async read(key: string): Promise<string | null> {
    return (await this.readEntry(key)).value;
  }

  /** One read: the value (null when absent or deleted) and the hash its KV metadata names. */
  private async readEntry(key: string): Promise<{ value: string | null; hash: string | undefined }> {
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
    if (!this.consistency) return { value: found.value, hash };
    const present = found.value !== null;
    const judged = judgeRead(key, { present, gen }, this.consistency, Date.now());
    this.observer.recordVerdict(judged.verdict);
    if (judged.deleted) return { value: null, hash: undefined };
    if (judged.verdict === 'behind' && !present) throw new NotYetVisibleError(key);
    return { value: found.value, hash };
  }
}
