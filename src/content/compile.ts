// content/ → typed site and articles: the one pipeline both `npm run publish` and the tests run.
// It validates everything first and reports every problem; nothing is produced from a broken tree.
import * as z from 'zod/mini';
import { type SiteConfig, siteConfigSchema } from '../config/site-config';
import { apiArticleBody, toApiArticle } from '../publish/indexes/api-records';
import { ORIGIN_PLACEHOLDER } from '../sites/origin-placeholder';
import { articleGuid, articlePath } from '../sites/urls';
import type { Article, ArticleImage, RemovedArticle } from '../storage/records';
import { DATE_TIME_FORMAT, parseDateTime } from './date-time';
import { splitFrontMatter } from './front-matter';
import { imageFileShown, isImageSource, isImageUrl } from './image-source';
import {
  API_ARTICLE_RECORD_MAX_BYTES,
  ARTICLE_FILE_MAX_BYTES,
  AUTHOR_MAX_CHARS,
  BODY_HTML_MAX_BYTES,
  BODY_MARKDOWN_MAX_BYTES,
  FRONT_MATTER_MAX_BYTES,
  formatBytes,
  IMAGE_ALT_MAX_CHARS,
  IMAGE_CAPTION_MAX_CHARS,
  IMAGE_CREDIT_MAX_CHARS,
  SLUG_MAX_CHARS,
  SUMMARY_MAX_CHARS,
  TAG_MAX_BYTES,
  TAGS_MAX,
  TITLE_MAX_CHARS,
  tagKeyBytes,
  utf8Bytes,
} from './limits';
import { renderMarkdown } from './markdown';
import { ContentError, type Problem, type SourceFile } from './problems';
import { SLUG_PATTERN, slugify } from './slug';
import { stripXmlIllegalChars } from './xml-chars';
import { parseYaml, validateYaml } from './yaml-document';

// A real instant, 1970–9999 in UTC (date-time.ts), given back as that instant in UTC.
const timestamp = z.pipe(
  z.string({ error: DATE_TIME_FORMAT }).check(
    z.superRefine((value, ctx) => {
      const parsed = parseDateTime(value);
      // As a failed transform did: the front matter's own checks compare no date that did not parse.
      if (!('utc' in parsed)) ctx.addIssue({ code: 'custom', message: parsed.problem, continue: false });
    }),
  ),
  z.transform((value: string) => {
    const parsed = parseDateTime(value);
    return 'utc' in parsed ? parsed.utc : value;
  }),
);

/** Text trimmed and not empty, with the further checks given. */
const plainText = (...checks: Parameters<ReturnType<typeof z.string>['check']>) =>
  z.string().check(z.trim(), z.minLength(1, 'must not be empty'), ...checks);

const atMost = (max: number) => plainText(z.maxLength(max, `must be at most ${max} characters`));

const tag = atMost(TAG_MAX_BYTES).check(
  z.superRefine((value, ctx) => {
    const bytes = Math.max(utf8Bytes(value), tagKeyBytes(value));
    if (bytes > TAG_MAX_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${TAG_MAX_BYTES} bytes in UTF-8 (this one is ${bytes}): a tag names storage keys`,
      });
    }
  }),
);

/** Corrections an article may carry, and how long each may be: a note, not a second article. */
export const CORRECTIONS_MAX = 50;
export const CORRECTION_TEXT_MAX = 1000;

/** A correction's time is validated as `published` is: a real instant, 1970–9999 in UTC. */
const correctionSchema = z.strictObject({ at: timestamp, text: atMost(CORRECTION_TEXT_MAX) });

export const frontMatterSchema = z
  .strictObject({
    id: z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
    title: atMost(TITLE_MAX_CHARS),
    section: z.string(),
    published: timestamp,
    updated: z.optional(timestamp),
    summary: z.optional(atMost(SUMMARY_MAX_CHARS)),
    image: z.optional(
      z.strictObject({
        src: z.string().check(
          z.refine((src) => isImageSource(src) || isImageUrl(src), {
            message:
              'must name a file under content/images, such as images/675904.jpg, or be an https:// URL',
          }),
        ),
        alt: atMost(IMAGE_ALT_MAX_CHARS),
        caption: z.optional(atMost(IMAGE_CAPTION_MAX_CHARS)),
        credit: z.optional(atMost(IMAGE_CREDIT_MAX_CHARS)),
      }),
    ),
    tags: z._default(z.array(tag).check(z.maxLength(TAGS_MAX, `must be at most ${TAGS_MAX} tags`)), []),
    // One byline, or a list of them (each gets an author page).
    author: z.optional(
      z.union([
        atMost(AUTHOR_MAX_CHARS),
        z.array(atMost(AUTHOR_MAX_CHARS)).check(z.minLength(1), z.maxLength(10)),
      ]),
    ),
    slug: z.optional(
      z
        .string()
        .check(
          z.regex(SLUG_PATTERN, 'must be letters and digits joined by hyphens'),
          z.maxLength(SLUG_MAX_CHARS, `must be at most ${SLUG_MAX_CHARS} characters`),
        ),
    ),
    draft: z._default(z.boolean(), false),
    corrections: z._default(z.array(correctionSchema).check(z.maxLength(CORRECTIONS_MAX)), []),
    removed: z._default(z.boolean(), false),
    reason: z.optional(plainText(z.maxLength(500))),
  })
  .check(
    z.refine((fm) => fm.updated === undefined || fm.updated >= fm.published, {
      path: ['updated'],
      message: 'must not be before published',
    }),
    z.superRefine((fm, ctx) => {
      fm.corrections.forEach((correction, index) => {
        if (Date.parse(correction.at) < Date.parse(fm.published))
          ctx.addIssue({
            code: 'custom',
            path: ['corrections', index, 'at'],
            message: 'must not be before published',
          });
      });
      // A reason with nothing removed would be published nowhere: most likely a forgotten `removed: true`.
      if (fm.reason !== undefined && !fm.removed)
        ctx.addIssue({
          code: 'custom',
          path: ['reason'],
          message: 'is only for an article with removed: true',
        });
    }),
  );

export type FrontMatter = z.output<typeof frontMatterSchema>;

/**
 * What an article record carries of an image under content/images once publish has planned its
 * renditions in R2 (publish/images.ts): the URL of the largest, its size for a layout-stable <img>,
 * and the srcsets of every width in the original format and in WebP.
 */
export interface ImageAsset {
  src: string;
  width: number;
  height: number;
  srcset: string;
  webpSrcset?: string;
}

/**
 * The images under content/images by the name front matter gives them (`images/675904.jpg`), or
 * why one cannot be used (a file that is not a readable image).
 */
export type ImageSizes = ReadonlyMap<string, ImageAsset | { unreadable: string }>;

export interface ContentInput {
  site: SourceFile;
  articles: SourceFile[];
  images: ImageSizes;
}

/** An article ready to publish, with the source it came from (for messages). */
export interface CompiledArticle {
  article: Omit<Article, 'related'>;
  draft: boolean;
  source: string;
  /** The line of `id:`, for messages about the id (a removed id reused). */
  idLine?: number;
  /** Set by `removed: true`: the article answers 410, with the public reason when given. */
  removed?: { reason?: string };
  /**
   * Names the compiled article: the same digest, the same article, byte for byte. Given by a compile
   * cache, which knows it from the file's text and the compiler's generation without reading the body.
   */
  digest?: string;
}

/** Where an article that reads its image back when asked (imageSourceOf) keeps the image's src. */
const IMAGE_SOURCE = Symbol('image source');

/**
 * The src of the article's image (its `image.src`), if it shows one, without reading the image
 * back. A publish asks it of every article in passes over the archive (which images to upload,
 * which origins the pages' CSP allows, which articles show an original that cannot be encoded); a
 * compile cache's article reads its image back from disk when asked (publish/node/compile-cache.ts),
 * and keeps the src beside it (keepImageSource) for this. Ask this, not `image`, in such a pass.
 */
export function imageSourceOf(article: CompiledArticle['article']): string | undefined {
  // Kept only by an article that reads its image back: any other (or a copy) holds the image itself.
  return (article as { [IMAGE_SOURCE]?: string })[IMAGE_SOURCE] ?? article.image?.src;
}

/** Keeps the src of the image an article reads back when asked (imageSourceOf), in a slot no spread copies. */
export function keepImageSource(article: object, src: string): void {
  Object.defineProperty(article, IMAGE_SOURCE, { value: src });
}

/** Where an article keeps the digest it was compiled with (CompiledArticle.digest), as IMAGE_SOURCE above. */
const COMPILED_DIGEST = Symbol('compiled digest');

/**
 * The digest the article came with from its compile cache (CompiledArticle.digest), if any: a copy
 * (a draft marked for a preview) has none, and is named by its content. Kept on the article itself,
 * in a slot no spread copies: a table beside 100,000 articles was about 40 bytes an article.
 */
export function compiledDigestOf(article: CompiledArticle['article']): string | undefined {
  return (article as { [COMPILED_DIGEST]?: string })[COMPILED_DIGEST];
}

/** Keeps the digest a compile cache gave the article (compiledDigestOf). */
export function keepCompiledDigest(article: object, digest: string): void {
  Object.defineProperty(article, COMPILED_DIGEST, { value: digest });
}

/** Where a file claims an id, and whether it marks the article removed. */
export interface IdClaim {
  path: string;
  line: number;
  removed: boolean;
}

/** An article marked `removed: true` in content/: what its 410 page and tombstones need. */
export interface RemovedInContent {
  id: number;
  guid: string;
  section: string;
  reason?: string;
}

/**
 * Articles removed from the site, as the publish pipeline knows them (publish/removals.ts): those
 * removed earlier (stored) and by this publish, with the publish time they are judged against.
 */
export interface RemovalState {
  asOf: string;
  articles: RemovedArticle[];
}

export interface CompiledContent {
  site: SiteConfig;
  /** Published articles, newest first (ties broken by id, highest first). */
  articles: Omit<Article, 'related'>[];
  drafts: number;
  /** Every id a file claims, drafts and removed articles included: publish refuses a removed id reused. */
  ids?: ReadonlyMap<number, IdClaim>;
  /** Files marked `removed: true`. */
  removedFiles?: RemovedInContent[];
  /** Filled by the publish pipeline from what KV holds, never by compile: Atom tombstones, 410 records. */
  removals?: RemovalState;
}

export interface CompileOptions {
  /**
   * Local preview (`npm run preview`): drafts are published too, each marked `draft: true` so its
   * page says so. Never for a remote publish (the CLI refuses the combination).
   */
  preview?: boolean;
}

const RESERVED_ORIGIN = `${ORIGIN_PLACEHOLDER} is reserved for publish-time rendering`;

/**
 * The placeholder origin must not occur in content: the worker would turn it into its own origin.
 * Checked on the raw text (for the line) and on the decoded values (a YAML escape can spell it).
 */
function reservedOriginProblem(file: SourceFile, text: string, decoded: unknown): Problem | undefined {
  const offset = text.indexOf(ORIGIN_PLACEHOLDER);
  if (offset >= 0)
    return { path: file.path, line: text.slice(0, offset).split('\n').length, reason: RESERVED_ORIGIN };
  if (JSON.stringify(decoded).includes(ORIGIN_PLACEHOLDER))
    return { path: file.path, line: 1, reason: RESERVED_ORIGIN };
  return undefined;
}

export function compileSiteConfig(file: SourceFile): SiteConfig {
  const text = stripXmlIllegalChars(file.text);
  const parsed = parseYaml(file.path, text, 1);
  if (Array.isArray(parsed)) throw new ContentError(parsed);
  const result = validateYaml(file.path, parsed, siteConfigSchema);
  if ('problems' in result) throw new ContentError(result.problems);
  const reserved = reservedOriginProblem(file, text, result.value);
  if (reserved) throw new ContentError([reserved]);
  return result.value;
}

export function compileArticle(
  file: SourceFile,
  site: SiteConfig,
  images: ImageSizes,
  /** The site file's path as shown: messages name an image under its folder (imageFileShown). */
  sitePath: string,
): CompiledArticle | Problem[] {
  // Sizes first, on the raw text: a 30 MB body would take markdown-it minutes and gigabytes.
  const fileBytes = utf8Bytes(file.text);
  if (fileBytes > ARTICLE_FILE_MAX_BYTES) return [articleFileTooLarge(file.path, fileBytes)];
  const text = stripXmlIllegalChars(file.text);
  const reservedInText = reservedOriginProblem(file, text, null);
  if (reservedInText) return [reservedInText];
  const split = splitFrontMatter(file.path, text);
  if ('reason' in split) return [split];
  const yamlBytes = utf8Bytes(split.yaml);
  if (yamlBytes > FRONT_MATTER_MAX_BYTES) {
    const reason = `front matter: is ${formatBytes(yamlBytes)}, more than ${formatBytes(FRONT_MATTER_MAX_BYTES)}`;
    return [{ path: file.path, line: split.yamlLine, reason }];
  }
  const bodyProblem = (reason: string): Problem => ({ path: file.path, line: split.bodyLine, reason });
  const markdownBytes = utf8Bytes(split.body);
  const markdownTooLarge =
    markdownBytes > BODY_MARKDOWN_MAX_BYTES &&
    bodyProblem(
      `body: is ${formatBytes(markdownBytes)} of Markdown, more than ${formatBytes(BODY_MARKDOWN_MAX_BYTES)}: split the article`,
    );
  const parsed = parseYaml(file.path, split.yaml, split.yamlLine);
  if (Array.isArray(parsed)) return parsed;
  const result = validateYaml(file.path, parsed, frontMatterSchema);
  if ('problems' in result)
    return markdownTooLarge ? [...result.problems, markdownTooLarge] : result.problems;
  const fm = result.value;

  const problems: Problem[] = [];
  if (!site.sections.some((s) => s.slug === fm.section)) {
    problems.push({
      path: file.path,
      line: parsed.lineOf(['section']),
      reason: `section: no section "${fm.section}" in site.yaml`,
    });
  }
  let image: ArticleImage | undefined;
  if (fm.image && isImageUrl(fm.image.src)) {
    image = articleImage(fm.image, new URL(fm.image.src).href);
  } else if (fm.image) {
    const asset = images.get(fm.image.src);
    if (!asset || 'unreadable' in asset) {
      problems.push({
        path: file.path,
        line: parsed.lineOf(['image', 'src']),
        reason: asset
          ? `image.src: ${imageFileShown(sitePath, fm.image.src)} ${asset.unreadable}`
          : `image.src: no file ${imageFileShown(sitePath, fm.image.src)}`,
      });
    } else image = articleImage(fm.image, asset.src, asset);
  }
  if (markdownTooLarge) return [...problems, markdownTooLarge];
  const body = renderMarkdown(split.body);
  const htmlBytes = utf8Bytes(body.html);
  if (htmlBytes > BODY_HTML_MAX_BYTES) {
    problems.push(
      bodyProblem(
        `body: renders to ${formatBytes(htmlBytes)} of HTML, more than ${formatBytes(BODY_HTML_MAX_BYTES)}: shorten it or repeat fewer links`,
      ),
    );
  }
  const summary = fm.summary ?? cutAtWord(body.firstParagraph, SUMMARY_MAX_CHARS);
  if (!summary)
    problems.push({
      path: file.path,
      line: parsed.lineOf([]),
      reason: 'summary: none given and the body has no paragraph',
    });
  const authors = fm.author === undefined ? [] : typeof fm.author === 'string' ? [fm.author] : fm.author;
  const reservedInValues = reservedOriginProblem(file, '', { fm, html: body.html });
  if (reservedInValues) problems.push({ ...reservedInValues, line: split.yamlLine });
  if (problems.length > 0) return problems;

  const slug = fm.slug ?? slugify(fm.title);
  const ref = { id: fm.id, slug, published: fm.published };
  // By instant, not by text: "…:00.5Z" sorts before "…:00Z" as a string.
  const corrections = [...fm.corrections].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  // `updated` follows the latest correction: an earlier explicit `updated` is raised to it.
  const latest = corrections.at(-1)?.at;
  const updated =
    latest !== undefined && (fm.updated === undefined || Date.parse(latest) > Date.parse(fm.updated))
      ? latest
      : fm.updated;
  const article: CompiledArticle['article'] = {
    id: fm.id,
    guid: articleGuid(site.primary, ref),
    slug,
    path: articlePath(ref),
    title: fm.title,
    section: fm.section,
    published: fm.published,
    ...(updated && { updated }),
    summary,
    ...(image && { image }),
    bodyHtml: body.html,
    tags: fm.tags,
    ...(authors.length > 0 && { author: joinNames(authors) }),
    ...(authors.length > 1 && { authors }),
    ...(corrections.length > 0 && { corrections }),
  };
  // Checked on the record publish will write, so the bound holds whatever the body holds (every
  // root-relative link gains the origin there, and JSON escapes quotes).
  const recordBytes = utf8Bytes(apiArticleBody(toApiArticle(article, site)));
  if (recordBytes > API_ARTICLE_RECORD_MAX_BYTES) {
    return [
      bodyProblem(
        `body: makes an API record of ${formatBytes(recordBytes)}, more than ${formatBytes(API_ARTICLE_RECORD_MAX_BYTES)} (links and images on the site count with their full address there): shorten it`,
      ),
    ];
  }
  return {
    source: file.path,
    draft: fm.draft,
    idLine: parsed.lineOf(['id']),
    ...(fm.removed && { removed: fm.reason === undefined ? {} : { reason: fm.reason } }),
    article,
  };
}

/**
 * An image as the article record carries it: its URL and front matter's words, then, for a file
 * under content/images, the planned renditions' size and srcsets (the fields in that order). Built
 * field by field: a spread of the parsed front matter gave every article's image a hidden class of
 * its own in V8, a few hundred bytes each that a large archive holds through the publish.
 */
function articleImage(
  described: NonNullable<FrontMatter['image']>,
  src: string,
  asset?: ImageAsset,
): ArticleImage {
  return {
    src,
    alt: described.alt,
    ...(described.caption !== undefined && { caption: described.caption }),
    ...(described.credit !== undefined && { credit: described.credit }),
    ...(asset && {
      width: asset.width,
      height: asset.height,
      srcset: asset.srcset,
      ...(asset.webpSrcset !== undefined && { webpSrcset: asset.webpSrcset }),
    }),
  };
}

/** The problem of an article file too large to be valid, at line 1 (also used before reading one). */
export function articleFileTooLarge(path: string, bytes: number): Problem {
  return {
    path,
    line: 1,
    reason: `the file is ${formatBytes(bytes)}, more than ${formatBytes(ARTICLE_FILE_MAX_BYTES)}: an article's body may be at most ${formatBytes(BODY_MARKDOWN_MAX_BYTES)} of Markdown`,
  };
}

/** A default summary cut at the last word that fits, marked with an ellipsis. */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** "A", "A and B", "A, B and C": a byline as one line of text. */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Remembers compiled articles between publishes (see publish/node/compile-cache.ts). The caller
 * keys it on everything else compileArticle reads: site.yaml, image sizes and the compiler itself.
 */
export interface CompileCache {
  get(file: SourceFile): CompiledArticle | undefined;
  /** Remembers a compiled article; returns the copy to use, which may keep its body elsewhere (on disk). */
  set(file: SourceFile, compiled: CompiledArticle): CompiledArticle;
}

/** Compiles the whole tree or throws a ContentError listing every problem in every file. */
export function compileContent(
  input: ContentInput,
  cache?: CompileCache,
  options: CompileOptions = {},
): CompiledContent {
  const site = compileSiteConfig(input.site);
  const problems: Problem[] = [];
  const compiled: CompiledArticle[] = [];
  for (const file of input.articles) {
    const cached = cache?.get(file);
    if (cached) {
      compiled.push(cached);
      continue;
    }
    const result = compileArticle(file, site, input.images, input.site.path);
    if (Array.isArray(result)) problems.push(...result);
    else {
      compiled.push(cache ? cache.set(file, result) : result);
    }
  }
  // Ids are permanent identities: two files claiming one id is an error in both.
  const byId = new Map<number, CompiledArticle[]>();
  for (const entry of compiled) byId.set(entry.article.id, [...(byId.get(entry.article.id) ?? []), entry]);
  for (const [id, entries] of byId) {
    if (entries.length < 2) continue;
    for (const entry of entries) {
      const others = entries.filter((e) => e !== entry).map((e) => e.source);
      problems.push({
        path: entry.source,
        line: 2,
        reason: `id: ${id} is also used by ${others.join(', ')}`,
      });
    }
  }
  if (problems.length > 0) throw new ContentError(problems);

  const ids = new Map<number, IdClaim>();
  const removedFiles: RemovedInContent[] = [];
  for (const entry of compiled) {
    const { id, guid, section } = entry.article;
    ids.set(id, { path: entry.source, line: entry.idLine ?? 2, removed: entry.removed !== undefined });
    if (entry.removed) removedFiles.push({ id, guid, section, ...entry.removed });
  }
  const listed = compiled.filter((entry) => !entry.removed && (options.preview || !entry.draft));
  const articles = listed
    .map((entry) => {
      if (entry.draft) return { ...entry.article, draft: true as const };
      if (entry.digest) {
        const kept = compiledDigestOf(entry.article);
        if (kept === undefined) keepCompiledDigest(entry.article, entry.digest);
        else if (kept !== entry.digest) throw new Error(`${entry.source} came with two digests`);
      }
      return entry.article;
    })
    .sort(newestFirst);
  const drafts = compiled.filter((entry) => entry.draft && !entry.removed).length;
  return {
    site,
    articles,
    drafts: options.preview ? 0 : drafts,
    ids,
    removedFiles: removedFiles.sort((a, b) => a.id - b.id),
  };
}

export function newestFirst(
  a: { published: string; id: number },
  b: { published: string; id: number },
): number {
  return a.published < b.published ? 1 : a.published > b.published ? -1 : b.id - a.id;
}
