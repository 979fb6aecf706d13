// The search results page: what was asked, how many articles match, and each match with its
// headline, date and an excerpt, the query's words marked. Rendered on the server: no script.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */

import { type SiteConfig, sectionTrail } from '../config/site-config';
import { excerpt, highlight, htmlToText } from '../search/text';
import type { Article, ManifestSection } from '../storage/records';
import { formatShortDate } from './format';
import { Layout } from './Layout';
import { Pagination } from './Pagination';

export interface SearchResults {
  query: string;
  terms: ReadonlySet<string>;
  total: number;
  page: number;
  pages: number;
  articles: Article[];
}

/** `/search?q=…&page=N`, as the form writes it. */
export function searchPath(query: string, page = 1): string {
  const params = new URLSearchParams({ q: query });
  if (page > 1) params.set('page', String(page));
  return `/search?${params}`;
}

function Marked({ text, terms }: { text: string; terms: ReadonlySet<string> }) {
  return <>{highlight(text, terms).map((part) => (part.mark ? <mark>{part.text}</mark> : part.text))}</>;
}

function SearchResult({
  site,
  article,
  terms,
}: {
  site: SiteConfig;
  article: Article;
  terms: ReadonlySet<string>;
}) {
  const section = sectionTrail(site, article.section).at(-1);
  const body = htmlToText(article.bodyHtml);
  return (
    <article class="card search-result">
      <div class="card-text">
        <h2 class="card-title" dir="auto">
          <a href={article.path}>
            <Marked text={article.title} terms={terms} />
          </a>
        </h2>
        <p class="card-meta">
          <time datetime={article.published}>{formatShortDate(article.published)}</time>
          {section && <> · {section.title}</>}
        </p>
        <p class="card-summary" dir="auto">
          <Marked text={article.summary} terms={terms} />
        </p>
        <p class="search-excerpt" dir="auto">
          <Marked text={excerpt(body, terms)} terms={terms} />
        </p>
      </div>
    </article>
  );
}

export function SearchPage({
  site,
  sections,
  results,
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  results: SearchResults | null;
}) {
  const title = results ? `Search: ${results.query}` : 'Search';
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title: results && results.page > 1 ? `${title}, page ${results.page}` : title,
        description: `Search the articles of ${site.name}.`,
        canonicalPath: results ? searchPath(results.query, results.page) : '/search',
        // Results pages are endless and change with every publish: not for search engines.
        head: <meta name="robots" content="noindex, follow" />,
        searchQuery: results?.query,
      }}
    >
      <h1 class="page-title" dir="auto">
        {results ? `Results for “${results.query}”` : 'Search'}
      </h1>
      {results === null ? (
        <p>Type a word from a headline or an article into the search box above.</p>
      ) : results.total === 0 ? (
        <p>No article contains all of these words. Try fewer or other words.</p>
      ) : (
        <>
          <p class="search-count" role="status">
            {results.total === 1 ? '1 article' : `${results.total.toLocaleString('en')} articles`} found
          </p>
          <section class="article-list" aria-label="Search results">
            {results.articles.map((article) => (
              <SearchResult site={site} article={article} terms={results.terms} />
            ))}
          </section>
          <Pagination
            page={results.page}
            pages={results.pages}
            pathOf={(page) => searchPath(results.query, page)}
          />
        </>
      )}
    </Layout>
  );
}
