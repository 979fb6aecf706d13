// Articles → the format-neutral feed documents that every serializer renders: absolute URLs on
// ORIGIN_PLACEHOLDER (filled with the request's origin by the worker), newest items first.
import type { Article, ArticleImage } from '../articles/article';
import type { CompiledContent } from '../content/compile';
import { ORIGIN_PLACEHOLDER } from '../sites/origin-placeholder';
import { sectionFamily, sectionTrail } from '../sites/site-config';
import { canonicalUrl } from '../sites/urls';
import {
  FEED_FORMAT_IDS,
  FEED_ITEM_COUNT,
  type FeedFormat,
  type FeedScope,
  feedPath,
  scopePath,
} from './feed-formats';
import { escapeMarkup } from './xml-text';

type PublishedArticle = Omit<Article, 'related'>;

export interface FeedImage {
  url: string;
  mediaType: string;
  alt: string;
  caption?: string;
  credit?: string;
  width?: number;
  height?: number;
}

export interface FeedItem {
  guid: string;
  url: string;
  title: string;
  /** Plain text. */
  summary: string;
  /** The lead image as a figure, then the body; every URL absolute. */
  contentHtml: string;
  /** RFC 3339, UTC. */
  published: string;
  /** RFC 3339: the correction date, or `published` when there was none. */
  updated: string;
  author: string;
  /** Section title first, then the tags, without repeats. */
  categories: string[];
  image?: FeedImage;
}

export interface FeedDocument {
  scope: FeedScope;
  title: string;
  description: string;
  language: string;
  /** A permanent identifier (Atom `id`): the feed's canonical URL on the primary. */
  id: string;
  homeUrl: string;
  selfUrls: Record<FeedFormat, string>;
  hub?: string;
  /** The outlet: the author of any item without a byline. */
  publisher: string;
  logoUrl: string;
  /** The newest `updated` of the items: the feed changes only when an item does. */
  updated: string;
  items: FeedItem[];
}

/** The site's logo, advertised as the feed image. */
const LOGO_PATH = '/images/logo.png';

/** An empty feed (a section without articles) still needs a fixed, deterministic date. */
const EPOCH = '1970-01-01T00:00:00Z';

const IMAGE_MEDIA_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};

export function placeholderUrl(path: string): string {
  return `${ORIGIN_PLACEHOLDER}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Every feed scope of the site: the site itself, then each section. */
export function feedScopes(content: CompiledContent): FeedScope[] {
  return [
    { type: 'site' },
    ...content.site.sections.map((s) => ({ type: 'section' as const, slug: s.slug })),
  ];
}

/** A tag's or author's name and articles (newest first), grouped once for all their feeds (taxonomy/terms.ts). */
export interface FeedTerm {
  name: string;
  articles: readonly PublishedArticle[];
}

/** A term scope's title and description: "Press TV: Russia", "Articles by Science desk for Press TV." */
function termWords(site: CompiledContent['site'], scope: FeedScope, term: FeedTerm) {
  return {
    title: `${site.name}: ${term.name}`,
    description:
      scope.type === 'author'
        ? `Articles by ${term.name} for ${site.name}.`
        : `${term.name}: the latest from ${site.name}.`,
  };
}

/** `term` is required for a tag or author scope: its articles are not found by filtering again. */
export function buildFeedDocument(content: CompiledContent, scope: FeedScope, term?: FeedTerm): FeedDocument {
  const { site } = content;
  const section = scope.type === 'section' ? sectionTrail(site, scope.slug).at(-1) : undefined;
  const family = scope.type === 'section' ? sectionFamily(site, scope.slug) : undefined;
  const articles = (
    term ? term.articles : content.articles.filter((a) => family === undefined || family.has(a.section))
  ).slice(0, FEED_ITEM_COUNT);
  const items = articles.map((article) => buildFeedItem(content, article));
  const homePath = scope.type === 'site' ? '/' : scopePath(scope);
  const words = term && termWords(site, scope, term);
  const selfUrls = Object.fromEntries(
    FEED_FORMAT_IDS.map((format) => [format, placeholderUrl(feedPath(scope, format))]),
  ) as Record<FeedFormat, string>;
  return {
    scope,
    title: words?.title ?? (section ? `${site.name}: ${section.title}` : site.name),
    description:
      words?.description ?? (section ? `${section.title}: the latest from ${site.name}.` : site.description),
    language: site.language,
    id: canonicalUrl(site, feedPath(scope, 'atom')),
    homeUrl: placeholderUrl(homePath),
    selfUrls,
    ...(site.hub && { hub: site.hub }),
    publisher: site.name,
    logoUrl: placeholderUrl(LOGO_PATH),
    updated:
      items
        .map((item) => item.updated)
        .sort()
        .at(-1) ?? EPOCH,
    items,
  };
}

function buildFeedItem(content: CompiledContent, article: PublishedArticle): FeedItem {
  const url = placeholderUrl(article.path);
  const sectionTitle = sectionTrail(content.site, article.section).at(-1)?.title ?? article.section;
  const image = article.image && feedImage(article.image);
  const figure = image ? renderFigure(image) : '';
  return {
    guid: article.guid,
    url,
    title: article.title,
    summary: article.summary,
    contentHtml: figure + absolutizeHtml(article.bodyHtml, url),
    published: article.published,
    updated: article.updated ?? article.published,
    author: article.author ?? content.site.name,
    categories: [...new Set([sectionTitle, ...article.tags])],
    ...(image && { image }),
  };
}

function feedImage(image: ArticleImage): FeedImage {
  const extension = image.src.slice(image.src.lastIndexOf('.') + 1).toLowerCase();
  return {
    url: placeholderUrl(image.src),
    mediaType: IMAGE_MEDIA_TYPES[extension] ?? 'application/octet-stream',
    alt: image.alt,
    ...(image.caption && { caption: image.caption }),
    ...(image.credit && { credit: image.credit }),
    ...(image.width && { width: image.width }),
    ...(image.height && { height: image.height }),
  };
}

function renderFigure(image: FeedImage): string {
  const size = image.width && image.height ? ` width="${image.width}" height="${image.height}"` : '';
  const caption = [image.caption, image.credit && `(${image.credit})`].filter(Boolean).join(' ');
  return (
    `<figure><img src="${escapeMarkup(image.url)}" alt="${escapeMarkup(image.alt)}"${size}>` +
    (caption ? `<figcaption>${escapeMarkup(caption)}</figcaption>` : '') +
    '</figure>'
  );
}

// sanitize-html writes every attribute double-quoted and escapes `<` and `>` in text and
// attribute values, so a start tag runs from `<` to the next `>` and holds every link and image.
const START_TAG = /<[a-zA-Z][^>]*>/g;
const URL_ATTRIBUTE = /(\s(?:href|src)=")([^"]*)"/g;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Feed readers show content away from the site, so the body's root-relative links and images
 * (`/Detail/…`, `/images/…`) and in-page anchors become absolute on the placeholder origin.
 */
export function absolutizeHtml(html: string, pageUrl: string): string {
  return html.replace(START_TAG, (tag) =>
    tag.replace(
      URL_ATTRIBUTE,
      (_match, prefix: string, value: string) => `${prefix}${absolutize(value, pageUrl)}"`,
    ),
  );
}

function absolutize(value: string, pageUrl: string): string {
  if (value.startsWith('/') && !value.startsWith('//')) return `${ORIGIN_PLACEHOLDER}${value}`;
  if (value.startsWith('#')) return `${pageUrl}${value}`;
  if (HAS_SCHEME.test(value)) return value;
  return new URL(value, pageUrl).toString();
}
