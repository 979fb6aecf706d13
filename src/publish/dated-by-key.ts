// The documents dated by the newest of what they list, made again by key when an edit moves one
// article's `updated` later (modified-by-key.ts): the pages sitemap (the home's and each section's
// date), the sitemap index (the pages sitemap's and each month part's) and the OPML list (the site
// feed's date). Each takes its dates as text, the newest of its articles' (sitemaps.ts newest,
// feed-items.ts newestUpdate), and the moved date is not earlier as text than the article's own was
// (edit-by-key.ts declines otherwise): so an entry that lists the article becomes the newer of its
// date and the moved one, and no other entry moves. Their recipes hold their entries (sitemaps.ts
// datedRecipe, feeds.ts opmlRecipe), so none is read from the archive.
import { sectionFamily } from '../config/site-config';
import type { CompiledContent } from '../content/compile';
import { FEED_FORMAT_IDS } from '../feeds/feed-formats';
import { sectionPath } from '../sites/urls';
import { feedKey, opmlKey, sitemapIndexKey, sitemapKey } from '../storage/keys';
import type { IndexedGroup } from './group-index';
import { FEEDS_BUILDER, opmlDate, opmlRecipe } from './indexes/feeds';
import { type Recipe, recipeText } from './indexes/recipe';
import { type DatedEntries, datedRecipe, lastModified, SITEMAPS_BUILDER } from './indexes/sitemaps';
import { NotByKeyError, type RemadeGroup, type RemakeSource, remakeGroup } from './placed-by-key';

type CompiledArticle = CompiledContent['articles'][number];

export interface DatedByKeySource extends RemakeSource {
  /** The group whose first key is `key`, as the index holds it. */
  group(key: string): Promise<IndexedGroup | undefined>;
}

/**
 * The dated documents made again for `moved` (as it is now, its `updated` moved later), given the
 * groups the edit made again (`remade`: the month's sitemap part that lists the article among
 * them, and the site feed when it lists the article).
 */
export async function redatedByKey(
  moved: CompiledArticle,
  remade: readonly RemadeGroup[],
  source: DatedByKeySource,
): Promise<RemadeGroup[]> {
  const date = lastModified(moved);
  const newer = (lastmod: string | null): string => (lastmod === null || date > lastmod ? date : lastmod);
  const redate = (entries: DatedEntries, lists: (name: string) => boolean): DatedEntries =>
    entries.map(([name, lastmod]) => [name, lists(name) ? newer(lastmod) : lastmod]);
  const { site } = source;

  const pages = await indexedGroup(source, SITEMAPS_BUILDER, sitemapKey('pages'));
  const sections = new Set(
    site.sections
      .filter((section) => sectionFamily(site, section.slug).has(moved.section))
      .map((section) => sectionPath(section.slug)),
  );
  const pagesNow = redate(entriesOf(pages), (path) => path === '/' || sections.has(path));
  const home = pagesNow.find(([path]) => path === '/')?.[1] ?? null;

  const index = await indexedGroup(source, SITEMAPS_BUILDER, sitemapIndexKey());
  const lists = (builder: string) => (group: RemadeGroup) =>
    group.builder === builder && group.members.includes(moved.id);
  const part = remade.find(lists(SITEMAPS_BUILDER));
  if (!part) throw new NotByKeyError(`no sitemap part lists article ${moved.id}`);
  const indexNow = entriesOf(index).map(([name, lastmod]): DatedEntries[number] => [
    name,
    name === 'pages' ? home : sitemapKey(name) === part.key ? newer(lastmod) : lastmod,
  ]);

  const made = [
    redone(source, pages, datedRecipe(pages.key, pagesNow)),
    redone(source, index, datedRecipe(index.key, indexNow)),
  ];
  // The OPML list takes the site feed's date, which moves only when that feed lists the article.
  const siteFeed = feedKey({ type: 'site' }, FEED_FORMAT_IDS[0] ?? 'rss');
  if (remade.some((group) => lists(FEEDS_BUILDER)(group) && group.key === siteFeed)) {
    const opml = await indexedGroup(source, FEEDS_BUILDER, opmlKey());
    const headers = recipeText(opml.recipe, 2, FEEDS_BUILDER);
    made.push(redone(source, opml, opmlRecipe(newer(opmlDate(opml.recipe)), headers)));
  }
  return made;
}

async function indexedGroup(source: DatedByKeySource, builder: string, key: string): Promise<IndexedGroup> {
  const group = await source.group(key);
  if (!group || group.builder !== builder) throw new NotByKeyError(`the group index has no ${key}`);
  return group;
}

function entriesOf(group: IndexedGroup): DatedEntries {
  return JSON.parse(recipeText(group.recipe, 1, group.builder)) as DatedEntries;
}

/** A dated document made again with another recipe (it has no members). */
function redone(source: RemakeSource, group: IndexedGroup, recipe: Recipe): RemadeGroup {
  return remakeGroup(source, group, { recipe: group.recipe, members: [] }, { recipe, members: [] });
}
