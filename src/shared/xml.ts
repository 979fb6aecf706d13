// The one XML escaping module: feeds, OPML, sitemaps and XML error bodies all write markup through
// these functions, so no serializer hand-rolls its own. Text reaching them is already free of
// XML-illegal characters (compile strips them); escaping the markup characters is all that remains.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for XML or HTML content and double- or single-quoted attribute values. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/**
 * Escapes an XML attribute value. XML 1.0 §3.3.3 normalises a raw tab, LF or CR in an attribute to a
 * space, so they are written as character references to reach the reader unchanged.
 */
export function escapeAttribute(text: string): string {
  return escapeMarkup(text).replace(/[\t\n\r]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Escapes element content only: quotes need no escaping there, which keeps escaped HTML bodies small. */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ESCAPES[ch] ?? ch);
}

/**
 * HTML carried in CDATA (RSS content:encoded) must not contain `]]>`. In HTML text `>` and `&gt;`
 * mean the same, so the rewrite changes nothing a reader sees.
 */
export function protectCdata(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}

export type XmlAttributes = Record<string, string | number | undefined>;

/** `<name a="…">`: undefined attributes are left out. */
export function xmlStartTag(name: string, attributes: XmlAttributes): string {
  let tag = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) tag += ` ${key}="${escapeAttribute(String(value))}"`;
  }
  return `${tag}>`;
}

/** `<name a="…">text</name>`, or `<name a="…"/>` without text. */
export function xmlElement(name: string, attributes: XmlAttributes, text?: string): string {
  const start = xmlStartTag(name, attributes);
  return text === undefined ? `${start.slice(0, -1)}/>` : `${start}${escapeText(text)}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
