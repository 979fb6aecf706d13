// RSS 2.0 (https://www.rssboard.org/rss-specification), written here like Atom: every value goes
// through one escaper, bylines in dc:creator, the lead image as Media RSS media:content, the
// archive links and the mirror list in the channel, and no clock (the date is the newest item's).

import { xmlElement as element, escapeMarkup, protectCdata, xmlStartTag } from '../shared/xml';
import { formatDay } from '../views/format';
import { FEED_FORMATS, FEED_TTL_MINUTES } from './feed-formats';
import { ARCHIVE_MARKER, HISTORY_NAMESPACE, HISTORY_PREFIX, historyLinks } from './feed-history';
import type { FeedDocument, FeedItem } from './feed-items';
import { MIRRORS_NAMESPACE, MIRRORS_PREFIX, renderMirrorsXml } from './feed-mirrors';

const NAMESPACES = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
};

/** RSS 2.0 dates are RFC 822; `toUTCString` writes exactly that form (`Tue, 18 Jan 2022 14:05:00 GMT`). */
function rfc822(date: string): string {
  return new Date(date).toUTCString();
}

/** HTML in CDATA: kept unescaped (half the bytes of escaped markup), with `]]>` made harmless. */
function cdata(name: string, html: string): string {
  return `<${name}><![CDATA[${protectCdata(html)}]]></${name}>`;
}

export function renderRss(doc: FeedDocument): string {
  const archived = doc.paging.archive !== undefined;
  const namespaces = [
    ...Object.entries(NAMESPACES).map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`),
    ...(doc.mirrors ? [` xmlns:${MIRRORS_PREFIX}="${MIRRORS_NAMESPACE}"`] : []),
    ...(archived ? [` xmlns:${HISTORY_PREFIX}="${HISTORY_NAMESPACE}"`] : []),
  ].join('');
  const type = FEED_FORMATS.rss.mediaType;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<rss version="2.0"${namespaces}>`,
    '  <channel>',
    `    ${element('title', {}, doc.title)}`,
    `    ${element('link', {}, doc.homeUrl)}`,
    `    ${element('description', {}, doc.description)}`,
    `    ${element('language', {}, doc.language)}`,
    `    ${element('lastBuildDate', {}, rfc822(doc.updated))}`,
    `    ${element('docs', {}, 'https://www.rssboard.org/rss-specification')}`,
    `    ${element('generator', {}, 'mirrorwire')}`,
    // An archive document never changes: a polling hint would only invite needless requests.
    ...(archived ? [] : [`    ${element('ttl', {}, String(FEED_TTL_MINUTES))}`]),
    '    <image>',
    `      ${element('url', {}, doc.logoUrl)}`,
    `      ${element('title', {}, doc.title)}`,
    `      ${element('link', {}, doc.homeUrl)}`,
    '    </image>',
    // The W3C validator asks for a self link; RFC 5005 Appendix B puts the archive links beside it.
    `    ${element('atom:link', { href: doc.selfUrls.rss, rel: 'self', type })}`,
    ...(doc.hub ? [`    ${element('atom:link', { href: doc.hub, rel: 'hub' })}`] : []),
    ...historyLinks(doc.paging, 'rss').map(
      (link) => `    ${element('atom:link', { href: link.href, rel: link.rel, type })}`,
    ),
    // Elements in other namespaces are allowed in the channel ("Extending RSS"); readers skip them.
    ...(archived ? [`    ${ARCHIVE_MARKER}`] : []),
    ...(doc.mirrors ? [renderMirrorsXml(doc.mirrors, '    ')] : []),
    ...doc.items.map(renderItem),
    '  </channel>',
    '</rss>',
    '',
  ];
  return lines.join('\n');
}

function renderItem(item: FeedItem): string {
  const lines = [
    '    <item>',
    `      ${element('title', {}, item.title)}`,
    `      ${element('link', {}, item.url)}`,
    `      ${element('guid', { isPermaLink: 'false' }, item.guid)}`,
    `      ${element('pubDate', {}, rfc822(item.published))}`,
    // RSS descriptions are HTML: the plain-text summary is escaped so `<` stays text.
    `      ${cdata('description', escapeMarkup(item.summary))}`,
    `      ${cdata('content:encoded', correctionNote(item) + item.contentHtml)}`,
    ...item.categories.map((name) => `      ${element('category', {}, name)}`),
    // RSS <author> must be an e-mail address; a byline goes in dc:creator.
    `      ${element('dc:creator', {}, item.author)}`,
    ...(item.image ? [renderMediaContent(item.image)] : []),
    '    </item>',
  ];
  return lines.join('\n');
}

/**
 * RSS has no element a reader shows for an update (pubDate stays the publication date), so each
 * correction is a visible paragraph at the top of the content, worded as on the page.
 */
function correctionNote(item: FeedItem): string {
  return (item.corrections ?? [])
    .map(
      (c) =>
        `<p class="correction"><strong>Correction, ${escapeMarkup(formatDay(c.at))}:</strong> ${escapeMarkup(c.text)}</p>`,
    )
    .join('');
}

/**
 * Media RSS `media:content` for the lead image. No RSS <enclosure>: it requires the file's length in
 * bytes, which publish does not know.
 */
function renderMediaContent(image: NonNullable<FeedItem['image']>): string {
  const attributes = {
    url: image.url,
    medium: 'image',
    type: image.mediaType,
    width: image.width,
    height: image.height,
  };
  return [
    `      ${xmlStartTag('media:content', attributes)}`,
    `        ${element('media:description', { type: 'plain' }, image.caption ?? image.alt)}`,
    ...(image.credit ? [`        ${element('media:credit', {}, image.credit)}`] : []),
    '      </media:content>',
  ].join('\n');
}
