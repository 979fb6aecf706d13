// RSS 2.0 with the `feed` package (publish time only), plus what it lacks: a title written as
// escaped text, dc:creator bylines, media:content with credit, the media namespace, and text that
// survives its XML writer unchanged (see keepText).
import { Feed } from 'feed';
import { formatDay } from '../views/format';
import { FEED_FORMATS, FEED_TTL_MINUTES } from './feed-formats';
import { ARCHIVE_MARKER, HISTORY_NAMESPACE, HISTORY_PREFIX, historyLinks } from './feed-history';
import type { FeedDocument, FeedItem } from './feed-items';
import { MIRRORS_NAMESPACE, MIRRORS_PREFIX, renderMirrorsXml } from './feed-mirrors';
import { escapeAttribute, escapeMarkup, protectCdata } from './xml-text';

const MEDIA_NAMESPACE = 'http://search.yahoo.com/mrss/';
const RSS_ROOT = '<rss version="2.0"';
const CHANNEL_END = '</channel>';
/** `feed` declares the atom prefix for its self link, which every document has. */
const ATOM_NAMESPACE = 'xmlns:atom="http://www.w3.org/2005/Atom"';

export function renderRss(doc: FeedDocument): string {
  const archived = doc.paging.archive !== undefined;
  const feed = new Feed({
    title: keepText(doc.title),
    description: keepText(doc.description),
    link: doc.homeUrl,
    language: doc.language,
    // Given explicitly: otherwise `feed` stamps the current time and every publish changes the bytes.
    updated: new Date(doc.updated),
    // An archive document never changes: a polling hint would only invite needless requests.
    ...(!archived && { ttl: FEED_TTL_MINUTES }),
    image: doc.logoUrl,
    generator: 'mirrorwire',
    docs: 'https://www.rssboard.org/rss-specification',
    feedLinks: { rss: doc.selfUrls.rss },
    ...(doc.hub && { hub: doc.hub }),
  });
  for (const item of doc.items) feed.addItem(toRssItem(item));
  // `feed` declares only the namespaces it uses itself; media:content needs its own. The root start
  // tag is the one fixed string in its output, so the insertion fails loudly if that ever changes.
  // The archive links (RFC 5005 Appendix B: atom:link in the channel), the archive marker and the
  // mirror list are written by our own escaper and placed before the last </channel> (content in
  // CDATA comes earlier, so nothing an article says can be mistaken for them).
  const xml = feed.rss2();
  const channelEnd = xml.lastIndexOf(CHANNEL_END);
  if (!xml.includes(RSS_ROOT) || !xml.includes(ATOM_NAMESPACE) || channelEnd < 0)
    throw new Error('feed: unexpected RSS shape');
  const indent = '        ';
  const type = FEED_FORMATS.rss.mediaType;
  const extra = [
    ...historyLinks(doc.paging, 'rss').map(
      (link) => `${indent}<atom:link href="${escapeAttribute(link.href)}" rel="${link.rel}" type="${type}"/>`,
    ),
    ...(archived ? [`${indent}${ARCHIVE_MARKER}`] : []),
    ...(doc.mirrors ? [renderMirrorsXml(doc.mirrors, indent)] : []),
  ];
  const body = `${xml.slice(0, channelEnd)}${extra.map((line) => `${line}\n`).join('')}    ${xml.slice(channelEnd)}`;
  const namespaces = [
    ` xmlns:media="${MEDIA_NAMESPACE}"`,
    ...(doc.mirrors ? [` xmlns:${MIRRORS_PREFIX}="${MIRRORS_NAMESPACE}"`] : []),
    ...(archived ? [` xmlns:${HISTORY_PREFIX}="${HISTORY_NAMESPACE}"`] : []),
  ].join('');
  return body.replace(RSS_ROOT, `${RSS_ROOT}${namespaces}`);
}

function toRssItem(item: FeedItem) {
  return {
    // `feed` writes a truthy title as CDATA and splits only the first `]]>` in it; an empty title
    // is skipped, and the `title` extension below is written as escaped text instead.
    title: '',
    link: item.url,
    guid: item.guid,
    date: new Date(item.updated),
    published: new Date(item.published),
    // RSS descriptions are HTML: the plain-text summary is escaped so `<` stays text.
    description: escapeMarkup(item.summary),
    content: protectCdata(correctionNote(item) + item.contentHtml),
    category: item.categories.map((name) => ({ name: keepText(name) })),
    extensions: [
      { name: 'title', objects: { _text: keepText(item.title) } },
      // RSS <author> must be an e-mail address; a byline goes in dc:creator (declared by `feed`).
      { name: 'dc:creator', objects: { _text: keepText(item.author) } },
      ...(item.image ? [{ name: 'media:content', objects: mediaContent(item.image) }] : []),
    ],
  };
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

/** Media RSS `media:content` for the lead image. xml-js escapes only `"` in attributes, so the rest is escaped here. */
function mediaContent(image: NonNullable<FeedItem['image']>) {
  return {
    _attributes: {
      url: escapeForXmlJsAttribute(image.url),
      medium: 'image',
      type: image.mediaType,
      ...(image.width && { width: image.width }),
      ...(image.height && { height: image.height }),
    },
    'media:description': { _attributes: { type: 'plain' }, _text: keepText(image.caption ?? image.alt) },
    ...(image.credit && { 'media:credit': { _text: keepText(image.credit) } }),
  };
}

function escapeForXmlJsAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
}

/**
 * `feed`'s XML writer (xml-js) turns every `&amp;` in element text into `&` before escaping, so a
 * literal "&amp;" in a headline would come out as "&". This is the exact inverse of that step.
 */
function keepText(text: string): string {
  return text.replaceAll('&amp;', '&amp;amp;');
}
