// Every tag and author of an archive, grouped once per publish: the term pages and the term feeds
// both need them, and grouping slugs every name of every article (about 0.7 s at 100,000 articles).
import type { CompiledContent } from '../../content/compile';
import { collectTerms, type Term, type TermKind } from '../../taxonomy/terms';

type CompiledArticle = CompiledContent['articles'][number];

/** By the articles array they were grouped from: a staged release's content is grouped anew. */
const grouped = new WeakMap<readonly CompiledArticle[], Map<TermKind, Map<string, Term<CompiledArticle>>>>();

/** collectTerms(content.articles, kind), computed once for these articles. Read-only: it is shared. */
export function termsOf(
  content: CompiledContent,
  kind: TermKind,
): ReadonlyMap<string, Term<CompiledArticle>> {
  let byKind = grouped.get(content.articles);
  if (!byKind) {
    byKind = new Map();
    grouped.set(content.articles, byKind);
  }
  let terms = byKind.get(kind);
  if (!terms) {
    terms = collectTerms(content.articles, kind);
    byKind.set(kind, terms);
  }
  return terms;
}
