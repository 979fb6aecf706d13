// The sitemaps search engines read: an index (/sitemap.xml) over a pages sitemap (home and
// sections) and one sitemap per month of articles, plus the Google News entries. Rendered once
// here with ORIGIN_PLACEHOLDER URLs; the worker fills in the serving host.

import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { sectionArticles } from '../../content/section-articles';
import { NEWS_SITEMAP_MAX_ARTICLES, type NewsSitemapRecord } from '../../seo/news-sitemap';
import { escapeMarkup, SITEMAP_NS, XML_DECLARATION } from '../../shared/xml';
import { ORIGIN_PLACEHOLDER } from '../../sites/origin-placeholder';
import { sectionPath } from '../../sites/urls';
import { newsSitemapKey, sitemapIndexKey, sitemapKey } from '../../storage/keys';
import { buildGroups, type GroupContext, type RecordGroup, type Records } from './index-builder';
import { oneValueGroup, type Recipe, RecipeError, recipeLength, recipeText } from './recipe';

/** sitemaps.org: "no more than 50,000 URLs" per sitemap (and per sitemap index). */
export const SITEMAP_MAX_URLS = 50_000;

type CompiledArticle = CompiledContent['articles'][number];

interface SitemapUrl {
  path: string;
  /** W3C datetime (the content's ISO 8601 UTC timestamps are already in that profile). */
  lastmod?: string;
}

/** The public path of a sitemap in the index: `/sitemaps/pages.xml`, `/sitemaps/2022-01.xml`. */
export function sitemapPath(name: string): string {
  return `/sitemaps/${name}.xml`;
}

/** An article's last modification: its `updated`, or its publication (the `modified` scope's order too). */
export const lastModified = (article: CompiledArticle): string => article.updated ?? article.published;

function newest(dates: string[]): string | undefined {
  return dates.reduce<string | undefined>((max, d) => (max === undefined || d > max ? d : max), undefined);
}

function locOf(path: string): string {
  return escapeMarkup(`${ORIGIN_PLACEHOLDER}${path}`);
}

function renderUrlset(urls: SitemapUrl[]): string {
  const entries = urls.map(
    (u) => `<url><loc>${locOf(u.path)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>\n`,
  );
  return `${XML_DECLARATION}<urlset xmlns="${SITEMAP_NS}">\n${entries.join('')}</urlset>\n`;
}

function renderSitemapIndex(sitemaps: SitemapUrl[]): string {
  const entries = sitemaps.map(
    (s) =>
      `<sitemap><loc>${locOf(s.path)}</loc>${s.lastmod ? `<lastmod>${s.lastmod}</lastmod>` : ''}</sitemap>\n`,
  );
  return `${XML_DECLARATION}<sitemapindex xmlns="${SITEMAP_NS}">\n${entries.join('')}</sitemapindex>\n`;
}

/** `2022-01`: the UTC month of `published`, the same calendar as the article's /Detail/ path. */
function monthOf(article: CompiledArticle): string {
  return article.published.slice(0, 7);
}

function pagesSitemap(content: CompiledContent): SitemapUrl[] {
  const home: SitemapUrl = { path: '/' };
  const homeLastmod = newest(content.articles.map(lastModified));
  if (homeLastmod) home.lastmod = homeLastmod;
  const sections: SitemapUrl[] = [];
  for (const section of content.site.sections) {
    const lastmod = newest(sectionArticles(content, section.slug).map(lastModified));
    // A section without articles has nothing for a search engine yet.
    if (lastmod) sections.push({ path: sectionPath(section.slug), lastmod });
  }
  return [home, ...sections];
}

/** The builder of the sitemaps, by name (index-builder.ts registers it). */
export const SITEMAPS_BUILDER = 'sitemaps';

/** The group of one month's part: its recipe is its key, its members its articles, oldest first. */
function sitemapPart(
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  const key = recipeText(recipe, 0, SITEMAPS_BUILDER);
  return oneValueGroup({ key, recipe, members }, context, [key], () =>
    renderUrlset(members.map((a) => ({ path: a.path, lastmod: lastModified(a) }))),
  );
}

/**
 * A dated document's entries, as its recipe holds them: each a name (the pages sitemap's paths,
 * the index's sitemap names) and the newest date of what it lists, null for none.
 */
export type DatedEntries = [name: string, lastmod: string | null][];

/**
 * The group of the pages sitemap or the sitemap index: a document dated by the newest of what each
 * entry lists (the home, a section, a month's part). Its recipe is its key and its entries as JSON,
 * it has no members, and it is indexed (an edit by key that moves an article's date to the newest
 * makes it again with that date, dated-by-key.ts).
 */
function datedSitemap(recipe: Recipe): RecordGroup {
  const key = recipeText(recipe, 0, SITEMAPS_BUILDER);
  const json = recipeText(recipe, 1, SITEMAPS_BUILDER);
  const isIndex = key === sitemapIndexKey();
  if (!isIndex && key !== sitemapKey('pages')) throw new RecipeError(SITEMAPS_BUILDER, recipe);
  // Read when built: a publish whose memo keeps the document does not parse its entries.
  const urls = () =>
    (JSON.parse(json) as DatedEntries).map(
      ([name, lastmod]): SitemapUrl => ({
        path: isIndex ? sitemapPath(name) : name,
        ...(lastmod && { lastmod }),
      }),
    );
  return {
    inputs: () => [key, json],
    build: () => new Map([[key, (isIndex ? renderSitemapIndex : renderUrlset)(urls())]]),
    indexed: { members: [], keys: () => [key], recipe },
  };
}

/** The sitemaps' groups made again: a month's part (its recipe one entry) or a dated document (two). */
export function remakeSitemap(
  _site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  if (recipe.length === 1) return sitemapPart(recipe, members, context);
  recipeLength(recipe, 2, SITEMAPS_BUILDER);
  if (members.length > 0) throw new RecipeError(SITEMAPS_BUILDER, recipe);
  return datedSitemap(recipe);
}

/** A dated document's recipe: its key and its entries. */
export function datedRecipe(key: string, entries: DatedEntries): Recipe {
  return [key, JSON.stringify(entries)];
}

/**
 * The pages sitemap, one group per month's part and the index. A part shows its articles' paths and
 * dates, and which articles it holds follows from their publication months alone: it is placed
 * (placement.ts), so an edit rebuilds the part that lists the article, and a publish with a memo
 * builds only the parts whose articles changed. The pages sitemap (the home's and each section's
 * newest date) and the index (each part's) are made every time, from their dates: a few hundred lines.
 */
export function sitemapGroups(
  content: CompiledContent,
  context: Pick<GroupContext, 'article'>,
  maxUrls = SITEMAP_MAX_URLS,
): RecordGroup[] {
  const pages = pagesSitemap(content);
  const index: DatedEntries = [['pages', pages[0]?.lastmod ?? null]];
  const groups: RecordGroup[] = [
    datedSitemap(
      datedRecipe(
        sitemapKey('pages'),
        pages.map((url) => [url.path, url.lastmod ?? null]),
      ),
    ),
  ];
  // Articles are newest first, so months come out newest first too.
  const byMonth = new Map<string, CompiledArticle[]>();
  for (const article of content.articles) {
    const month = monthOf(article);
    const articles = byMonth.get(month);
    if (articles) articles.push(article);
    else byMonth.set(month, [article]);
  }
  for (const [month, articles] of byMonth) {
    // Oldest first within a month, so a month past the limit only ever grows its last part.
    articles.reverse();
    for (let part = 0; part * maxUrls < articles.length; part++) {
      const members = articles.slice(part * maxUrls, (part + 1) * maxUrls);
      const name = part === 0 ? month : `${month}-${part + 1}`;
      groups.push(sitemapPart([sitemapKey(name)], members, context));
      index.push([name, newest(members.map(lastModified)) ?? null]);
    }
  }
  groups.push(datedSitemap(datedRecipe(sitemapIndexKey(), index)));
  return groups;
}

/** Every sitemap at once (each group built), by key. */
export function buildSitemaps(content: CompiledContent, maxUrls = SITEMAP_MAX_URLS): Records {
  return buildGroups(sitemapGroups(content, { article: () => '' }, maxUrls));
}

/**
 * Google News wants an ISO 639 code, except zh-cn and zh-tw for Chinese
 * (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).
 */
export function newsLanguage(bcp47: string): string {
  const lower = bcp47.toLowerCase();
  if (lower.startsWith('zh')) return /-(tw|hk|mo|hant)\b/.test(lower) ? 'zh-tw' : 'zh-cn';
  return lower.split('-')[0] ?? lower;
}

/** The builder of the Google News entries, by name (index-builder.ts registers it). */
export const NEWS_SITEMAP_BUILDER = 'news-sitemap';

/**
 * The group of the Google News entries: the newest NEWS_SITEMAP_MAX_ARTICLES articles, newest first,
 * and of the site only its name and language. Its recipe is empty. Placed (placement.ts): an edit
 * rebuilds it only when it lists the article, and a publish that leaves the newest articles as they
 * were keeps it.
 */
export function remakeNewsSitemap(
  site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  recipeLength(recipe, 0, NEWS_SITEMAP_BUILDER);
  if (members.length > NEWS_SITEMAP_MAX_ARTICLES) throw new RecipeError(NEWS_SITEMAP_BUILDER, recipe);
  return oneValueGroup({ key: newsSitemapKey(), recipe, members }, context, [], () => {
    const name = escapeMarkup(site.name);
    const language = newsLanguage(site.language);
    const record: NewsSitemapRecord = {
      entries: members.map((article) => ({
        published: article.published,
        xml:
          `<url><loc>${locOf(article.path)}</loc><news:news><news:publication>` +
          `<news:name>${name}</news:name><news:language>${language}</news:language></news:publication>` +
          `<news:publication_date>${article.published}</news:publication_date>` +
          `<news:title>${escapeMarkup(article.title)}</news:title></news:news></url>\n`,
      })),
    };
    return JSON.stringify(record);
  });
}

/** The news sitemap's one group (remakeNewsSitemap). */
export function newsSitemapGroups(
  content: CompiledContent,
  context: Pick<GroupContext, 'article'>,
): RecordGroup[] {
  return [remakeNewsSitemap(content.site, [], content.articles.slice(0, NEWS_SITEMAP_MAX_ARTICLES), context)];
}
