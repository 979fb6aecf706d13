// content/ → typed site and articles: the one pipeline both `npm run publish` and the tests run.
// It validates everything first and reports every problem; nothing is produced from a broken tree.
import { z } from 'zod';
import type { Article, ArticleImage, RemovedArticle } from '../articles/article';
import { ORIGIN_PLACEHOLDER } from '../sites/origin-placeholder';
import { type SiteConfig, siteConfigSchema } from '../sites/site-config';
import { articleGuid, articlePath } from '../sites/urls';
import { splitFrontMatter } from './front-matter';
import { renderMarkdown } from './markdown';
import { ContentError, type Problem, type SourceFile } from './problems';
import { SLUG_PATTERN, slugify } from './slug';
import { stripXmlIllegalChars } from './xml-chars';
import { parseYaml, validateYaml } from './yaml-document';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const timestamp = z
  .string({ error: 'must be an ISO 8601 date-time with offset, such as 2022-01-18T14:05:00Z' })
  .regex(ISO_WITH_OFFSET, 'must be an ISO 8601 date-time with offset, such as 2022-01-18T14:05:00Z')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'is not a real date')
  .transform(toUtcIso);

const plainText = z.string().trim().min(1, 'must not be empty');

/** Corrections an article may carry, and how long each may be: a note, not a second article. */
export const CORRECTIONS_MAX = 50;
export const CORRECTION_TEXT_MAX = 1000;

/** Whether the date and time as written exist: Date.parse rolls 2022-02-30 over to 2 March. */
function isRealCalendarTime(value: string): boolean {
  const fields = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value)?.slice(1).map(Number);
  if (!fields) return true; // not the format at all: `timestamp` says so, with its example
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0] = fields;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59;
}

/** A correction's time, as `published` is validated and more: a real instant, 1970–9999 in UTC. */
const correctionTime = z
  .string({ error: 'must be an ISO 8601 date-time with offset, such as 2022-01-18T14:05:00Z' })
  .refine(isRealCalendarTime, 'is not a real date')
  .pipe(timestamp)
  .refine((iso) => /^(?:19[7-9]\d|[2-9]\d{3})-/.test(iso), 'must fall between 1970 and 9999 in UTC');

const correctionSchema = z.strictObject({ at: correctionTime, text: plainText.max(CORRECTION_TEXT_MAX) });

export const frontMatterSchema = z
  .strictObject({
    id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    title: plainText.max(300),
    section: z.string(),
    published: timestamp,
    updated: timestamp.optional(),
    summary: plainText.max(1000).optional(),
    image: z
      .strictObject({
        src: z.string().refine((src) => src.startsWith('/') && !src.startsWith('//'), {
          message: 'must be a path on the site, such as /images/articles/675904.jpg',
        }),
        alt: plainText.max(500),
        caption: plainText.max(500).optional(),
        credit: plainText.max(200).optional(),
      })
      .optional(),
    tags: z.array(plainText.max(100)).max(30).default([]),
    author: plainText.max(200).optional(),
    slug: z.string().regex(SLUG_PATTERN, 'must be letters and digits joined by hyphens').optional(),
    draft: z.boolean().default(false),
    corrections: z.array(correctionSchema).max(CORRECTIONS_MAX).default([]),
    removed: z.boolean().default(false),
    reason: plainText.max(500).optional(),
  })
  .refine((fm) => fm.updated === undefined || fm.updated >= fm.published, {
    path: ['updated'],
    message: 'must not be before published',
  })
  .superRefine((fm, ctx) => {
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
  });

export type FrontMatter = z.output<typeof frontMatterSchema>;

/** Width and height of the site's own images (public/), for layout-stable <img> tags. */
export type ImageSizes = ReadonlyMap<string, { width: number; height: number }>;

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

function toUtcIso(value: string): string {
  return new Date(value).toISOString().replace('.000Z', 'Z');
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
): CompiledArticle | Problem[] {
  const text = stripXmlIllegalChars(file.text);
  const reservedInText = reservedOriginProblem(file, text, null);
  if (reservedInText) return [reservedInText];
  const split = splitFrontMatter(file.path, text);
  if ('reason' in split) return [split];
  const parsed = parseYaml(file.path, split.yaml, split.yamlLine);
  if (Array.isArray(parsed)) return parsed;
  const result = validateYaml(file.path, parsed, frontMatterSchema);
  if ('problems' in result) return result.problems;
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
  if (fm.image) {
    const size = images.get(fm.image.src);
    if (!size) {
      problems.push({
        path: file.path,
        line: parsed.lineOf(['image', 'src']),
        reason: `image.src: no file public${fm.image.src}`,
      });
    }
    image = { ...fm.image, ...size };
  }
  const body = renderMarkdown(split.body);
  const summary = fm.summary ?? body.firstParagraph;
  if (!summary)
    problems.push({
      path: file.path,
      line: parsed.lineOf([]),
      reason: 'summary: none given and the body has no paragraph',
    });
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
  return {
    source: file.path,
    draft: fm.draft,
    idLine: parsed.lineOf(['id']),
    ...(fm.removed && { removed: fm.reason === undefined ? {} : { reason: fm.reason } }),
    article: {
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
      ...(fm.author && { author: fm.author }),
      ...(corrections.length > 0 && { corrections }),
    },
  };
}

/**
 * Remembers compiled articles between publishes (see publish/node/compile-cache.ts). The caller
 * keys it on everything else compileArticle reads: site.yaml, image sizes and the compiler itself.
 */
export interface CompileCache {
  get(file: SourceFile): CompiledArticle | undefined;
  set(file: SourceFile, compiled: CompiledArticle): void;
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
    const result = compileArticle(file, site, input.images);
    if (Array.isArray(result)) problems.push(...result);
    else {
      compiled.push(result);
      cache?.set(file, result);
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
    .map((entry) => (entry.draft ? { ...entry.article, draft: true as const } : entry.article))
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
