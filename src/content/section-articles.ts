// A section's published articles, newest first, its child sections' included (as sectionFamily
// has it): what the lists, feeds, API scopes, sitemaps and the manifest's counts of every section
// read. Sorted into sections in one pass over the archive and kept with the articles they came from
// (as publish/indexes/terms-of.ts keeps the tags and authors), rather than each of them filtering
// every article once per section.
import { sectionFamily } from '../config/site-config';
import type { CompiledContent } from './compile';

type PublishedArticle = CompiledContent['articles'][number];

interface Sorted {
  /** The site's sections they were sorted by: another configuration sorts them anew. */
  sections: CompiledContent['site']['sections'];
  bySection: ReadonlyMap<string, readonly PublishedArticle[]>;
}

/** By the articles array they were sorted from: the pipeline's copies of one content share it. */
const sortedOf = new WeakMap<readonly PublishedArticle[], Sorted>();

/** Read-only: the list is shared by every caller. */
export function sectionArticles(content: CompiledContent, slug: string): readonly PublishedArticle[] {
  const { sections } = content.site;
  let sorted = sortedOf.get(content.articles);
  if (sorted?.sections !== sections) {
    const bySection = new Map<string, PublishedArticle[]>(sections.map((section) => [section.slug, []]));
    // Each section, with the lists its articles go into: its own and its parent's.
    const holders = new Map<string, PublishedArticle[][]>();
    for (const [section, list] of bySection)
      for (const member of sectionFamily(content.site, section)) {
        const lists = holders.get(member);
        if (lists) lists.push(list);
        else holders.set(member, [list]);
      }
    for (const article of content.articles)
      for (const list of holders.get(article.section) ?? []) list.push(article);
    sorted = { sections, bySection };
    sortedOf.set(content.articles, sorted);
  }
  return sorted.bySection.get(slug) ?? [];
}
