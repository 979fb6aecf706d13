// Two publish-time shortcuts that must give exactly what the general code gives: an absolute URL
// joined without parsing (sites/urls.ts) and text scanned for characters XML refuses before any is
// removed (content/xml-chars.ts). Each is compared with the general code on generated input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripXmlIllegalChars } from '../../src/content/xml-chars';
import { absoluteUrl } from '../../src/sites/urls';

const PIECES = [
  '/',
  '//',
  '.',
  '..',
  'a',
  'Z',
  '0',
  '-',
  '_',
  '~',
  '?',
  '=',
  '&',
  '%2e',
  '%',
  '#',
  ' ',
  '\\',
  ':',
  '@',
  'é',
  '\t',
];
const path = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join(''));
const ORIGINS = [
  'https://www.presstv.ir',
  'http://presstv.onion',
  'https://Mirror.Example',
  'https://x.org:443',
  'http://x.org:80',
  'https://x.org:8443',
  'https://x.org/base',
  'https://x.org/',
  'https://user@x.org',
  'https://x.org.',
  'http://[::1]:8787',
  'https://bücher.example',
];

/** The value, or that it threw (a path that makes no URL throws in both). */
function outcome(make: () => string): string {
  try {
    return make();
  } catch (error) {
    return `threw ${(error as Error).name}`;
  }
}

describe('absoluteUrl', () => {
  it('gives what the URL parser gives, for any path and origin', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORIGINS), path, (origin, text) => {
        expect(outcome(() => absoluteUrl(origin, text))).toBe(
          outcome(() => new URL(text, `${origin}/`).toString()),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('joins the paths articles and sections have as they are, without the URL parser', () => {
    // The global the shortcut would fall back to, replaced by one that counts its parses.
    const scope = globalThis as unknown as { URL: typeof URL };
    const Parser = scope.URL;
    let parsed = 0;
    scope.URL = class extends Parser {
      constructor(...args: ConstructorParameters<typeof URL>) {
        super(...args);
        parsed++;
      }
    };
    try {
      absoluteUrl('https://www.presstv.ir', '/');
      parsed = 0;
      absoluteUrl('https://www.presstv.ir', '/Detail/2022/01/14/675904/Russia-no-new-talks');
      absoluteUrl('https://www.presstv.ir', '/section/news?page=2');
      expect(parsed).toBe(0);
      absoluteUrl('https://www.presstv.ir', '/a//b');
      expect(parsed).toBe(1);
    } finally {
      scope.URL = Parser;
    }
    expect(absoluteUrl('https://www.presstv.ir', '/Detail/2022/01/14/675904/Russia-no-new-talks')).toBe(
      'https://www.presstv.ir/Detail/2022/01/14/675904/Russia-no-new-talks',
    );
    expect(absoluteUrl('https://www.presstv.ir', '/section/news?page=2')).toBe(
      'https://www.presstv.ir/section/news?page=2',
    );
  });
});

describe('stripXmlIllegalChars', () => {
  const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
  const unit = fc.oneof(
    fc.constantFrom(
      '\0',
      '\x08',
      '\t',
      '\n',
      '\x0B',
      '\r',
      '\x1F',
      ' ',
      'a',
      '\uD7FF',
      '\uD800',
      '\uDBFF',
      '\uDC00',
      '\uDFFF',
      '\uE000',
      '\uFFFD',
      '\uFFFE',
      '\uFFFF',
      '😀',
    ),
    fc.string({ unit: 'binary', maxLength: 3 }),
  );
  it('removes exactly the characters XML refuses, and nothing from text that has none', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (units) => {
        const text = units.join('');
        expect(stripXmlIllegalChars(text)).toBe(text.replace(NOT_XML_CHAR, ''));
      }),
      { numRuns: 3000 },
    );
  });
});
