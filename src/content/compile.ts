// content/ → typed site and articles: the one pipeline both `npm run publish` and the tests run.
// It validates everything first and reports every problem; nothing is produced from a broken tree.
import { z } from 'zod';
import type { Article, ArticleImage } from '../articles/article';
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
    // One byline, or a list of them (each gets an author page).
    author: z.union([plainText.max(200), z.array(plainText.max(200)).min(1).max(10)]).optional(),
    slug: z.string().regex(SLUG_PATTERN, 'must be letters and digits joined by hyphens').optional(),
    draft: z.boolean().default(false),
  })
  .refine((fm) => fm.updated === undefined || fm.updated >= fm.published, {
    path: ['updated'],
    message: 'must not be before published',
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
}

export interface CompiledContent {
  site: SiteConfig;
  /** Published articles, newest first (ties broken by id, highest first). */
  articles: Omit<Article, 'related'>[];
  drafts: number;
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
  const authors = fm.author === undefined ? [] : typeof fm.author === 'string' ? [fm.author] : fm.author;
  const reservedInValues = reservedOriginProblem(file, '', { fm, html: body.html });
  if (reservedInValues) problems.push({ ...reservedInValues, line: split.yamlLine });
  if (problems.length > 0) return problems;

  const slug = fm.slug ?? slugify(fm.title);
  const ref = { id: fm.id, slug, published: fm.published };
  return {
    source: file.path,
    draft: fm.draft,
    article: {
      id: fm.id,
      guid: articleGuid(site.primary, ref),
      slug,
      path: articlePath(ref),
      title: fm.title,
      section: fm.section,
      published: fm.published,
      ...(fm.updated && { updated: fm.updated }),
      summary,
      ...(image && { image }),
      bodyHtml: body.html,
      tags: fm.tags,
      ...(authors.length > 0 && { author: joinNames(authors) }),
      ...(authors.length > 1 && { authors }),
    },
  };
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
  set(file: SourceFile, compiled: CompiledArticle): void;
}

/** Compiles the whole tree or throws a ContentError listing every problem in every file. */
export function compileContent(input: ContentInput, cache?: CompileCache): CompiledContent {
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

  const articles = compiled
    .filter((entry) => !entry.draft)
    .map((entry) => entry.article)
    .sort(newestFirst);
  return { site, articles, drafts: compiled.length - articles.length };
}

export function newestFirst(
  a: { published: string; id: number },
  b: { published: string; id: number },
): number {
  return a.published < b.published ? 1 : a.published > b.published ? -1 : b.id - a.id;
}
