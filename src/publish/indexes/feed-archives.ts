// The feeds' archive documents (RFC 5005 §4): every closed archive bucket of every feed scope, in
// each format. A closed bucket's bytes never change with newer articles, so the publish diff
// rewrites none of them when an article is added; only the subscription feeds move.

import type { CompiledContent } from '../../content/compile';
import { FEED_FORMAT_IDS } from '../../feeds/feed-formats';
import { buildFeedArchive, type FeedDocument, feedArchiveSlices, feedScopes } from '../../feeds/feed-items';
import { feedArchiveKey, feedKey } from '../../storage/keys';
import { renderFeedBody } from './feeds';
import type { GroupContext, RecordGroup, Records } from './index-builder';

/** Workers KV's value limit (25 MiB): a document over it would fail the write, so publish stops first. */
export const KV_VALUE_MAX_BYTES = 25 * 1024 * 1024;

/**
 * One group per archive document (its three formats): it depends on its 25 articles alone. Given
 * one at a time, as the publish takes them (term-pages.ts).
 */
export function* feedArchiveGroups(content: CompiledContent, context: GroupContext): Iterable<RecordGroup> {
  for (const scope of feedScopes(content)) {
    const scopeName = feedKey(scope, 'atom');
    for (const { archive, articles } of feedArchiveSlices(content, scope)) {
      yield {
        inputs: () => [scopeName, String(archive), ...articles.map((article) => context.article(article))],
        build: () => archiveRecords(buildFeedArchive(content, scope, archive, articles)),
        placed: {
          members: articles,
          keys: () => FEED_FORMAT_IDS.map((format) => feedArchiveKey(scope, format, archive)),
        },
      };
    }
  }
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
