// Section list sharding at archive scale: bounded values, and a new article rewrites a bounded
// number of keys, because old pages are fixed chronological buckets.
import { afterAll, describe, expect, it } from 'vitest';
import type { CompiledContent } from '../../src/content/compile';
import { compileSiteConfig } from '../../src/content/compile';
import { buildListPages, manifestSections } from '../../src/publish/indexes/list-pages';
import { countSectionPages, SECTION_BUCKET_SIZE, shardOfPage } from '../../src/storage/list-shards';
import { toTeaser } from '../../src/storage/records';
import { renderCard } from '../../src/views/ArticleCard';
import { repositoryContent } from '../support/content';

const MIB = 1024 * 1024;
const site = compileSiteConfig(repositoryContent().site);
const SECTIONS = site.sections.map((s) => s.slug);

/** `count` articles, newest first, spread over the sections; article i was published at minute i. */
function archive(count: number): CompiledContent {
  const articles: CompiledContent['articles'] = [];
  for (let i = count - 1; i >= 0; i--) {
    const published = new Date(Date.UTC(2010, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z');
    const id = 1_000_000 + i;
    articles.push({
      id,
      guid: `tag:${site.primary},2010-01-01:${id}`,
      slug: `Synthetic-headline-${id}`,
      path: `/Detail/2010/01/01/${id}/Synthetic-headline-${id}`,
      title: `A plausible synthetic headline of ordinary length, number ${id}`,
      section: SECTIONS[i % SECTIONS.length] ?? 'news',
      published,
      summary: 'A summary sentence of the length editors usually write for a teaser. '.repeat(3),
      image: { src: '/images/articles/675904.jpg', alt: 'A photo', width: 1200, height: 675 },
      bodyHtml: '<p>Body.</p>',
      tags: ['Tag'],
    });
  }
  return { site, articles, drafts: 0 };
}

type Article = CompiledContent['articles'][number];

/**
 * Each article's card, rendered once (as a publish does): the lists store these. Kept by id, since
 * archive() makes article i the same at every size: the archives below then share their cards.
 */
const cards = new Map<number, string>();
function card(article: Article): string {
  let html = cards.get(article.id);
  if (html === undefined) {
    html = renderCard(toTeaser(article));
    cards.set(article.id, html);
  }
  return html;
}
// A hundred thousand cards: not kept for the files that share this workerd.
afterAll(() => cards.clear());

/** The article id a stored card links to. */
function idOfCard(html: string): number {
  return Number(/href="\/Detail\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//.exec(html)?.[1]);
}

function changedKeys(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => before.get(key) !== after.get(key)).sort();
}

describe('section list shards', () => {
  // About 7 s here; 38 s once on a machine busy with a publish of 500,000 articles, past the
  // default limit of 30.
  it('keeps every list value far below the 1 MiB KV limit at 100,000 articles', { timeout: 90_000 }, () => {
    const records = buildListPages(archive(100_000), card);
    const largest = Math.max(...[...records.values()].map((v) => new TextEncoder().encode(v).length));
    expect(largest).toBeLessThan(MIB / 16);
  });

  it('rewrites only the home list and the heads (and a closing bucket) when an article is added', () => {
    for (const count of [10_000, 10_005, 10_009]) {
      const before = buildListPages(archive(count), card);
      const after = buildListPages(archive(count + 1), card);
      const changed = changedKeys(before, after);
      // The new article's section and its parent: a head each, plus at most one new bucket each.
      expect(changed.length).toBeLessThanOrEqual(5);
      expect(changed).toContain('list:v3:home');
      expect(changed.filter((key) => /:b\d+$/.test(key)).every((key) => !before.has(key))).toBe(true);
    }
  });

  it('maps reader pages to shards that list every article exactly once, newest first', () => {
    const content = archive(1_234);
    const records = buildListPages(content, card);
    for (const section of manifestSections(content)) {
      const seen: number[] = [];
      for (let page = 1; page <= section.pages; page++) {
        const shard = shardOfPage(section.articles, page);
        const key =
          shard === 'head'
            ? `list:v3:section:${section.slug}:head`
            : `list:v3:section:${section.slug}:b${shard}`;
        const value = records.get(key);
        if (value === undefined) throw new Error(`no ${key}`);
        const { cards } = JSON.parse(value) as { cards: string[] };
        if (page > 1) expect(cards).toHaveLength(SECTION_BUCKET_SIZE);
        seen.push(...cards.map(idOfCard));
      }
      expect(seen).toHaveLength(section.articles);
      expect(seen).toEqual([...seen].sort((a, b) => b - a));
    }
  });

  it('gives an empty section one empty page and a small one a single page', () => {
    expect(countSectionPages(0)).toBe(1);
    expect(countSectionPages(20)).toBe(1);
    expect(countSectionPages(21)).toBe(2);
    expect(shardOfPage(21, 2)).toBe(1);
  });
});
