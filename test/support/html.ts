// Parses served HTML into a DOM and queries it with CSS selectors, so tests assert structure
// (elements, attributes, visible text), never substrings of markup.
import { selectAll, selectOne } from 'css-select';
import type { AnyNode, Element } from 'domhandler';
import { getAttributeValue, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';

export interface Page {
  all(selector: string): Element[];
  one(selector: string): Element | null;
  /** Trimmed, whitespace-collapsed text of the first match ('' when nothing matches). */
  text(selector: string): string;
  attr(selector: string, name: string): string | undefined;
}

export function parseHtml(html: string): Page {
  const document: AnyNode[] = parseDocument(html).children;
  const one = (selector: string): Element | null => selectOne<AnyNode, Element>(selector, document);
  return {
    all: (selector) => selectAll<AnyNode, Element>(selector, document),
    one,
    text: (selector) => {
      const element = one(selector);
      return element ? textContent(element).replace(/\s+/g, ' ').trim() : '';
    },
    attr: (selector, name) => {
      const element = one(selector);
      return element ? getAttributeValue(element, name) : undefined;
    },
  };
}

export function textOf(element: Element): string {
  return textContent(element).replace(/\s+/g, ' ').trim();
}

export { getAttributeValue };
