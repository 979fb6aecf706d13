// Atom 1.0 (RFC 4287), written here rather than with `feed`: its Atom output lacks xml:lang,
// writes titles and summaries as HTML, types every .jpg as image/jpg and leaves `<` raw in
// category attributes. A small writer with one escape function is simpler than patching that.

import { xmlElement as element, escapeMarkup } from '../shared/xml';
import { FEED_FORMATS } from './feed-formats';
import { ARCHIVE_MARKER, HISTORY_NAMESPACE, HISTORY_PREFIX, historyLinks } from './feed-history';
import type { FeedDocument, FeedItem, FeedTombstone } from './feed-items';
import { MIRRORS_NAMESPACE, MIRRORS_PREFIX, renderMirrorsXml } from './feed-mirrors';

/** RFC 6721 (Atom tombstones): `at:deleted-entry` tells subscribers an entry was removed. */
export const TOMBSTONES_NAMESPACE = 'http://purl.org/atompub/tombstones/1.0';

export function renderAtom(doc: FeedDocument): string {
  const archived = doc.paging.archive !== undefined;
  const namespaces = [
    ...(doc.mirrors ? [` xmlns:${MIRRORS_PREFIX}="${MIRRORS_NAMESPACE}"`] : []),
    ...(archived
      ? [` xmlns:${HISTORY_PREFIX}="${HISTORY_NAMESPACE}"`]
      : [` xmlns:at="${TOMBSTONES_NAMESPACE}"`]),
  ].join('');
  const type = FEED_FORMATS.atom.mediaType;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom"${namespaces} xml:lang="${escapeMarkup(doc.language)}">`,
    `  ${element('id', {}, doc.id)}`,
    `  ${element('title', { type: 'text' }, doc.title)}`,
    `  ${element('subtitle', { type: 'text' }, doc.description)}`,
    `  ${element('updated', {}, doc.updated)}`,
    `  ${element('link', { rel: 'alternate', type: 'text/html', href: doc.homeUrl })}`,
    `  ${element('link', { rel: 'self', type, href: doc.selfUrls.atom })}`,
    ...historyLinks(doc.paging, 'atom').map(
      (link) => `  ${element('link', { rel: link.rel, type, href: link.href })}`,
    ),
    ...(doc.hub ? [`  ${element('link', { rel: 'hub', href: doc.hub })}`] : []),
    `  <author>${element('name', {}, doc.publisher)}</author>`,
    `  ${element('generator', {}, 'mirrorwire')}`,
    `  ${element('logo', {}, doc.logoUrl)}`,
    // RFC 4287 §6.4: foreign markup at feed level, which Atom processors that do not know it skip.
    ...(archived ? [`  ${ARCHIVE_MARKER}`] : []),
    ...(doc.mirrors ? [renderMirrorsXml(doc.mirrors, '  ')] : []),
    ...doc.items.map(renderEntry),
    ...doc.tombstones.map(renderTombstone),
    '</feed>',
    '',
  ];
  return lines.join('\n');
}

/** RFC 6721 §2: a child of the feed, `ref` the removed entry's id, `when` the time of removal. */
function renderTombstone(tombstone: FeedTombstone): string {
  const attributes = { ref: tombstone.ref, when: tombstone.when };
  if (tombstone.comment === undefined) return `  ${element('at:deleted-entry', attributes)}`;
  return [
    `  ${element('at:deleted-entry', attributes).replace(/\/>$/, '>')}`,
    `    ${element('at:comment', { type: 'text' }, tombstone.comment)}`,
    '  </at:deleted-entry>',
  ].join('\n');
}

function renderEntry(item: FeedItem): string {
  const lines = [
    '  <entry>',
    `    ${element('id', {}, item.guid)}`,
    `    ${element('title', { type: 'text' }, item.title)}`,
    `    ${element('link', { rel: 'alternate', type: 'text/html', href: item.url })}`,
    ...(item.image
      ? [`    ${element('link', { rel: 'enclosure', type: item.image.mediaType, href: item.image.url })}`]
      : []),
    `    ${element('published', {}, item.published)}`,
    `    ${element('updated', {}, item.updated)}`,
    `    <author>${element('name', {}, item.author)}</author>`,
    ...item.categories.map((term) => `    ${element('category', { term })}`),
    `    ${element('summary', { type: 'text' }, item.summary)}`,
    `    ${element('content', { type: 'html' }, item.contentHtml)}`,
    '  </entry>',
  ];
  return lines.join('\n');
}
