// A section's published articles, newest first, its child sections' included (as sectionFamily
// has it): what the lists, feeds, API scopes, sitemaps and the manifest's counts of every section
// read. Sorted into sections in one pass over the archive and kept with the content they came from,
// rather than each of them filtering every article once per section.
import { sectionFamily } from '../config/site-config';
import type { CompiledContent } from './compile';

type PublishedArticle = CompiledContent['articles'][number];

const bySectionOf = new WeakMap<CompiledContent, ReadonlyMap<string, readonly PublishedArticle[]>>();

export function sectionArticles(content: CompiledContent, slug: string): readonly PublishedArticle[] {
  let bySection = bySectionOf.get(content);
  if (!bySection) {
    const lists = new Map<string, PublishedArticle[]>();
    // Each section, with the sections whose family holds its articles (itself and its parent).
    const holders = new Map<string, PublishedArticle[][]>();
    for (const { slug: section } of content.site.sections) lists.set(section, []);
    for (const [section, list] of lists)
      for (const member of sectionFamily(content.site, section))
        holders.set(member, [...(holders.get(member) ?? []), list]);
    for (const article of content.articles)
      for (const list of holders.get(article.section) ?? []) list.push(article);
    bySection = lists;
    bySectionOf.set(content, bySection);
  }
  return bySection.get(slug) ?? [];
}
