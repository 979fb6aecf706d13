// XML 1.0 §2.2 allows only these characters: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
// | [#x10000-#x10FFFF]. Anything else (C0 controls, lone surrogates, U+FFFE/FFFF) is removed at
// publish time, so every feed and page built from the text is well-formed.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Every UTF-16 unit that can be part of a character XML refuses (a surrogate is one only when
 * lone): the class above read unit by unit, without the `u` flag, which scans long text faster. A
 * publish passes every full-text feed through here, and almost none holds one (text with a
 * character beyond U+FFFF, an emoji, takes the full replace).
 */
const MAYBE_NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;

export function stripXmlIllegalChars(text: string): string {
  return MAYBE_NOT_XML.test(text) ? text.replace(NOT_XML_CHAR, '') : text;
}
