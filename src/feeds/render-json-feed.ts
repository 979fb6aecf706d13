// JSON Feed 1.1 (https://jsonfeed.org/version/1.1). `feed` writes only version 1 (a single
// `author`, no `language`), so this small serializer writes 1.1 directly.
import type { FeedDocument, FeedItem } from './feed-items';

export function renderJsonFeed(doc: FeedDocument): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: doc.title,
    home_page_url: doc.homeUrl,
    // JSON Feed 1.1: feed_url identifies the feed, so an archive page names the subscription feed.
    feed_url: doc.paging.archive?.current.json ?? doc.selfUrls.json,
    description: doc.description,
    language: doc.language,
    authors: [{ name: doc.publisher, url: doc.homeUrl }],
    ...(doc.hub && { hubs: [{ type: 'WebSub', url: doc.hub }] }),
    // JSON Feed 1.1 paging: `next_url` gives the next (older) items, here the older archive page.
    ...(doc.paging.prev && { next_url: doc.paging.prev.json }),
    items: doc.items.map(toJsonItem),
    // JSON Feed 1.1 extensions: a key starting with `_`, with `about` saying what it is.
    ...(doc.mirrors && {
      _mirrorwire: {
        about: doc.mirrors.aboutUrl,
        mirrors: doc.mirrors.addresses,
        mirrors_json: doc.mirrors.listUrl,
        mirrors_signature: doc.mirrors.signatureUrl,
      },
    }),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}

function toJsonItem(item: FeedItem) {
  return {
    id: item.guid,
    url: item.url,
    title: item.title,
    content_html: item.contentHtml,
    summary: item.summary,
    ...(item.image && { image: item.image.url }),
    date_published: item.published,
    ...(item.updated !== item.published && { date_modified: item.updated }),
    authors: [{ name: item.author }],
    tags: item.categories,
  };
}
