// Text folding shared by term slugs (tags, authors) and search: two spellings a reader would call
// the same word fold to the same string, in Latin, Cyrillic and Arabic-script text alike.

// Arabic-script marks a reader rarely types: harakat, superscript alef, tatweel, and the joiners
// and soft hyphen that only shape a word (Persian writes "می‌رود" and "میرود" for the same word).
const INVISIBLE_OR_VOWEL_MARKS = /[\u064B-\u065F\u0670\u0640\u200B-\u200D\u2060\u00AD\uFEFF]/g;

// Arabic and Persian keyboards give different code points for the same letters and digits.
const LETTER_VARIANTS: Record<string, string> = {
  ي: 'ی',
  ى: 'ی',
  ك: 'ک',
  ё: 'е',
};
const VARIANT_LETTERS = /[يىكё]/g;
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/**
 * Lower case, compatibility forms unified (NFKC), accents dropped from Latin letters only (é → e,
 * while Cyrillic й keeps its breve: it is a different letter), Arabic-script variants unified
 * (ي → ی, ك → ک, ٣ and ۳ → 3), ё → е. Idempotent: folding a folded string changes nothing.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(INVISIBLE_OR_VOWEL_MARKS, '')
    .replace(VARIANT_LETTERS, (ch) => LETTER_VARIANTS[ch] ?? ch)
    .replace(EASTERN_DIGITS, (ch) => String(ch.charCodeAt(0) - (ch >= '\u06F0' ? 0x06f0 : 0x0660)));
}

/** A run of letters, digits and the marks that belong to them: what counts as a word. */
export const WORD = /[\p{L}\p{N}\p{M}]+/gu;
