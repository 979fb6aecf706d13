// A real XML parser (fast-xml-parser), two ways: an ordered tree, so feed tests can assert structure
// (how many <title> an item has, which attributes a link carries), and a plain record for sitemaps,
// read the way a crawler would, keeping namespace prefixes and text exactly.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // Decode character references (`&#39;`, `&#10;`) as every XML reader does; without it
  // fast-xml-parser leaves them as written.
  htmlEntities: true,
});

/** Parses a well-formed document (throws with the parser's message otherwise) into its root element. */
export function parseXml(text: string): XmlNode {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = toNodes(parser.parse(text) as Ordered[]).find((node) => !node.name.startsWith('?'));
  if (!root) throw new Error('no root element');
  return root;
}

function toNodes(items: Ordered[]): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (const item of items) {
    const name = Object.keys(item).find((key) => key !== ':@');
    if (name === undefined || name === '#text') continue;
    const content = (item[name] ?? []) as Ordered[];
    nodes.push({
      name,
      attributes: item[':@'] ?? {},
      children: toNodes(content),
      text: content
        .map((part) => part['#text'])
        .filter((t) => t !== undefined)
        .join(''),
    });
  }
  return nodes;
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((child) => child.name === name);
}

/** The only child with this name: fails if there is none or more than one. */
export function onlyChild(node: XmlNode, name: string): XmlNode {
  const found = childrenNamed(node, name);
  if (found.length !== 1) throw new Error(`<${node.name}> has ${found.length} <${name}>, expected 1`);
  return found[0] as XmlNode;
}

export function descendants(node: XmlNode): XmlNode[] {
  return node.children.flatMap((child) => [child, ...descendants(child)]);
}

const recordParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['url', 'sitemap'].includes(name),
});

/** Throws when the body is not well-formed XML; otherwise the parsed document as nested records. */
export function parseXmlRecord(body: string): Record<string, unknown> {
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  return recordParser.parse(body) as Record<string, unknown>;
}

/** W3C Datetime (https://www.w3.org/TR/NOTE-datetime) with time and zone, as sitemaps.org requires. */
export const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
