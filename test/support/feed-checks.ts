// Checks of one article as RSS, Atom, JSON Feed and the partner API serve it, each returning a list
// of violations (empty when sound): the body parses, the item is there once with its text intact,
// and the HTML it carries injects nothing, judged by the same rules as a page (findInjections).
import { DomUtils } from 'htmlparser2';
import { stripXmlIllegalChars } from '../../src/content/xml-chars';
import { elementsByTag, exactTextOf, findInjections, parseHtml } from './html';
import { childrenNamed, descendants, parseXml, type XmlNode } from './xml';

/** What the article's item must say, in the units a reader gets (plain text, trimmed). */
export interface ExpectedItem {
  guid: string;
  title: string;
  summary: string;
  /** The byline, or the outlet's name when the article has none. */
  author: string;
  /** The section's title first, then the tags, without repeats. */
  categories: string[];
  tags: string[];
  /** Undefined when the article has no byline (the API then says null). */
  byline: string | undefined;
  image?: { alt: string; caption?: string | undefined; credit?: string | undefined } | undefined;
  /** The text of the body's first code block. */
  code: string;
}

/**
 * XML 1.0 §2.11: every parser reads CR LF and a lone CR as LF, so that is what an XML feed can
 * give a reader. JSON keeps CR: the JSON surfaces are held to the text exactly.
 */
function asXmlReads(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function asXmlReadsItem(item: ExpectedItem): ExpectedItem {
  const image = item.image && {
    alt: asXmlReads(item.image.alt),
    caption: item.image.caption === undefined ? undefined : asXmlReads(item.image.caption),
    credit: item.image.credit === undefined ? undefined : asXmlReads(item.image.credit),
  };
  return {
    ...item,
    title: asXmlReads(item.title),
    summary: asXmlReads(item.summary),
    author: asXmlReads(item.author),
    categories: item.categories.map(asXmlReads),
    tags: item.tags.map(asXmlReads),
    byline: item.byline === undefined ? undefined : asXmlReads(item.byline),
    image,
    code: asXmlReads(item.code),
  };
}

function comparer(found: string[]) {
  return (what: string, actual: unknown, wanted: unknown) => {
    const a = JSON.stringify(actual);
    const w = JSON.stringify(wanted);
    if (a !== w) found.push(`${what}: ${a} ≠ ${w}`);
  };
}

function illegalCharacters(body: string): string[] {
  return stripXmlIllegalChars(body) === body ? [] : ['an XML-illegal character in the body'];
}

/** The text a reader sees of an HTML string (RSS description): tags read, entities decoded. */
function htmlText(html: string): string {
  return DomUtils.textContent(parseHtml(html).children);
}

/**
 * The HTML an item carries (content:encoded, Atom content, content_html, body_html), placed in a
 * minimal page so that findInjections applies unchanged: it must add no second <title> or <h1>,
 * no script, and no image but the site's own (absolute on `origin` here, as feeds must be).
 * The lead figure, when `image` is given, and the code block must read back exactly.
 */
export function checkItemHtml(
  html: string,
  origin: string,
  expected: Pick<ExpectedItem, 'code'> & { image?: ExpectedItem['image'] },
): string[] {
  const page = `<!DOCTYPE html><html><head><title>item</title></head><body><h1>item</h1>${html}</body></html>`;
  const doc = parseHtml(page);
  const found = findInjections(doc).filter((v) => !v.startsWith(`off-site image ${origin}/`));
  const same = comparer(found);
  if (elementsByTag(doc, 'script').length > 0) found.push('a script in the item HTML');
  for (const el of [...elementsByTag(doc, 'a'), ...elementsByTag(doc, 'img')]) {
    const url = el.attribs.href ?? el.attribs.src;
    // Feeds and the API are read away from the site: a root-relative URL would point nowhere.
    if (url?.startsWith('/')) found.push(`relative URL ${url} on <${el.name}>`);
  }
  if (expected.image) {
    const figure = elementsByTag(doc, 'figure')[0];
    same('figure image alt', figure && elementsByTag(figure, 'img')[0]?.attribs.alt, expected.image.alt);
    const { caption, credit } = expected.image;
    const text = [caption, credit && `(${credit})`].filter(Boolean).join(' ');
    same('figcaption', exactTextOf(figure && elementsByTag(figure, 'figcaption')[0]), text || undefined);
  }
  same('code block', exactTextOf(elementsByTag(doc, 'code')[0]), expected.code);
  return found;
}

/**
 * XML 1.0 §4.1: outside CDATA an `&` starts one of the five predefined entities or a character
 * reference. htmlEntities would also decode `&nbsp;` and its kind, which XML does not define.
 */
const STRAY_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/** Parses an XML feed, or returns why it cannot be read; checks what holds for any XML feed. */
export function readXmlFeed(body: string): { root?: XmlNode; found: string[] } {
  const found = illegalCharacters(body);
  let root: XmlNode;
  try {
    root = parseXml(body);
  } catch (error) {
    return { found: [...found, String(error)] };
  }
  if (STRAY_AMPERSAND.test(body.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')))
    found.push('an & that starts no XML entity or character reference');
  if (descendants(root).some((node) => /(?:^|:)script$/i.test(node.name)))
    found.push('a <script> element in the feed');
  return { root, found };
}

/** The item's position checks: one <title> per item, the article present and first (newest). */
function findItem(
  items: XmlNode[],
  idOf: (item: XmlNode) => string | undefined,
  guid: string,
  found: string[],
): XmlNode | undefined {
  items.forEach((item, at) => {
    const titles = childrenNamed(item, 'title').length;
    if (titles !== 1) found.push(`item ${at} has ${titles} <title> elements`);
  });
  const item = items.find((i) => idOf(i) === guid);
  if (!item) found.push(`no item with guid ${guid}`);
  else if (items[0] !== item) found.push('the newest article is not the first item');
  return item;
}

const textIn = (node: XmlNode | undefined, name: string): string | undefined =>
  node && childrenNamed(node, name)[0]?.text;

/** RSS 2.0 as src/feeds/render-rss.ts writes it. */
export function checkRssItem(body: string, origin: string, wanted: ExpectedItem): string[] {
  const { root, found } = readXmlFeed(body);
  if (!root) return found;
  if (root.name !== 'rss') found.push(`root element <${root.name}>`);
  const channels = childrenNamed(root, 'channel');
  if (channels.length !== 1) return [...found, `${channels.length} <channel> elements`];
  const expected = asXmlReadsItem(wanted);
  const item = findItem(
    childrenNamed(channels[0] as XmlNode, 'item'),
    (i) => textIn(i, 'guid'),
    expected.guid,
    found,
  );
  if (!item) return found;
  const same = comparer(found);
  same('title', textIn(item, 'title'), expected.title);
  const description = textIn(item, 'description');
  same('description', description === undefined ? undefined : htmlText(description), expected.summary);
  same('dc:creator', textIn(item, 'dc:creator'), expected.author);
  same(
    'categories',
    childrenNamed(item, 'category').map((c) => c.text),
    expected.categories,
  );
  const media = childrenNamed(item, 'media:content')[0];
  if (expected.image) {
    same(
      'media:description',
      textIn(media, 'media:description'),
      expected.image.caption ?? expected.image.alt,
    );
    same('media:credit', textIn(media, 'media:credit'), expected.image.credit);
  } else if (media) found.push('media:content for an article without an image');
  found.push(...checkItemHtml(textIn(item, 'content:encoded') ?? '', origin, expected));
  return found;
}

/** Atom 1.0 as src/feeds/render-atom.ts writes it. */
export function checkAtomEntry(body: string, origin: string, wanted: ExpectedItem): string[] {
  const { root, found } = readXmlFeed(body);
  if (!root) return found;
  if (root.name !== 'feed') found.push(`root element <${root.name}>`);
  const expected = asXmlReadsItem(wanted);
  const entry = findItem(childrenNamed(root, 'entry'), (e) => textIn(e, 'id'), expected.guid, found);
  if (!entry) return found;
  const same = comparer(found);
  const title = childrenNamed(entry, 'title')[0];
  same('title type', title?.attributes.type, 'text');
  same('title', title?.text, expected.title);
  same('summary', textIn(entry, 'summary'), expected.summary);
  same('author', textIn(childrenNamed(entry, 'author')[0], 'name'), expected.author);
  // Terms are attributes, written with character references for tab, LF and CR: they read back exactly.
  same(
    'categories',
    childrenNamed(entry, 'category').map((c) => c.attributes.term),
    wanted.categories,
  );
  const content = childrenNamed(entry, 'content')[0];
  same('content type', content?.attributes.type, 'html');
  found.push(...checkItemHtml(content?.text ?? '', origin, expected));
  return found;
}

function parseJson(body: string, found: string[]): unknown {
  found.push(...illegalCharacters(body));
  try {
    return JSON.parse(body);
  } catch (error) {
    found.push(`not JSON: ${String(error)}`);
    return undefined;
  }
}

/** Every string in a parsed JSON value: escapes (`\ud800`) hide illegal characters from a body scan. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

function illegalStrings(value: unknown): string[] {
  return stringsIn(value).some((s) => stripXmlIllegalChars(s) !== s)
    ? ['an XML-illegal character in a JSON string']
    : [];
}

interface JsonFeedItem {
  id?: unknown;
  title?: unknown;
  summary?: unknown;
  content_html?: unknown;
  authors?: { name?: unknown }[];
  tags?: unknown;
}

/** JSON Feed 1.1 as src/feeds/render-json-feed.ts writes it: the text exactly, CR included. */
export function checkJsonFeedItem(body: string, origin: string, expected: ExpectedItem): string[] {
  const found: string[] = [];
  const feed = parseJson(body, found) as { version?: unknown; items?: JsonFeedItem[] } | undefined;
  if (!feed) return found;
  found.push(...illegalStrings(feed));
  if (feed.version !== 'https://jsonfeed.org/version/1.1') found.push(`version ${String(feed.version)}`);
  const items = Array.isArray(feed.items) ? feed.items : [];
  const item = items.find((i) => i.id === expected.guid);
  if (!item) return [...found, `no item with id ${expected.guid}`];
  if (items[0] !== item) found.push('the newest article is not the first item');
  const same = comparer(found);
  same('title', item.title, expected.title);
  same('summary', item.summary, expected.summary);
  same(
    'authors',
    item.authors?.map((a) => a.name),
    [expected.author],
  );
  same('tags', item.tags, expected.categories);
  found.push(
    ...checkItemHtml(typeof item.content_html === 'string' ? item.content_html : '', origin, expected),
  );
  return found;
}

interface ApiArticleBody {
  data?: {
    guid?: unknown;
    title?: unknown;
    summary?: unknown;
    author?: unknown;
    tags?: unknown;
    image?: { alt?: unknown; caption?: unknown; credit?: unknown; url?: unknown } | null;
    body_html?: unknown;
  };
}

/** /api/v1/articles/{id}: every field exactly, null where the article has none. */
export function checkApiArticle(body: string, origin: string, expected: ExpectedItem): string[] {
  const found: string[] = [];
  const data = (parseJson(body, found) as ApiArticleBody | undefined)?.data;
  if (!data) return [...found, 'no data'];
  found.push(...illegalStrings(data));
  const same = comparer(found);
  same('guid', data.guid, expected.guid);
  same('title', data.title, expected.title);
  same('summary', data.summary, expected.summary);
  same('author', data.author, expected.byline ?? null);
  same('tags', data.tags, expected.tags);
  const { image } = expected;
  same(
    'image',
    data.image && { alt: data.image.alt, caption: data.image.caption, credit: data.image.credit },
    image ? { alt: image.alt, caption: image.caption ?? null, credit: image.credit ?? null } : null,
  );
  if (data.image && !String(data.image.url).startsWith(`${origin}/`))
    found.push(`image url ${String(data.image.url)} is not on ${origin}`);
  // The lead image is a field of its own here, not a figure in the body.
  const html = typeof data.body_html === 'string' ? data.body_html : '';
  found.push(...checkItemHtml(html, origin, { code: expected.code }));
  return found;
}
