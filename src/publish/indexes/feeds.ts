// The feeds' index builder (publish time only): every scope (site, sections, tags and authors in
// use) × format, plus the OPML list, rendered once with ORIGIN_PLACEHOLDER URLs, so a feed request
// is one KV read and a string substitution.

import type { CompiledContent } from '../../content/compile';
import { stripXmlIllegalChars } from '../../content/xml-chars';
import { FEED_FORMAT_IDS, type FeedFormat } from '../../feeds/feed-formats';
import { buildFeedDocument, type FeedDocument, feedScopes } from '../../feeds/feed-items';
import { renderAtom } from '../../feeds/render-atom';
import { renderJsonFeed } from '../../feeds/render-json-feed';
import { renderOpml } from '../../feeds/render-opml';
import { renderRss } from '../../feeds/render-rss';
import { feedKey, opmlKey } from '../../storage/keys';
import { TERM_KINDS } from '../../taxonomy/terms';
import type { Records } from './index-builder';
import { termsOf } from './terms-of';

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

export function buildFeeds(content: CompiledContent): Records {
  const records: Records = new Map();
  const docs = feedScopes(content).map((scope) => buildFeedDocument(content, scope));
  // Every tag and author in use gets its feeds too, listed in the OPML after the sections.
  for (const kind of TERM_KINDS) {
    for (const term of termsOf(content, kind).values())
      docs.push(buildFeedDocument(content, { type: kind, slug: term.slug }, term));
  }
  for (const doc of docs) {
    for (const format of FEED_FORMAT_IDS)
      records.set(feedKey(doc.scope, format), renderFeedBody(doc, format));
  }
  records.set(opmlKey(), stripXmlIllegalChars(renderOpml(docs, content.site.name)));
  return records;
}
