// Served HTML parsed into a DOM (htmlparser2), the way a browser would see it, so tests assert
// structure (elements, attributes, visible text), never substrings of markup: CSS-selector queries,
// tree walks, and the check that nothing was injected (one <title> and one <h1>, only safe URLs).
import { selectAll, selectOne } from 'css-select';
import type { AnyNode, ChildNode, Element } from 'domhandler';
import { getAttributeValue, textContent } from 'domutils';
import { DomUtils, parseDocument } from 'htmlparser2';
import { OFFLINE_SCRIPT_PATH } from '../../src/views/Layout';

export type HtmlElement = Element;

/** A document or an element: the descendants of either can be searched. */
export interface HtmlRoot {
  children: ChildNode[];
}

/** A parsed page: its nodes (an HtmlRoot for the walks below) and CSS-selector queries over them. */
export interface HtmlPage extends HtmlRoot {
  all(selector: string): Element[];
  one(selector: string): Element | null;
  /** Trimmed, whitespace-collapsed text of the first match ('' when nothing matches). */
  text(selector: string): string;
  attr(selector: string, name: string): string | undefined;
}

export function parseHtml(html: string): HtmlPage {
  const { children } = parseDocument(html, { lowerCaseTags: true, lowerCaseAttributeNames: true });
  const nodes: AnyNode[] = children;
  const one = (selector: string): Element | null => selectOne<AnyNode, Element>(selector, nodes);
  return {
    children,
    all: (selector) => selectAll<AnyNode, Element>(selector, nodes),
    one,
    text: (selector) => textOf(one(selector) ?? undefined),
    attr: (selector, name) => {
      const element = one(selector);
      return element ? getAttributeValue(element, name) : undefined;
    },
  };
}

/** Visible text as a reader sees it: trimmed, whitespace collapsed ('' for no element). */
export function textOf(element: Element | undefined): string {
  return element ? textContent(element).replace(/\s+/g, ' ').trim() : '';
}

/** The text exactly as the markup holds it, for checks that a value came through unchanged. */
export function exactTextOf(element: Element | undefined): string | undefined {
  return element && textContent(element);
}

export { getAttributeValue };

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
  // Article images: a WebP <source> and the <img> inside a <picture> (views/ResponsiveImage.tsx).
  'picture',
  'source',
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

export function allElements(doc: HtmlRoot): HtmlElement[] {
  return DomUtils.findAll(() => true, doc.children);
}

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
export function findInjections(doc: HtmlRoot): string[] {
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
      if (name === 'srcset')
        for (const candidate of value.split(',')) {
          const url = candidate.trim().split(/\s+/)[0] ?? '';
          if (!(url.startsWith('/') && !url.startsWith('//'))) found.push(`off-site image ${url} in srcset`);
        }
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
