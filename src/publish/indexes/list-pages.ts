// List pages for the home page and each section (with its child sections), newest first.
import { type ListPage, type ManifestSection, toTeaser } from '../../articles/article';
import { homeListKey, sectionListKey } from '../../articles/keys';
import type { CompiledContent } from '../../content/compile';
import { sectionFamily } from '../../sites/site-config';
import type { Records } from './index-builder';

export const HOME_LIST_SIZE = 20;
export const SECTION_PAGE_SIZE = 10;

function sectionItems(content: CompiledContent, slug: string) {
  const family = sectionFamily(content.site, slug);
  return content.articles.filter((a) => family.has(a.section));
}

/** Sections with their page counts, for the manifest (so an out-of-range page costs no read). */
export function manifestSections(content: CompiledContent): ManifestSection[] {
  return content.site.sections.map((section) => ({
    ...section,
    pages: Math.ceil(sectionItems(content, section.slug).length / SECTION_PAGE_SIZE),
  }));
}

export function buildListPages(content: CompiledContent): Records {
  const records: Records = new Map();
  const home: ListPage = {
    page: 1,
    pages: 1,
    items: content.articles.slice(0, HOME_LIST_SIZE).map(toTeaser),
  };
  records.set(homeListKey(), JSON.stringify(home));
  for (const section of content.site.sections) {
    const items = sectionItems(content, section.slug).map(toTeaser);
    const pages = Math.ceil(items.length / SECTION_PAGE_SIZE);
    for (let page = 1; page <= pages; page++) {
      const start = (page - 1) * SECTION_PAGE_SIZE;
      const list: ListPage = { page, pages, items: items.slice(start, start + SECTION_PAGE_SIZE) };
      records.set(sectionListKey(section.slug, page), JSON.stringify(list));
    }
  }
  return records;
}
