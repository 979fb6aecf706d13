// The partner API's records: each article as served by /api/v1/articles/{id}, the list buckets
// of every scope (all, by last modification, per section, per tag) and the OpenAPI document.
// Absolute URLs are written with ORIGIN_PLACEHOLDER; the worker fills in the request's origin.

import { decodeListBucket, firstPageBody, listFilters } from '../../api/list-page';
import { openApiDocument } from '../../api/openapi';
import {
  type Bucket,
  bucketCount,
  cutBuckets,
  cutByContent,
  type ListOrder,
  type OrderKey,
  orderKeyOf,
  sectionScope,
  sortNewestFirst,
  tagScope,
} from '../../api/paging';
import type { ApiArticle, ApiArticleSummary } from '../../api/schemas';
import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { sectionArticles } from '../../content/section-articles';
import { ORIGIN_PLACEHOLDER } from '../../sites/origin-placeholder';
import { absoluteUrl, canonicalUrl } from '../../sites/urls';
import {
  apiArticleKey,
  apiFirstPageKey,
  apiListAnchorsKey,
  apiListKey,
  apiOpenApiKey,
} from '../../storage/keys';
import type { Article } from '../../storage/records';
import type { Parked, Parking } from '../record-store';
import type { GroupContext, RecordGroup, Records } from './index-builder';
import { type Recipe, RecipeError, recipeFlag, recipeLength, recipeNumber, recipeText } from './recipe';

type PublishedArticle = Omit<Article, 'related'>;
type CompiledArticle = CompiledContent['articles'][number];

// Only a and img carry URLs in a sanitised body (markdown.ts), always double-quoted; a root-relative
// one (not protocol-relative) gets the placeholder origin, so it is absolute on whichever host serves it.
const LINKING_TAG = /<(?:a|img)\s[^>]*>/g;
const ROOT_RELATIVE_URL = /(\s(?:href|src)=")\/(?!\/)/g;

export function absolutiseBody(html: string): string {
  return html.replace(LINKING_TAG, (tag) => tag.replace(ROOT_RELATIVE_URL, `$1${ORIGIN_PLACEHOLDER}/`));
}

/**
 * An article as the API serves it, made when asked for and never kept. Its body, most of its size,
 * is read and made absolute only when serialised (a getter).
 */
export function toApiArticle(article: PublishedArticle, site: SiteConfig): ApiArticle {
  const { image } = article;
  return {
    id: article.id,
    guid: article.guid,
    title: article.title,
    summary: article.summary,
    url: absoluteUrl(ORIGIN_PLACEHOLDER, article.path),
    canonical_url: canonicalUrl(site, article.path),
    section: article.section,
    tags: article.tags,
    author: article.author ?? null,
    image: image
      ? {
          url: absoluteUrl(ORIGIN_PLACEHOLDER, image.src),
          alt: image.alt,
          caption: image.caption ?? null,
          credit: image.credit ?? null,
          width: image.width ?? null,
          height: image.height ?? null,
        }
      : null,
    published: article.published,
    updated: article.updated ?? null,
    get body_html() {
      return absolutiseBody(article.bodyHtml);
    },
    ...(article.corrections &&
      article.corrections.length > 0 && {
        corrections: article.corrections.map(({ at, text }) => ({ at, text })),
      }),
  };
}

/** The article without its body and corrections; named fields, so the body is never made. */
export function toSummary(article: ApiArticle): ApiArticleSummary {
  const { id, guid, title, summary, url, canonical_url, section, tags, author, image, published, updated } =
    article;
  return { id, guid, title, summary, url, canonical_url, section, tags, author, image, published, updated };
}

/** Stands for a bucket's items in its JSON until they are put in (bucketJson): no field holds a NUL. */
const ITEMS_MARK = '\u0000items\u0000';

/**
 * A bucket's JSON, `JSON.stringify({ ...bucket, items })`, from each item's JSON as already made:
 * the same text, without parsing the items again.
 */
function bucketJson(bucket: Bucket<unknown>, items: readonly string[]): string {
  const frame = JSON.stringify({ ...bucket, items: ITEMS_MARK });
  return frame.replace(JSON.stringify(ITEMS_MARK), () => `[${items.join(',')}]`);
}

/** What the change log and the record builders ask of the published articles' API views, by id. */
export type ApiArticleLookup = Pick<ReadonlyMap<number, ApiArticle>, 'get' | 'has' | 'keys'>;

/**
 * The API view of every published article, by id (shared with the change log and the record
 * builders), made when asked for and not kept: an edit in place asks for the edited articles'
 * alone, and a first publish would otherwise hold 100,000 of them until its last write.
 */
export class ApiArticles implements ApiArticleLookup {
  private readonly byId: ReadonlyMap<number, CompiledArticle>;

  constructor(private readonly content: CompiledContent) {
    this.byId = new Map(content.articles.map((article) => [article.id, article]));
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  keys(): MapIterator<number> {
    return this.byId.keys();
  }

  get(id: number): ApiArticle | undefined {
    const article = this.byId.get(id);
    return article && toApiArticle(article, this.content.site);
  }
}

/** The exact bytes of /api/v1/articles/{id} (before the origin is filled in). */
export function apiArticleBody(article: ApiArticle): string {
  return JSON.stringify({ data: article });
}

/** The builder of /api/v1/articles/{id} records, by name (index-builder.ts registers it). */
export const API_ARTICLES_BUILDER = 'api-articles';

/** What an article's API record depends on: the article alone (named by GroupContext.article). */
export function apiArticleInputs(article: CompiledArticle, named: (article: CompiledArticle) => string) {
  return [named(article)];
}

/** The key of an article's API record, as a placed group gives its keys. */
const apiArticleKeys = (article: CompiledArticle) => () => [apiArticleKey(article.id)];

/** The group of one article's API record: its recipe is empty, its one member the article. */
export function remakeApiArticle(
  site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  const [article] = members;
  recipeLength(recipe, 0, API_ARTICLES_BUILDER);
  if (!article || members.length > 1) throw new RecipeError(API_ARTICLES_BUILDER, recipe);
  return {
    inputs: () => apiArticleInputs(article, context.article),
    build: () => new Map([[apiArticleKey(article.id), apiArticleBody(toApiArticle(article, site))]]),
    placed: { members, keys: apiArticleKeys(article), recipe },
  };
}

/**
 * One group per article (remakeApiArticle): its /api/v1/articles/{id} record depends on that
 * article alone. Made one at a time as the publish takes them, so each is let go once taken.
 */
export function* apiArticleGroups(content: CompiledContent, context: GroupContext): Iterable<RecordGroup> {
  for (const article of content.articles) {
    const members = [article];
    // An edit in place keeps an unedited article's record before the rest of its group is made.
    if (context.keptUnedited({ members, keys: apiArticleKeys(article) })) continue;
    yield remakeApiArticle(content.site, [], members, context);
  }
}

/** The scope ordered by `updated`, cut by content (its buckets: modified-by-key.ts). */
export const MODIFIED_SCOPE = 'modified';

/** The builder of the API's list buckets, by name (index-builder.ts registers it). */
export const API_LISTS_BUILDER = 'api-lists';

/** A bucket's keys: its own, and the scope's head and first page where it is the newest. */
function bucketKeys(name: string, bucket: number, newest: boolean, firstPage: boolean): string[] {
  return [
    apiListKey(name, bucket),
    ...(newest ? [apiListKey(name, 'head')] : []),
    ...(newest && firstPage ? [apiFirstPageKey(name)] : []),
  ];
}

/**
 * An article's summary in a list bucket, as JSON: made once per article and parked (an article is
 * listed in several scopes: all, modified, its sections, tags and authors), and put in each bucket
 * being built that lists it.
 */
function summariesIn(site: SiteConfig, parking: Parking): (article: CompiledArticle) => string {
  const summaries = new WeakMap<CompiledArticle, Parked>();
  return (article) => {
    let parked = summaries.get(article);
    if (parked === undefined) {
      parked = parking.park(JSON.stringify(toSummary(toApiArticle(article, site))));
      summaries.set(article, parked);
    }
    return parking.unpark(parked);
  };
}

/** How a scope is ordered: a published scope's first page is stored finished, with its filters. */
type ScopeOrder = { order: 'published'; firstPage: string } | { order: 'modified' };

/**
 * The group of one list bucket, of any scope. A published scope's bucket is placed: its recipe is
 * the scope's name, the bucket's number, whether it is the newest, its bottom (paging.ts
 * cutBuckets) and the filters of the scope's first page. The newest bucket's group also writes the
 * scope's head and, in a published scope, its first page as a finished body, built from the head as
 * the worker decodes it.
 */
function bucketGroup(
  name: string,
  scope: ScopeOrder,
  bucket: Bucket<CompiledArticle>,
  context: Pick<GroupContext, 'article'>,
  summaryJson: (article: CompiledArticle) => string,
): RecordGroup {
  const members = bucket.items;
  const firstPage = scope.order === 'published' ? scope.firstPage : undefined;
  const keys = () => bucketKeys(name, bucket.bucket, bucket.newest, firstPage !== undefined);
  return {
    inputs: () => [
      name,
      scope.order,
      JSON.stringify({ ...bucket, items: undefined }),
      ...members.map((article) => context.article(article)),
    ],
    // `updated` is not a place (placement.ts): a correction reorders `modified`, so its buckets
    // are always named and looked up, and only indexed (an edit by key that moves no date remakes them).
    ...(scope.order === 'published'
      ? { placed: { members, keys, recipe: publishedRecipe(name, bucket, scope.firstPage) } }
      : { indexed: { members, keys, recipe: contentCutRecipe(name, bucket) } }),
    build: () => {
      const value = bucketJson(bucket, members.map(summaryJson));
      const records: Records = new Map([[apiListKey(name, bucket.bucket), value]]);
      if (bucket.newest) {
        records.set(apiListKey(name, 'head'), value);
        if (firstPage !== undefined)
          records.set(apiFirstPageKey(name), firstPageBody(decodeListBucket(value), firstPage));
      }
      return records;
    },
  };
}

/** A published scope's bucket's recipe (bucketGroup): cut by position, it has a bottom. */
function publishedRecipe(name: string, bucket: Bucket<CompiledArticle>, firstPage: string): Recipe {
  if (bucket.bottom === undefined)
    throw new Error(`${name}'s bucket ${bucket.bucket} is cut by position, with no bottom`);
  return [name, bucket.bucket, bucket.newest, bucket.bottom, firstPage];
}

/**
 * A `modified` bucket's recipe (bucketGroup): cut by content, it has its own run and neighbours
 * (false for none) rather than a bottom.
 */
function contentCutRecipe(name: string, bucket: Bucket<CompiledArticle>): Recipe {
  const { own, older, newer } = bucket;
  if (own === undefined || older === undefined || newer === undefined)
    throw new Error(`${name}'s bucket ${bucket.bucket} is cut by content, with no run or neighbours`);
  return [name, bucket.bucket, bucket.newest, own[0], own[1], older ?? false, newer ?? false];
}

/** A neighbour in a content cut's recipe (contentCutRecipe): a bucket's number, or none. */
function neighbourIn(recipe: Recipe, at: number): number | null {
  return recipe[at] === false ? null : recipeNumber(recipe, at, API_LISTS_BUILDER);
}

/** A bucket cut by content as its recipe names it (contentCutRecipe), its items aside. */
export type ContentCut = Required<Omit<Bucket<CompiledArticle>, 'items' | 'bottom'>>;

/** A content cut's recipe read back (contentCutRecipe); undefined for a bucket cut by position. */
export function contentCutOf(recipe: Recipe): ContentCut | undefined {
  if (recipe.length !== 7) return undefined;
  return {
    bucket: recipeNumber(recipe, 1, API_LISTS_BUILDER),
    newest: recipeFlag(recipe, 2, API_LISTS_BUILDER),
    own: [recipeNumber(recipe, 3, API_LISTS_BUILDER), recipeNumber(recipe, 4, API_LISTS_BUILDER)],
    older: neighbourIn(recipe, 5),
    newer: neighbourIn(recipe, 6),
  };
}

/** A content cut's recipe with its own run at `own` in its members instead. */
export function withOwnRun(recipe: Recipe, own: readonly [number, number]): Recipe {
  const cut = contentCutOf(recipe);
  if (!cut) throw new RecipeError(API_LISTS_BUILDER, recipe);
  return [
    recipe[0] as string,
    cut.bucket,
    cut.newest,
    own[0],
    own[1],
    cut.older ?? false,
    cut.newer ?? false,
  ];
}

/**
 * A list bucket, made again from its recipe (bucketGroup) and its articles, newest first: the
 * bucket's fields in the order paging.ts gives them (cutBuckets for a published scope, whose
 * recipe has five entries; cutByContent for `modified`, seven), which its JSON keeps.
 */
export function remakeApiListBucket(
  site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article' | 'parking'>,
): RecordGroup {
  const cut = contentCutOf(recipe);
  if (cut) {
    // In the order cutByContent gives its fields, which the bucket's JSON keeps.
    const { bucket: number, newest, own, older, newer } = cut;
    const bucket: Bucket<CompiledArticle> = {
      bucket: number,
      newest,
      items: [...members],
      own,
      older,
      newer,
    };
    return bucketGroup(
      recipeText(recipe, 0, API_LISTS_BUILDER),
      { order: 'modified' },
      bucket,
      context,
      summariesIn(site, context.parking),
    );
  }
  recipeLength(recipe, 5, API_LISTS_BUILDER);
  const name = recipeText(recipe, 0, API_LISTS_BUILDER);
  const bucket: Bucket<CompiledArticle> = {
    bucket: recipeNumber(recipe, 1, API_LISTS_BUILDER),
    newest: recipeFlag(recipe, 2, API_LISTS_BUILDER),
    bottom: recipeNumber(recipe, 3, API_LISTS_BUILDER),
    items: [...members],
  };
  const firstPage = recipeText(recipe, 4, API_LISTS_BUILDER);
  return bucketGroup(
    name,
    { order: 'published', firstPage },
    bucket,
    context,
    summariesIn(site, context.parking),
  );
}

/**
 * The list buckets of every scope (all, by last modification, per section, per tag) and the OpenAPI
 * document. Each bucket is a group of its own, named by its place and the articles it holds, so an
 * edit rebuilds only the buckets that show the article (and the head, when that is its bucket).
 * The newest bucket's group also writes the scope's first page as a finished body (every scope but
 * `modified`, which is only asked with `updated_since`), built from the head as the worker decodes it.
 * Scopes are cut from the articles' dates and ids; an article's summary is made only for a bucket
 * being built. On an edit in place, a published scope that lists no edited article is kept whole
 * before it is sorted or cut: its buckets follow from its count.
 */
export function* apiListGroups(content: CompiledContent, context: GroupContext): Iterable<RecordGroup> {
  yield { build: () => new Map([[apiOpenApiKey(), openApiDocument(content.site.name)]]) };
  // Each article is sorted into several scopes by publication: its time is parsed once, and found
  // by the article's id (unique), which a map finds without the object's identity hash. Only the
  // time is kept, not a key object: 500,000 articles' keys were 40 MB more through the builder. One
  // scope is in the modified order, which reads each key about once: none is kept.
  const publishedTimes = new Map<number, number>();
  const publishedKey = (article: CompiledArticle): OrderKey => {
    let time = publishedTimes.get(article.id);
    if (time === undefined) {
      time = orderKeyOf(article, 'published').t;
      publishedTimes.set(article.id, time);
    }
    return { t: time, i: article.id };
  };
  const keyIn = (order: ListOrder) =>
    order === 'published' ? publishedKey : (article: CompiledArticle) => orderKeyOf(article, order);
  const summaryJson = summariesIn(content.site, context.parking);
  // Each scope's groups are given one at a time, as the publish takes them (term-pages.ts): made
  // all first, every bucket's list of articles was held until the last was built.
  function* scope(name: string, items: readonly CompiledArticle[], order: ScopeOrder): Iterable<RecordGroup> {
    // A published scope's buckets follow from how many articles it has: an edit in place keeps a
    // scope that lists no edited article whole, before it is sorted or cut (most tags and sections).
    if (order.order === 'published') {
      const scopeKeys = () => {
        const count = bucketCount(items.length);
        return Array.from({ length: count }, (_, bucket) =>
          bucketKeys(name, bucket, bucket === count - 1, true),
        ).flat();
      };
      if (context.keptUnedited({ members: items, keys: scopeKeys })) return;
    }
    const newestFirst = sortNewestFirst(items, order.order, keyIn(order.order));
    // `modified` by content: a correction moves its article to the newest end (paging.ts cutByContent).
    let buckets: Bucket<CompiledArticle>[];
    if (order.order === 'modified') {
      const cut = cutByContent(newestFirst, keyIn(order.order));
      buckets = cut.buckets;
      const key = apiListAnchorsKey(name);
      const value = JSON.stringify(cut.anchors);
      yield { inputs: () => [key, value], build: () => new Map([[key, value]]) };
    } else buckets = cutBuckets(newestFirst);
    for (const bucket of buckets) yield bucketGroup(name, order, bucket, context, summaryJson);
  }
  const published = (firstPage: string): ScopeOrder => ({ order: 'published', firstPage });
  const { articles } = content;
  yield* scope('all', articles, published(listFilters(undefined, undefined, undefined)));
  yield* scope(MODIFIED_SCOPE, articles, { order: 'modified' });
  for (const section of content.site.sections) {
    yield* scope(
      sectionScope(section.slug),
      sectionArticles(content, section.slug),
      published(listFilters(section.slug, undefined, undefined)),
    );
  }
  const byTag = new Map<string, CompiledArticle[]>();
  for (const article of articles) {
    for (const tag of new Set(article.tags.map(tagScope))) {
      const items = byTag.get(tag) ?? [];
      items.push(article);
      byTag.set(tag, items);
    }
  }
  // The scope names the lower-cased tag, which is what a cursor records (tagScope).
  for (const [tag, items] of byTag)
    yield* scope(
      tag,
      items,
      published(listFilters(undefined, decodeURIComponent(tag.slice('tag:'.length)), undefined)),
    );
}
