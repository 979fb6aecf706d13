// Article bodies: CommonMark plus GFM tables → HTML, sanitised at publish time so that no
// script, event handler, javascript: URL, style or off-site embed ever reaches a page or feed.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { stripXmlIllegalChars } from './xml-chars';

const markdown = new MarkdownIt('default', { html: true, linkify: false, typographer: false });

const TABLE_ALIGN = { 'text-align': [/^(?:left|right|center)$/] };

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'strong',
    'em',
    'b',
    'i',
    'u',
    's',
    'del',
    'ins',
    'sub',
    'sup',
    'small',
    'mark',
    'abbr',
    'cite',
    'q',
    'code',
    'pre',
    'kbd',
    'a',
    'img',
    'figure',
    'figcaption',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
    'span',
    'bdi',
    'bdo',
    'time',
  ],
  allowedAttributes: {
    '*': ['dir', 'lang'],
    a: ['href', 'title', 'hreflang'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan', 'scope', 'style'],
    td: ['colspan', 'rowspan', 'style'],
    ol: ['start', 'reversed'],
    abbr: ['title'],
    time: ['datetime'],
  },
  // GFM table alignment is the only style allowed: it cannot escape the cell.
  allowedStyles: { th: TABLE_ALIGN, td: TABLE_ALIGN },
  allowedSchemes: ['https', 'http', 'mailto'],
  // Images must be the site's own (root-relative): a page never makes the browser contact another host.
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // The page has one h1, the headline: a body h1 becomes a subheading.
  transformTags: { h1: 'h2' },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src?.startsWith('/'),
};

export interface RenderedBody {
  html: string;
  /** The first paragraph as plain text: the default summary. */
  firstParagraph: string;
}

export function renderMarkdown(source: string): RenderedBody {
  const tokens = markdown.parse(source, {});
  const html = sanitizeBodyHtml(markdown.renderer.render(tokens, markdown.options, {}));
  return { html, firstParagraph: stripXmlIllegalChars(firstParagraphText(tokens)) };
}

/**
 * The sanitiser decodes character references in raw HTML (`alt="&#1;"`) and writes the characters
 * back raw, so XML-illegal ones are stripped from its output, not only from the source.
 */
export function sanitizeBodyHtml(html: string): string {
  return stripXmlIllegalChars(sanitizeHtml(html, SANITIZE_OPTIONS));
}

type Token = ReturnType<typeof markdown.parse>[number];

function firstParagraphText(tokens: Token[]): string {
  const open = tokens.findIndex((t) => t.type === 'paragraph_open' && t.level === 0);
  const inline = open >= 0 ? tokens[open + 1] : undefined;
  if (!inline?.children) return '';
  let text = '';
  for (const child of inline.children) {
    if (child.type === 'text' || child.type === 'code_inline') text += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') text += ' ';
  }
  return text.replace(/\s+/g, ' ').trim();
}
