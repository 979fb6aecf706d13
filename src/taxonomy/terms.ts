// Tags and authors as browsable terms: each article's names grouped by slug (term-slug.ts), so
// "Russia" and "russia" are one tag with one page and one feed. Shared by publish-time builders
// (lists, feeds) and the worker (links from an article's tags and byline).
import type { Article } from '../storage/records';
import { termSlug } from './term-slug';

/** What a term page is about: a topic (tags) or a byline (authors). */
export type TermKind = 'tag' | 'author';

export const TERM_KINDS: readonly TermKind[] = ['tag', 'author'];

type Named = Pick<Article, 'tags' | 'author' | 'authors'>;

/** The article's bylines, one name each: `authors` when the front matter gave a list, else `author`. */
export function authorNames(article: Pick<Article, 'author' | 'authors'>): string[] {
  return article.authors ?? (article.author === undefined ? [] : [article.author]);
}

/** The names an article carries of one kind, as written. */
export function namesOf(article: Named, kind: TermKind): string[] {
  return kind === 'tag' ? article.tags : authorNames(article);
}

/** `/tag/russia`, `/author/science-desk` (`?page=N` beyond the first): root-relative, percent-encoded. */
export function termPath(kind: TermKind, slug: string, page = 1): string {
  const path = `/${kind}/${encodeURIComponent(slug)}`;
  return page > 1 ? `${path}?page=${page}` : path;
}

/** A name with the page it links to; none for a name without a letter or digit (it has no slug). */
export interface TermLink {
  name: string;
  path: string | undefined;
}

export function termLinks(article: Named, kind: TermKind): TermLink[] {
  return namesOf(article, kind).map((name) => {
    const slug = termSlug(name);
    return { name, path: slug === '' ? undefined : termPath(kind, slug) };
  });
}

export interface Term<A> {
  kind: TermKind;
  slug: string;
  /** The spelling most articles use; on a tie, the newest article's. */
  name: string;
  /** Newest first, as given. */
  articles: A[];
}

/**
 * Every term of one kind in `articles` (newest first), by slug. An article naming one term twice
 * (two spellings) is listed once. Linear in the archive.
 */
export function collectTerms<A extends Named>(articles: readonly A[], kind: TermKind): Map<string, Term<A>> {
  const terms = new Map<string, Term<A>>();
  const spellings = new Map<string, Map<string, number>>();
  // An archive names a few thousand terms a few hundred thousand times: each spelling is slugged once.
  const slugs = new Map<string, string>();
  for (const article of articles) {
    const seen = new Set<string>();
    for (const name of namesOf(article, kind)) {
      let slug = slugs.get(name);
      if (slug === undefined) {
        slug = termSlug(name);
        slugs.set(name, slug);
      }
      if (slug === '' || seen.has(slug)) continue;
      seen.add(slug);
      let term = terms.get(slug);
      if (!term) {
        term = { kind, slug, name, articles: [] };
        terms.set(slug, term);
        spellings.set(slug, new Map());
      }
      term.articles.push(article);
      const counts = spellings.get(slug);
      counts?.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  for (const [slug, counts] of spellings) {
    const term = terms.get(slug);
    if (!term) continue;
    // Map order is first use, i.e. newest first: a strict > keeps the newest spelling on a tie.
    let best = term.name;
    for (const [name, count] of counts) if (count > (counts.get(best) ?? 0)) best = name;
    term.name = best;
  }
  return terms;
}
