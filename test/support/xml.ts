// Parses XML bodies the way a crawler would, keeping namespace prefixes and text exactly.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['url', 'sitemap'].includes(name),
});

/** Throws when the body is not well-formed XML; otherwise the parsed document. */
export function parseXml(body: string): Record<string, unknown> {
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  return parser.parse(body) as Record<string, unknown>;
}

/** W3C Datetime (https://www.w3.org/TR/NOTE-datetime) with time and zone, as sitemaps.org requires. */
export const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
