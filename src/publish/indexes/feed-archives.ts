// The feeds' archive documents (RFC 5005 §4): every closed archive bucket of every feed scope, in
// each format. A closed bucket's bytes never change with newer articles, so the publish diff
// rewrites none of them when an article is added; only the subscription feeds move.

import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { FEED_FORMAT_IDS } from '../../feeds/feed-formats';
import { buildFeedArchive, type FeedDocument, feedArchiveSlices, feedScopes } from '../../feeds/feed-items';
import { feedArchiveKey, feedKey } from '../../storage/keys';
import { feedScopeOf, feedScopeRecipe, renderFeedBody } from './feeds';
import type { GroupContext, RecordGroup, Records } from './index-builder';
import { type Recipe, recipeLength, recipeNumber } from './recipe';

type CompiledArticle = CompiledContent['articles'][number];

/** Workers KV's value limit (25 MiB): a document over it would fail the write, so publish stops first. */
export const KV_VALUE_MAX_BYTES = 25 * 1024 * 1024;

/** The builder of the feeds' archive documents, by name (index-builder.ts registers it). */
export const FEED_ARCHIVES_BUILDER = 'feed-archives';

/**
 * The group of one archive document (its three formats): it depends on its 25 articles alone. Its
 * recipe is its scope (type and slug, empty for the site's) and its number.
 */
export function remakeFeedArchive(
  site: SiteConfig,
  recipe: Recipe,
  articles: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  recipeLength(recipe, 3, FEED_ARCHIVES_BUILDER);
  const scope = feedScopeOf(recipe, 0, FEED_ARCHIVES_BUILDER);
  const archive = recipeNumber(recipe, 2, FEED_ARCHIVES_BUILDER);
  return {
    inputs: () => [
      feedKey(scope, 'atom'),
      String(archive),
      ...articles.map((article) => context.article(article)),
    ],
    build: () => archiveRecords(buildFeedArchive(site, scope, archive, articles)),
    placed: {
      members: articles,
      keys: () => FEED_FORMAT_IDS.map((format) => feedArchiveKey(scope, format, archive)),
      recipe,
    },
  };
}

/** One group per archive document (remakeFeedArchive), given one at a time, as the publish takes them (term-pages.ts). */
export function* feedArchiveGroups(content: CompiledContent, context: GroupContext): Iterable<RecordGroup> {
  for (const scope of feedScopes(content))
    for (const { archive, articles } of feedArchiveSlices(content, scope))
      yield remakeFeedArchive(content.site, [...feedScopeRecipe(scope), archive], articles, context);
}

function archiveRecords(doc: FeedDocument): Records {
  const records: Records = new Map();
  const archive = doc.paging.archive?.number ?? 0;
  for (const format of FEED_FORMAT_IDS) {
    const key = feedArchiveKey(doc.scope, format, archive);
    const body = renderFeedBody(doc, format);
    // Checked before anything is written: bodies of a few hundred KiB keep a 25-item archive
    // far below the limit, so only a runaway body can reach it.
    const bytes = encoder.encode(body).length;
    if (bytes > KV_VALUE_MAX_BYTES)
      throw new Error(`${key} would be ${bytes} bytes, over Workers KV's limit of ${KV_VALUE_MAX_BYTES}`);
    records.set(key, body);
  }
  return records;
}

const encoder = new TextEncoder();
