// The records the worker reads from KV, as written by publish. Each schema decodes a stored
// value at the repository boundary, so a wrong-shaped record is a named error, never a cast.
// zod/mini keeps the worker bundle small; only publish-side code uses classic zod.
import * as z from 'zod/mini';
import { sectionSchema, siteConfigSchema } from '../config/site-config';
import { recentWritesSchema } from './consistency';

const positiveInt = () => z.int().check(z.positive());
const isoDate = () => z.string();

export const imageSchema = z.object({
  src: z.string(),
  alt: z.string(),
  caption: z.optional(z.string()),
  credit: z.optional(z.string()),
  width: z.optional(positiveInt()),
  height: z.optional(positiveInt()),
  /** Every width of the image in its own format, `"/images/{hash}/675904-480.jpg 480w, …"`. */
  srcset: z.optional(z.string()),
  /** The same widths in WebP, for a <picture> source; absent when the original is WebP. */
  webpSrcset: z.optional(z.string()),
});

/** What lists show of an article: enough for a headline, a picture and a line of text. */
export const teaserSchema = z.object({
  id: positiveInt(),
  path: z.string(),
  title: z.string(),
  section: z.string(),
  published: isoDate(),
  updated: z.optional(isoDate()),
  summary: z.string(),
  image: z.optional(imageSchema),
});

/** A correction as the page, feeds, JSON-LD and API show it: when it was made, and what it says. */
export const correctionSchema = z.object({
  at: isoDate(),
  text: z.string(),
});

export const articleSchema = z.extend(teaserSchema, {
  guid: z.string(),
  slug: z.string(),
  bodyHtml: z.string(),
  tags: z.array(z.string()),
  /** The byline as one line of text ("A and B" for several): what feeds and the API show. */
  author: z.optional(z.string()),
  /** Each author, when the front matter lists more than one (author pages link each). */
  authors: z.optional(z.array(z.string())),
  /** Earlier articles of the same section, fixed at publish time so a new article rewrites nothing else. */
  related: z.array(teaserSchema),
  /** Oldest first; absent when there are none. `updated` is at least the latest one's `at`. */
  corrections: z.optional(z.array(correctionSchema)),
  /** Only in a local preview (`npm run preview`): the page says the article is not published. */
  draft: z.optional(z.literal(true)),
});

/**
 * An article removed from the site (its file deleted, or `removed: true`): its URL answers 410 with
 * the public reason, its id is never reused, and Atom feeds carry a tombstone for 30 days.
 */
export const removedArticleSchema = z.object({
  id: positiveInt(),
  /** The tag: URI it was published under (an Atom tombstone's `ref`); empty if no record had it. */
  guid: z.string(),
  /** Its section when removed, for the section feeds' tombstones; empty if unknown. */
  section: z.string(),
  /** The publish that removed it (or first saw it removed). */
  removedAt: isoDate(),
  reason: z.optional(z.string()),
});

/** Every removed article, by id: publish carries it forward from one publish to the next. */
export const removalRegistrySchema = z.object({
  articles: z.array(removedArticleSchema),
});

/**
 * A stored list: the home page, a section head or a closed section bucket (list-shards.ts), newest
 * first, as each article's card (HTML rendered at publish time, views/ArticleCard.tsx `renderCard`).
 */
export const listShardSchema = z.object({
  cards: z.array(z.string()),
});

/**
 * An article page as publish rendered it (views/ArticlePage.tsx `renderArticleParts`): its own
 * parts as HTML; the worker adds the frame (navigation, footer) the manifest decides.
 */
export const articlePageSchema = z.object({
  /** The article's one address: any other date or slug for its id is redirected here. */
  path: z.string(),
  /** The top-level section highlighted in the navigation. */
  activeSection: z.optional(z.string()),
  /** `<title>`, description and canonical link. */
  head: z.string(),
  /** The section's feed links, OpenGraph, Twitter and JSON-LD. */
  headEnd: z.string(),
  /** Everything inside `<main>`. */
  main: z.string(),
});

/**
 * A tag's or author's newest articles (reader page 1): the head of its fixed buckets, like a section
 * head, plus what the manifest holds for sections (the manifest lists no terms: there can be thousands).
 */
export const termHeadSchema = z.extend(listShardSchema, {
  /** The term as shown: the spelling most of its articles use. */
  name: z.string(),
  /** Articles listed at the term's page: the page → bucket mapping derives from it. */
  articles: z.int().check(z.nonnegative()),
});

export const manifestSectionSchema = z.extend(sectionSchema, {
  /** Articles listed at /section/{slug} (child sections included): the page → shard mapping derives from it. */
  articles: z.int().check(z.nonnegative()),
  /** Reader pages at /section/{slug} (at least 1, even when empty), so an out-of-range page costs no read. */
  pages: positiveInt(),
});

/**
 * /.well-known/mirrors.json as served, with its minisign signature (absent when site.yaml sets no
 * `signing_key`): finished at publish time so the signature covers exactly the bytes every host serves.
 */
export const storedMirrorListSchema = z.object({
  body: z.string(),
  sequence: positiveInt(),
  /** The publish that last changed these bytes or their signature: the files' Last-Modified. */
  changedAt: isoDate(),
  minisig: z.optional(z.string()),
});

/** The site manifest: configuration plus the content version every cache key and ETag derives from. */
export const manifestSchema = z.object({
  format: z.literal(1),
  version: z.string().check(z.minLength(1)),
  /**
   * The records' sum the version is taken from (publish/content-version.ts): 64 hex characters.
   * An edit by key moves it by the records it changes. Absent in a manifest of older code.
   */
  recordSum: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
  publishedAt: isoDate(),
  hostsChangedAt: isoDate(),
  site: siteConfigSchema,
  sections: z.array(manifestSectionSchema),
  /** The change log's last committed entry: /api/v1/changes serves nothing past it. */
  changes: z.optional(z.object({ head: z.int().check(z.nonnegative()) })),
  /** Publish generation: every value this publish wrote carries it in its KV metadata. */
  gen: z.optional(positiveInt()),
  /** Keys rewritten or deleted within the settling window (storage/consistency.ts). */
  recent: z.optional(recentWritesSchema),
  /**
   * The next scheduled release: at `at`, the cron trigger writes the stored record
   * `release:v1:{gen}` (the state publish precomputed for that moment) and its manifest.
   */
  release: z.optional(z.object({ at: z.string(), gen: positiveInt() })),
  /** Inside the manifest so the list flips with the hosts it names, at no extra read. */
  mirrorList: z.optional(storedMirrorListSchema),
  /** Origins of article images given as https URLs, sorted: the pages' CSP allows exactly these. */
  imageOrigins: z.optional(z.array(z.string())),
  /**
   * The search index's layout: its shard count (search/index-format.ts), which its part keys name,
   * and since when it has had that count (publish keeps the parts of the count before for the
   * settling window). Absent in a manifest from before the count was keyed: see searchShards.
   */
  searchIndex: z.optional(z.object({ shards: positiveInt(), since: isoDate() })),
  /** Read only without searchIndex: the count of parts stored under legacySearchShardKey (absent: 1,024). */
  searchShards: z.optional(positiveInt()),
});

/** The Google News sitemap's candidates, newest first; `xml` is a complete `<url>` element with ORIGIN_PLACEHOLDER URLs. */
export const newsSitemapRecordSchema = z.object({
  entries: z.array(z.object({ published: z.string(), xml: z.string() })),
});

export type NewsSitemapRecord = z.output<typeof newsSitemapRecordSchema>;
export type ArticleImage = z.output<typeof imageSchema>;
export type Teaser = z.output<typeof teaserSchema>;
export type Article = z.output<typeof articleSchema>;
export type ArticlePageRecord = z.output<typeof articlePageSchema>;
export type Correction = z.output<typeof correctionSchema>;
export type RemovedArticle = z.output<typeof removedArticleSchema>;
export type RemovalRegistry = z.output<typeof removalRegistrySchema>;
export type ListShard = z.output<typeof listShardSchema>;
export type TermHead = z.output<typeof termHeadSchema>;

/** What a list view shows: one shard's items and where it sits among the reader pages. */
export interface ListPage {
  page: number;
  pages: number;
  /** Stored cards (listShardSchema), newest first. */
  cards: string[];
}
export type Manifest = z.output<typeof manifestSchema>;
export type StoredMirrorList = z.output<typeof storedMirrorListSchema>;
export type ManifestSection = z.output<typeof manifestSectionSchema>;

export function toTeaser(article: Omit<Article, 'related'>): Teaser {
  const { id, path, title, section, published, updated, summary, image } = article;
  return {
    id,
    path,
    title,
    section,
    published,
    ...(updated && { updated }),
    summary,
    ...(image && { image }),
  };
}
