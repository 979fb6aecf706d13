// List records for the home page and each section (with its child sections): the home's newest
// articles, each section's head, and its closed chronological buckets (see storage/list-shards.ts).

import { sectionFamily } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { homeListKey, sectionBucketKey, sectionHeadKey } from '../../storage/keys';
import { countSectionPages, cutShards } from '../../storage/list-shards';
import type { ListShard, ManifestSection } from '../../storage/records';
import type { CardOf, Records } from './index-builder';

export const HOME_LIST_SIZE = 20;

/** A section's articles, newest first, child sections included. */
function sectionItems(content: CompiledContent, slug: string) {
  const family = sectionFamily(content.site, slug);
  return content.articles.filter((a) => family.has(a.section));
}

/** Sections with their article and page counts, for the manifest (so a page maps to a shard without a read). */
export function manifestSections(content: CompiledContent): ManifestSection[] {
  return content.site.sections.map((section) => {
    const articles = sectionItems(content, section.slug).length;
    return { ...section, articles, pages: countSectionPages(articles) };
  });
}

const shard = (cards: string[]): string => JSON.stringify({ cards } satisfies ListShard);

export function buildListPages(content: CompiledContent, card: CardOf): Records {
  const records: Records = new Map();
  records.set(homeListKey(), shard(content.articles.slice(0, HOME_LIST_SIZE).map(card)));
  for (const section of content.site.sections) {
    const { head, buckets } = cutShards(sectionItems(content, section.slug).map(card));
    buckets.forEach((items, i) => {
      records.set(sectionBucketKey(section.slug, i + 1), shard(items));
    });
    records.set(sectionHeadKey(section.slug), shard(head));
  }
  return records;
}
