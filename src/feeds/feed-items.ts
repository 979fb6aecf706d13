// Articles → the format-neutral feed documents that every serializer renders: absolute URLs on
// ORIGIN_PLACEHOLDER (filled with the request's origin by the worker), newest items first.

import { type SiteConfig, sectionFamily, sectionTrail } from '../config/site-config';
import type { CompiledContent } from '../content/compile';
import { isImageUrl } from '../content/image-source';
import { sectionArticles } from '../content/section-articles';
import { escapeMarkup } from '../shared/xml';
import { ORIGIN_PLACEHOLDER } from '../sites/origin-placeholder';
import { canonicalUrl } from '../sites/urls';
import { countFeedArchives, FEED_ARCHIVE_SIZE } from '../storage/list-shards';
import type { Article, ArticleImage, Correction, RemovedArticle } from '../storage/records';
import {
  FEED_FORMAT_IDS,
  FEED_ITEM_COUNT,
  type FeedFormat,
  type FeedScope,
  feedArchivePath,
  feedPath,
  scopePath,
} from './feed-formats';
import { type FeedMirrors, feedMirrors } from './feed-mirrors';

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
  /** Oldest first: RSS, which has no element for an update, shows them atop the content. */
  corrections?: Correction[];
}

/** A URL per format: each format's documents link only to documents of the same format. */
export type FeedUrls = Record<FeedFormat, string>;

/**
 * RFC 5005 §4 links of one document. The subscription document has only `prev`; archive document n
 * links n−1, n+1 and the subscription document, all fixed when it closes, so it never changes again
 * (n+1 may still be inside the subscription feed: the worker then redirects to it).
 */
export interface FeedPaging {
  /** Set on an archive document: its number, and the subscription document (`current`). */
  archive?: { number: number; current: FeedUrls };
  /** The next older archive document (`prev-archive`; JSON Feed `next_url`). */
  prev?: FeedUrls;
  /** The next newer archive document (`next-archive`). */
  next?: FeedUrls;
}

export interface FeedDocument {
  scope: FeedScope;
  title: string;
  description: string;
  language: string;
  /** A permanent identifier (Atom `id`): the feed's canonical URL on the primary. */
  id: string;
  homeUrl: string;
  selfUrls: FeedUrls;
  /** WebSub hub: subscription documents only. */
  hub?: string;
  /** The outlet: the author of any item without a byline. */
  publisher: string;
  logoUrl: string;
  /**
   * Every address that serves the site, and where the signed list of them lives. Subscription
   * documents only: an archive that named the hosts would have to be rewritten whenever they change.
   */
  mirrors?: FeedMirrors;
  paging: FeedPaging;
  /** The newest `updated` of the items and tombstones: the feed changes only when one does. */
  updated: string;
  items: FeedItem[];
  /** Articles of this scope removed within TOMBSTONE_DAYS, newest first (Atom writes RFC 6721 tombstones). */
  tombstones: FeedTombstone[];
}

/** A removed article, as RFC 6721 `at:deleted-entry` names it. */
export interface FeedTombstone {
  /** The removed entry's `id`: its tag: URI. */
  ref: string;
  /** RFC 3339: when it was removed. */
  when: string;
  /** The public reason, plain text, when one was given. */
  comment?: string;
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
  // An image given as a URL stays that URL.
  if (isImageUrl(path)) return path;
  return `${ORIGIN_PLACEHOLDER}${path.startsWith('/') ? path : `/${path}`}`;
}

/** How long Atom feeds carry a removed article's tombstone (RFC 6721), counted from its removal. */
export const TOMBSTONE_DAYS = 30;

/** The removals whose tombstones feeds still carry at `asOf`, newest first. */
export function recentRemovals(content: Pick<CompiledContent, 'removals'>): RemovedArticle[] {
  const state = content.removals;
  if (!state) return [];
  const since = Date.parse(state.asOf) - TOMBSTONE_DAYS * 86_400_000;
  return state.articles
    .filter((article) => article.guid !== '' && Date.parse(article.removedAt) >= since)
    .sort((a, b) => (a.removedAt < b.removedAt ? 1 : a.removedAt > b.removedAt ? -1 : b.id - a.id));
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

/** The site's or a section's articles, newest first (a section's child sections included). */
function scopeArticles(content: CompiledContent, scope: FeedScope): readonly PublishedArticle[] {
  return scope.type === 'section' ? sectionArticles(content, scope.slug) : content.articles;
}

function urlsOf(path: (format: FeedFormat) => string): FeedUrls {
  return Object.fromEntries(
    FEED_FORMAT_IDS.map((format) => [format, placeholderUrl(path(format))]),
  ) as FeedUrls;
}

const archiveUrls = (scope: FeedScope, archive: number): FeedUrls =>
  urlsOf((format) => feedArchivePath(scope, format, archive));

/** What the subscription document and its archives share: the feed's name, home and publisher. */
function feedBasics(site: SiteConfig, scope: FeedScope, term?: FeedTerm) {
  const section = scope.type === 'section' ? sectionTrail(site, scope.slug).at(-1) : undefined;
  const words = term && termWords(site, scope, term);
  return {
    scope,
    title: words?.title ?? (section ? `${site.name}: ${section.title}` : site.name),
    description:
      words?.description ?? (section ? `${section.title}: the latest from ${site.name}.` : site.description),
    language: site.language,
    homeUrl: placeholderUrl(scope.type === 'site' ? '/' : scopePath(scope)),
    publisher: site.name,
    logoUrl: placeholderUrl(LOGO_PATH),
  };
}

/** What a list of feeds (OPML) shows of one: its name, home and addresses, without its items. */
export type FeedHeader = Pick<
  FeedDocument,
  'scope' | 'title' | 'description' | 'language' | 'homeUrl' | 'selfUrls'
>;

export function feedHeader(site: SiteConfig, scope: FeedScope, term?: FeedTerm): FeedHeader {
  const { title, description, language, homeUrl } = feedBasics(site, scope, term);
  return {
    scope,
    title,
    description,
    language,
    homeUrl,
    selfUrls: urlsOf((format) => feedPath(scope, format)),
  };
}

/** An item's date: its article's last modification. */
const itemUpdated = (article: Pick<PublishedArticle, 'updated' | 'published'>): string =>
  article.updated ?? article.published;

/** The newest of these dates: a document changes its date only when an item (or tombstone) does. */
function newestUpdate(dates: string[]): string {
  return [...dates].sort().at(-1) ?? EPOCH;
}

/**
 * What a site's or section's subscription document shows besides the site: its newest articles
 * (those no closed archive holds: the open archive bucket and the newest closed one, at most
 * FEED_ITEM_COUNT), how many archives it links (the newest as `prev-archive`), and its recent
 * removals as tombstones.
 */
export interface ScopeFeedParts {
  articles: readonly PublishedArticle[];
  archives: number;
  tombstones: FeedTombstone[];
}

/** The parts of a site's or section's subscription document (ScopeFeedParts). */
export function scopeFeedParts(content: CompiledContent, scope: FeedScope): ScopeFeedParts {
  const articles = scopeArticles(content, scope);
  const archives = countFeedArchives(articles.length);
  const kept = articles.length - archives * FEED_ARCHIVE_SIZE;
  return {
    articles: articles.slice(0, kept),
    archives,
    tombstones: scopeTombstones(content.site, scope, recentRemovals(content)),
  };
}

/** The tombstones of a scope's feed: the removals of its section or the sections under it (all, for the site). */
export function scopeTombstones(
  site: SiteConfig,
  scope: FeedScope,
  removals: readonly RemovedArticle[],
): FeedTombstone[] {
  const family = scope.type === 'section' ? sectionFamily(site, scope.slug) : undefined;
  return removals
    .filter((removed) => family === undefined || family.has(removed.section))
    .map((removed) => ({
      ref: removed.guid,
      when: removed.removedAt,
      ...(removed.reason !== undefined && { comment: removed.reason }),
    }));
}

/** A site's or section's feed date, its document's `updated`, from its parts alone (no item built). */
export function scopeFeedUpdated(parts: Pick<ScopeFeedParts, 'articles' | 'tombstones'>): string {
  return newestUpdate([...parts.articles.map(itemUpdated), ...parts.tombstones.map((t) => t.when)]);
}

/** A site's or section's subscription document, from its parts. */
export function scopeFeedDocument(site: SiteConfig, scope: FeedScope, parts: ScopeFeedParts): FeedDocument {
  return subscriptionDocument(site, scope, parts.articles, {
    archives: parts.archives,
    tombstones: parts.tombstones,
  });
}

/**
 * A tag's or author's subscription document: its newest FEED_ITEM_COUNT articles, with no archives.
 * A removed article's tags and bylines are not kept: only the site and section feeds carry tombstones.
 */
export function buildTermFeedDocument(site: SiteConfig, scope: FeedScope, term: FeedTerm): FeedDocument {
  return subscriptionDocument(site, scope, term.articles.slice(0, FEED_ITEM_COUNT), {
    archives: 0,
    tombstones: [],
    term,
  });
}

function subscriptionDocument(
  site: SiteConfig,
  scope: FeedScope,
  articles: readonly PublishedArticle[],
  { archives, tombstones, term }: { archives: number; tombstones: FeedTombstone[]; term?: FeedTerm },
): FeedDocument {
  const items = articles.map((article) => buildFeedItem(site, article));
  return {
    ...feedBasics(site, scope, term),
    id: canonicalUrl(site, feedPath(scope, 'atom')),
    selfUrls: urlsOf((format) => feedPath(scope, format)),
    ...(site.hub && { hub: site.hub }),
    mirrors: feedMirrors(site),
    paging: archives > 0 ? { prev: archiveUrls(scope, archives) } : {},
    updated: scopeFeedUpdated({ articles, tombstones }),
    items,
    tombstones,
  };
}

/** The articles of each closed archive of a scope, oldest archive first, each newest first. */
export function feedArchiveSlices(
  content: CompiledContent,
  scope: FeedScope,
): { archive: number; articles: readonly PublishedArticle[] }[] {
  const articles = scopeArticles(content, scope);
  const total = articles.length;
  const slices: { archive: number; articles: readonly PublishedArticle[] }[] = [];
  for (let archive = 1; archive <= countFeedArchives(total); archive++) {
    const end = total - (archive - 1) * FEED_ARCHIVE_SIZE;
    slices.push({ archive, articles: articles.slice(end - FEED_ARCHIVE_SIZE, end) });
  }
  return slices;
}

/**
 * Archive document `archive` of a scope, holding `articles` (feedArchiveSlices): chronological
 * positions [(n−1)·S, n·S), newest first, so a newer article never changes it (RFC 5005 §4: archive
 * documents are stable). Nothing in it depends on the newest articles or on the hosts.
 */
export function buildFeedArchive(
  site: SiteConfig,
  scope: FeedScope,
  archive: number,
  articles: readonly PublishedArticle[],
): FeedDocument {
  const items = articles.map((a) => buildFeedItem(site, a));
  return {
    ...feedBasics(site, scope),
    id: canonicalUrl(site, feedArchivePath(scope, 'atom', archive)),
    selfUrls: archiveUrls(scope, archive),
    paging: {
      archive: { number: archive, current: urlsOf((format) => feedPath(scope, format)) },
      ...(archive > 1 && { prev: archiveUrls(scope, archive - 1) }),
      next: archiveUrls(scope, archive + 1),
    },
    updated: newestUpdate(items.map((item) => item.updated)),
    items,
    // Stable documents: a removal after an archive closed is told by the subscription feed only.
    tombstones: [],
  };
}

function buildFeedItem(site: SiteConfig, article: PublishedArticle): FeedItem {
  const url = placeholderUrl(article.path);
  const sectionTitle = sectionTrail(site, article.section).at(-1)?.title ?? article.section;
  const image = article.image && feedImage(article.image);
  const figure = image ? renderFigure(image) : '';
  return {
    guid: article.guid,
    url,
    title: article.title,
    summary: article.summary,
    contentHtml: figure + absolutizeHtml(article.bodyHtml, url),
    published: article.published,
    updated: itemUpdated(article),
    author: article.author ?? site.name,
    categories: [...new Set([sectionTitle, ...article.tags])],
    ...(image && { image }),
    ...(article.corrections && article.corrections.length > 0 && { corrections: article.corrections }),
  };
}

function feedImage(image: ArticleImage): FeedImage {
  // From the path alone: an image given as a URL may carry a query (`a.jpg?w=800`).
  const { pathname } = new URL(image.src, 'https://path.invalid');
  const extension = pathname.slice(pathname.lastIndexOf('.') + 1).toLowerCase();
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
