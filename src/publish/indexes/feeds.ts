// The feeds' index builder (publish time only): every scope (site, sections, tags and authors in
// use) × format, plus the OPML list, rendered once with ORIGIN_PLACEHOLDER URLs, so a feed request
// is one KV read and a string substitution. One group per scope: a tag's or author's feeds depend on
// its name and newest articles alone, so a publish renders only the feeds that show what changed.

import type { SiteConfig } from '../../config/site-config';
import type { CompiledContent } from '../../content/compile';
import { stripXmlIllegalChars } from '../../content/xml-chars';
import { FEED_FORMAT_IDS, FEED_ITEM_COUNT, type FeedFormat, type FeedScope } from '../../feeds/feed-formats';
import {
  buildTermFeedDocument,
  type FeedDocument,
  type FeedHeader,
  type FeedTerm,
  feedHeader,
  feedScopes,
  type ScopeFeedParts,
  scopeFeedDocument,
  scopeFeedParts,
  scopeFeedUpdated,
} from '../../feeds/feed-items';
import { renderAtom } from '../../feeds/render-atom';
import { renderJsonFeed } from '../../feeds/render-json-feed';
import { renderOpml } from '../../feeds/render-opml';
import { renderRss } from '../../feeds/render-rss';
import { feedKey, opmlKey } from '../../storage/keys';
import { TERM_KINDS } from '../../taxonomy/terms';
import type { GroupContext, RecordGroup, Records } from './index-builder';
import { type Recipe, RecipeError, recipeLength, recipeNumber, recipeText } from './recipe';
import { termsOf } from './terms-of';

type CompiledArticle = CompiledContent['articles'][number];

const RENDERERS: Record<FeedFormat, (doc: FeedDocument) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

/**
 * One document as stored: compile already strips XML-illegal characters from content; the writers
 * copy values as given, so the finished body is stripped once more rather than trusting every input path.
 */
export function renderFeedBody(doc: FeedDocument, format: FeedFormat): string {
  return stripXmlIllegalChars(RENDERERS[format](doc));
}

function feedRecords(doc: FeedDocument): Records {
  return new Map(FEED_FORMAT_IDS.map((format) => [feedKey(doc.scope, format), renderFeedBody(doc, format)]));
}

/** Every feed's scope, in the OPML's order: the site, each section, then every tag and author in use. */
function scopesOf(content: CompiledContent): { scope: FeedScope; term?: FeedTerm }[] {
  const scopes: { scope: FeedScope; term?: FeedTerm }[] = feedScopes(content).map((scope) => ({ scope }));
  for (const kind of TERM_KINDS)
    for (const term of termsOf(content, kind).values())
      scopes.push({ scope: { type: kind, slug: term.slug }, term });
  return scopes;
}

/** The builder of the subscription feeds and the OPML list, by name (index-builder.ts registers it). */
export const FEEDS_BUILDER = 'feeds';

/** A feed's scope as two recipe entries: its type and its slug (empty for the site's). */
export function feedScopeRecipe(scope: FeedScope): [type: string, slug: string] {
  return [scope.type, scope.type === 'site' ? '' : scope.slug];
}

/** The feed scope that a recipe's entries `at` and the next name (feedScopeRecipe). */
export function feedScopeOf(recipe: Recipe, at: number, builder: string): FeedScope {
  const type = recipeText(recipe, at, builder);
  const slug = recipeText(recipe, at + 1, builder);
  if (type === 'site' && slug === '') return { type };
  if ((type === 'section' || type === 'tag' || type === 'author') && slug !== '') return { type, slug };
  throw new RecipeError(builder, recipe);
}

/**
 * The group of a feed scope's documents, made again from its recipe and members. A tag's or author's
 * feeds show its name and newest FEED_ITEM_COUNT articles, nothing else: the recipe is the scope
 * (type and slug) and the term's name, and the group is placed. A site's or section's show its
 * newest articles (those no closed archive holds), how many archives there are and the recent
 * removals, whose window moves with the publish's date: the recipe is the scope, the count of
 * archives and the tombstones as JSON, and the group is indexed but not placed (a publish makes it
 * every time, and keeps it when nothing it shows changed).
 */
export function remakeFeed(
  site: SiteConfig,
  recipe: Recipe,
  members: readonly CompiledArticle[],
  context: Pick<GroupContext, 'article'>,
): RecordGroup {
  if (recipe[0] === OPML_RECIPE) {
    if (members.length > 0) throw new RecipeError(FEEDS_BUILDER, recipe);
    return opmlGroup(site, recipe);
  }
  const scope = feedScopeOf(recipe, 0, FEEDS_BUILDER);
  const keys = () => FEED_FORMAT_IDS.map((format) => feedKey(scope, format));
  if (scope.type === 'site' || scope.type === 'section') {
    recipeLength(recipe, 4, FEEDS_BUILDER);
    const archives = recipeNumber(recipe, 2, FEEDS_BUILDER);
    const tombstones = recipeText(recipe, 3, FEEDS_BUILDER);
    return {
      inputs: () => [
        feedKey(scope, 'atom'),
        String(archives),
        tombstones,
        ...members.map((article) => context.article(article)),
      ],
      build: () =>
        feedRecords(
          scopeFeedDocument(site, scope, { articles: members, archives, tombstones: JSON.parse(tombstones) }),
        ),
      indexed: { members, keys, recipe },
    };
  }
  recipeLength(recipe, 3, FEEDS_BUILDER);
  const name = recipeText(recipe, 2, FEEDS_BUILDER);
  return {
    inputs: () => [feedKey(scope, 'atom'), name, ...members.map((article) => context.article(article))],
    build: () => feedRecords(buildTermFeedDocument(site, scope, { name, articles: members })),
    placed: { members, keys, recipe },
  };
}

/** What an OPML list's recipe starts with: no feed scope's type. */
const OPML_RECIPE = 'opml';

/** The OPML list's recipe: its date (the site feed's) and every scope's header (FeedHeader[]) as JSON. */
export function opmlRecipe(newest: string, headersJson: string): Recipe {
  return [OPML_RECIPE, newest, headersJson];
}

/** The OPML list's date (the site feed's) in its recipe (opmlRecipe). */
export function opmlDate(recipe: Recipe): string {
  return recipeText(recipe, 1, FEEDS_BUILDER);
}

/**
 * The group of the OPML list, which names every scope and takes the site feed's date: made every
 * time from its recipe (opmlRecipe), with no members, and indexed, so that an edit by key that
 * moves the site feed's date makes it again (dated-by-key.ts).
 */
function opmlGroup(site: SiteConfig, recipe: Recipe): RecordGroup {
  recipeLength(recipe, 3, FEEDS_BUILDER);
  const newest = opmlDate(recipe);
  const json = recipeText(recipe, 2, FEEDS_BUILDER);
  const key = opmlKey();
  return {
    inputs: () => [key, newest, json],
    build: () => {
      const opml = renderOpml(JSON.parse(json) as FeedHeader[], site.name, newest);
      return new Map([[key, stripXmlIllegalChars(opml)]]);
    },
    indexed: { members: [], keys: () => [key], recipe },
  };
}

/** A site's or section's feed group's recipe (remakeFeed): its scope, archives and tombstones. */
export function scopeFeedRecipe(scope: FeedScope, parts: Omit<ScopeFeedParts, 'articles'>): Recipe {
  return [...feedScopeRecipe(scope), parts.archives, JSON.stringify(parts.tombstones)];
}

/**
 * One group per scope (remakeFeed), and the OPML list, which names every scope and takes the site
 * feed's date (opmlGroup).
 */
export function feedGroups(content: CompiledContent, context: Pick<GroupContext, 'article'>): RecordGroup[] {
  const scopes = scopesOf(content);
  let newest: string | undefined;
  const groups: RecordGroup[] = scopes.map(({ scope, term }) => {
    if (term)
      return remakeFeed(
        content.site,
        [...feedScopeRecipe(scope), term.name],
        term.articles.slice(0, FEED_ITEM_COUNT),
        context,
      );
    const parts = scopeFeedParts(content, scope);
    // The site feed's date is the list's.
    if (scope.type === 'site') newest = scopeFeedUpdated(parts);
    return remakeFeed(content.site, scopeFeedRecipe(scope, parts), parts.articles, context);
  });
  const headers = scopes.map(({ scope, term }) => feedHeader(content.site, scope, term));
  if (newest === undefined) throw new Error('the feeds have no site scope');
  groups.push(opmlGroup(content.site, opmlRecipe(newest, JSON.stringify(headers))));
  return groups;
}
