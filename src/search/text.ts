// Words as search sees them, shared by the publish-time index and the worker's queries and
// highlighting, so a word is found exactly when it was indexed: folded (text/fold.ts), split on
// anything that is not a letter, digit or mark, one-letter words left out.
import { foldText, WORD } from '../text/fold';

/**
 * A word as written, joiners included: Persian writes "می‌رود" with a zero-width non-joiner that
 * folding removes, so the written word must be taken whole before it is folded.
 */
const WRITTEN_WORD = /(?:[\p{L}\p{N}\p{M}\u00AD\u0640]|\u200C|\u200D)+/gu;

/** Longer words are cut: no real word is longer, and it bounds what one query term can cost. */
export const MAX_TERM_LENGTH = 40;

/**
 * Written words seen lately and their terms: an archive repeats a few thousand words millions of
 * times, and folding (three Unicode normalisations) is most of what indexing costs.
 */
const TERMS_OF_WORD = new Map<string, string[]>();
const TERMS_OF_WORD_MAX = 50_000;

/** The search terms of one written word (usually one; NFKC can split a ligature or fraction). */
function termsOfWord(written: string): string[] {
  const known = TERMS_OF_WORD.get(written);
  if (known) return known;
  const terms = foldWord(written);
  if (TERMS_OF_WORD.size >= TERMS_OF_WORD_MAX) TERMS_OF_WORD.clear();
  TERMS_OF_WORD.set(written, terms);
  return terms;
}

function foldWord(written: string): string[] {
  const terms: string[] = [];
  for (const word of foldText(written).match(WORD) ?? []) {
    const chars = [...word];
    // One-letter words ("a", Persian "و") are in nearly every article and mean nothing alone.
    if (chars.length < 2 && !/\d/.test(word)) continue;
    terms.push(chars.length > MAX_TERM_LENGTH ? chars.slice(0, MAX_TERM_LENGTH).join('') : word);
  }
  return terms;
}

/** Every term of a text, in order, repeats kept (the index counts them). */
export function tokenize(text: string): string[] {
  return (text.match(WRITTEN_WORD) ?? []).flatMap(termsOfWord);
}

/** A piece of displayed text: marked when it is a word the query asked for. */
export interface TextPart {
  text: string;
  mark: boolean;
}

/** `text` cut into parts, each written word that yields one of `terms` marked (for `<mark>`). */
export function highlight(text: string, terms: ReadonlySet<string>): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(WRITTEN_WORD)) {
    if (!termsOfWord(match[0]).some((term) => terms.has(term))) continue;
    if (match.index > at) parts.push({ text: text.slice(at, match.index), mark: false });
    parts.push({ text: match[0], mark: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mark: false });
  return parts;
}

/**
 * About `length` characters of `text` around the first word that yields one of `terms`, cut at
 * spaces, with an ellipsis where it was cut; the start of the text when no word matches.
 */
export function excerpt(text: string, terms: ReadonlySet<string>, length = 240): string {
  let first = -1;
  for (const match of text.matchAll(WRITTEN_WORD)) {
    if (termsOfWord(match[0]).some((term) => terms.has(term))) {
      first = match.index;
      break;
    }
  }
  if (text.length <= length) return text;
  let start = Math.max(0, first - Math.floor(length / 3));
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < first ? space + 1 : start;
  }
  let end = Math.min(text.length, start + length);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  return `${start > 0 ? '… ' : ''}${text.slice(start, end)}${end < text.length ? ' …' : ''}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The text of sanitised article HTML (content/markdown.ts writes it): tags become spaces, the
 * entities sanitize-html writes are decoded. Not a general HTML parser, and needs not be one.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      if (name[0] === '#') {
        const code =
          name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}
