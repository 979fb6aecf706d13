// The URL word of a tag or an author: readable in its own script ("ایران", "россия", "bank-of-russia"),
// percent-encodable, and short enough in UTF-8 that every KV key built from it stays far below 512 bytes.
import { foldText, WORD } from '../text/fold';

/** Upper bound of a slug in UTF-8 bytes: the longest key built on it (`list:v3:author:{slug}:b123456`) stays under 200. */
export const MAX_TERM_SLUG_BYTES = 120;

const encoder = new TextEncoder();
const byteLength = (text: string): number => encoder.encode(text).length;

/** A slug as termSlug writes it: folded words joined by single hyphens. */
const TERM_SLUG = /^[\p{L}\p{N}\p{M}]+(?:-[\p{L}\p{N}\p{M}]+)*$/u;

/**
 * Folded words (text/fold.ts) joined by hyphens, cut after the last whole word that fits in
 * MAX_TERM_SLUG_BYTES (a single longer word is cut by code point). Empty when the name has no
 * letter or digit: compile refuses such a tag or author. Two names with one slug are one term.
 */
export function termSlug(name: string): string {
  let slug = '';
  for (const word of foldText(name).match(WORD) ?? []) {
    const next = slug ? `${slug}-${word}` : word;
    if (byteLength(next) <= MAX_TERM_SLUG_BYTES) {
      slug = next;
      continue;
    }
    if (slug === '') {
      for (const ch of word) {
        if (byteLength(slug + ch) > MAX_TERM_SLUG_BYTES) break;
        slug += ch;
      }
    }
    break;
  }
  return slug;
}

/** Whether a path segment (decoded) is a slug exactly as termSlug writes it, rather than another spelling of one. */
export function isCanonicalTermSlug(segment: string): boolean {
  return (
    TERM_SLUG.test(segment) && byteLength(segment) <= MAX_TERM_SLUG_BYTES && termSlug(segment) === segment
  );
}
