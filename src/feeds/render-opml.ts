// OPML 2.0 (http://opml.org/spec2.opml): every feed of the site, grouped by scope, for readers
// that import a subscription list. Absolute URLs on ORIGIN_PLACEHOLDER, like the feeds.

import { escapeAttribute, escapeMarkup } from '../shared/xml';
import { FEED_FORMAT_IDS, FEED_FORMATS, type FeedFormat } from './feed-formats';
import type { FeedHeader } from './feed-items';

// OPML's `version` attribute names the syndication format; the spec lists `RSS` for RSS 2.0 and
// leaves the others open.
const OPML_VERSIONS: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSONFeed' };

function attributes(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`)
    .join('');
}

/** `newest` is the site feed's date, the newest of all: it stands for the whole list. */
export function renderOpml(
  docs: readonly FeedHeader[],
  siteName: string,
  newest: string | undefined,
): string {
  const groups = docs.map((doc) => {
    const feeds = FEED_FORMAT_IDS.map(
      (format) =>
        `      <outline${attributes({
          type: 'rss',
          version: OPML_VERSIONS[format],
          text: `${doc.title} (${FEED_FORMATS[format].label})`,
          title: `${doc.title} (${FEED_FORMATS[format].label})`,
          xmlUrl: doc.selfUrls[format],
          htmlUrl: doc.homeUrl,
          language: doc.language,
          description: doc.description,
        })}/>`,
    );
    return [`    <outline${attributes({ text: doc.title })}>`, ...feeds, '    </outline>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeMarkup(`${siteName} feeds`)}</title>`,
    ...(newest ? [`    <dateModified>${new Date(newest).toUTCString()}</dateModified>`] : []),
    '    <docs>http://opml.org/spec2.opml</docs>',
    '  </head>',
    '  <body>',
    ...groups,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
