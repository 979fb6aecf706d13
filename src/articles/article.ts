// The records the worker reads from KV, as written by publish. Each schema decodes a stored
// value at the repository boundary, so a wrong-shaped record is a named error, never a cast.
// zod/mini keeps the worker bundle small; only publish-side code uses classic zod.
import * as z from 'zod/mini';
import { sectionSchema, siteConfigSchema } from '../sites/site-config';
import { recentWritesSchema } from '../storage/consistency';

const positiveInt = () => z.int().check(z.positive());
const isoDate = () => z.string();

export const imageSchema = z.object({
  src: z.string(),
  alt: z.string(),
  caption: z.optional(z.string()),
  credit: z.optional(z.string()),
  width: z.optional(positiveInt()),
  height: z.optional(positiveInt()),
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
});

/** A stored list: the home page, a section head or a closed section bucket (list-shards.ts), newest first. */
export const listShardSchema = z.object({
  items: z.array(teaserSchema),
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

/** The site manifest: configuration plus the content version every cache key and ETag derives from. */
export const manifestSchema = z.object({
  format: z.literal(1),
  version: z.string().check(z.minLength(1)),
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
});

export type ArticleImage = z.output<typeof imageSchema>;
export type Teaser = z.output<typeof teaserSchema>;
export type Article = z.output<typeof articleSchema>;
export type ListShard = z.output<typeof listShardSchema>;
export type TermHead = z.output<typeof termHeadSchema>;

/** What a list view shows: one shard's items and where it sits among the reader pages. */
export interface ListPage {
  page: number;
  pages: number;
  items: Teaser[];
}
export type Manifest = z.output<typeof manifestSchema>;
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
