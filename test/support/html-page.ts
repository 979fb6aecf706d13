// Checks a served HTML page as a parsed DOM (htmlparser2), the way a browser would see it:
// nothing injected, one <title> and one <h1>, only safe URLs, and helpers to read text back.
import { DomUtils, parseDocument } from 'htmlparser2';
import { OFFLINE_SCRIPT_PATH } from '../../src/views/Layout';

export type HtmlDocument = ReturnType<typeof parseDocument>;
export type HtmlElement = ReturnType<typeof DomUtils.findAll>[number];

/** Elements the layout and views emit. */
const LAYOUT_TAGS = [
  'html',
  'head',
  'meta',
  'title',
  'link',
  'body',
  'header',
  'nav',
  'main',
  'footer',
  'section',
  'article',
  'aside',
  'div',
  'h1',
  'h2',
  'h3',
  'p',
  'a',
  'ul',
  'ol',
  'li',
  'img',
  'time',
  'figure',
  'figcaption',
  'span',
  // The search form in the masthead.
  'form',
  'label',
  'input',
  'button',
];

/**
 * Elements the body sanitiser keeps (src/content/markdown.ts), written out again on purpose: the test
 * is an independent oracle, and importing the sanitiser's own list would let a bad entry there pass.
 */
const BODY_TAGS = [
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
];

const ALLOWED_TAGS = new Set([...LAYOUT_TAGS, ...BODY_TAGS, 'script']);
const URL_ATTRIBUTES = [
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'poster',
  'background',
  'cite',
  'data',
];
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

export function parseHtml(body: string): HtmlDocument {
  return parseDocument(body, { lowerCaseTags: true, lowerCaseAttributeNames: true });
}

export function allElements(doc: HtmlDocument): HtmlElement[] {
  return DomUtils.findAll(() => true, doc.children);
}

/** A document or an element: the descendants of either can be searched. */
export type HtmlRoot = Pick<HtmlDocument, 'children'>;

export function elementsByTag(root: HtmlRoot, tag: string): HtmlElement[] {
  return DomUtils.findAll((el) => el.name === tag, root.children);
}

export function elementsByClass(root: HtmlRoot, tag: string, className: string): HtmlElement[] {
  return DomUtils.findAll(
    (el) => el.name === tag && (el.attribs.class ?? '').split(/\s+/).includes(className),
    root.children,
  );
}

/** Whether `node` is `ancestor` or lies inside it. */
export function isInside(node: HtmlElement, ancestor: HtmlElement): boolean {
  for (let at: HtmlElement['parent'] = node; at; at = at.parent) if (at === ancestor) return true;
  return false;
}

export function textOf(element: HtmlElement | undefined): string | undefined {
  return element && DomUtils.textContent(element);
}

/** The scheme a browser would see: it drops tabs and newlines and leading controls and spaces. */
function schemeOf(url: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers strip exactly these before parsing.
  const cleaned = url.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, '');
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned)?.[1]?.toLowerCase();
}

/**
 * Everything an input could inject into a page, as a list of violations (empty when the page is
 * clean): unknown elements, scripts other than JSON-LD, event handlers, unsafe URL schemes,
 * off-site images, a second <title> or <h1>, <link>/<meta http-equiv> outside the layout's use.
 */
export function findInjections(doc: HtmlDocument): string[] {
  const found: string[] = [];
  for (const el of allElements(doc)) {
    if (!ALLOWED_TAGS.has(el.name)) found.push(`element <${el.name}>`);
    // The layout's one script is the service worker's registration, a same-origin file.
    const ownScript =
      el.attribs.src === OFFLINE_SCRIPT_PATH && (el.parent as HtmlElement | null)?.name === 'head';
    if (el.name === 'script' && el.attribs.type !== 'application/ld+json' && !ownScript)
      found.push('a script');
    if (el.name === 'meta' && 'http-equiv' in el.attribs) found.push('<meta http-equiv>');
    if (el.name === 'link' && (el.parent as HtmlElement | null)?.name !== 'head')
      found.push('<link> outside head');
    for (const [name, value] of Object.entries(el.attribs)) {
      if (name.startsWith('on')) found.push(`attribute ${name} on <${el.name}>`);
      if (name === 'style' && !/^text-align:(?:left|right|center);?$/.test(value))
        found.push(`style="${value}" on <${el.name}>`);
      if (!URL_ATTRIBUTES.includes(name)) continue;
      const scheme = schemeOf(value);
      if (scheme !== undefined && !SAFE_SCHEMES.has(scheme)) found.push(`${scheme}: URL in ${name}`);
      if (el.name === 'img' && name === 'src' && !(value.startsWith('/') && !value.startsWith('//')))
        found.push(`off-site image ${value}`);
    }
  }
  const titles = elementsByTag(doc, 'title').length;
  if (titles !== 1) found.push(`${titles} <title> elements`);
  const headlines = elementsByTag(doc, 'h1').length;
  if (headlines !== 1) found.push(`${headlines} <h1> elements`);
  return found;
}
