// /search?q=…: the site's own search, served on whichever host the reader is on, from the index
// publish writes to KV (src/search/). A miss reads the two parts of one shard per distinct query
// word, then the records of the page's articles; contentCache in front makes a repeat cost nothing.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { canonicalQuery, PAGE_QUERY, withoutTrailingSlash } from '../http/canonical-url';
import { contentCache } from '../http/content-cache';
import { htmlSecurityHeaders } from '../http/security-headers';
import { MAX_QUERY_LENGTH, MAX_RESULT_PAGES, queryTerms, RESULTS_PER_PAGE, search } from '../search/query';
import type { Article } from '../storage/records';
import { renderPage } from '../views/render-page';
import { SearchPage } from '../views/SearchPage';

export const searchRoutes = new Hono<AppEnv>();

const SEARCH_QUERY = {
  // At most MAX_QUERY_LENGTH characters with a letter or digit among them: anything else is a
  // 400 before a redirect could repeat it. Whether it holds a searchable word is decided below.
  q: {
    pattern: new RegExp(`^(?=[^]*[\\p{L}\\p{N}])[^]{1,${MAX_QUERY_LENGTH}}$`, 'u'),
    message: `q must be a word or words to search for, at most ${MAX_QUERY_LENGTH} characters`,
  },
  ...PAGE_QUERY,
};

searchRoutes.use('/search', htmlSecurityHeaders());
searchRoutes.get('/search/', withoutTrailingSlash(SEARCH_QUERY));
searchRoutes.get(
  '/search',
  canonicalQuery(SEARCH_QUERY),
  contentCache({ cacheControl: CACHE_POLICY.listPage, query: ['q', 'page'] }),
  async (c) => {
    const { site, repo } = c.var;
    const page = (s: string | undefined) => (s === undefined ? 1 : Number(s));
    const render = (results: Parameters<typeof SearchPage>[0]['results']) =>
      renderPage(c, <SearchPage site={site.config} sections={site.manifest.sections} results={results} />);
    const query = c.req.query('q')?.trim();
    if (query === undefined) return render(null);
    const terms = queryTerms(query);
    if (terms.length === 0) throw new HTTPException(400, { message: 'q must contain a word to search for' });

    const current = page(c.req.query('page'));
    if (current > MAX_RESULT_PAGES) throw new HTTPException(404);
    const { total, hits } = await search(
      terms,
      repo.searchIndexOf(site.manifest),
      current * RESULTS_PER_PAGE,
    );
    const pages = Math.min(MAX_RESULT_PAGES, Math.max(1, Math.ceil(total / RESULTS_PER_PAGE)));
    if (current > pages) throw new HTTPException(404);
    const shown = hits.slice((current - 1) * RESULTS_PER_PAGE);
    // An article removed since the index was read has no record any more: it is left out.
    const articles = (await Promise.all(shown.map((hit) => repo.getArticle(hit.id)))).filter(
      (article): article is Article => article !== null,
    );
    return render({ query, terms: new Set(terms), total, page: current, pages, articles });
  },
);
