// Every size limit in one place: Workers KV's own, and the content limits chosen so that any
// accepted article yields records within them. The compiler, the write plan and the API all read these.

const KIB = 1024;
const MIB = 1024 * KIB;

/** Workers KV limits (developers.cloudflare.com/kv/platform/limits): a write past one is refused. */
export const KV_KEY_MAX_BYTES = 512;
export const KV_VALUE_MAX_BYTES = 25 * MIB;
export const KV_METADATA_MAX_BYTES = 1024;

/**
 * The API's record of one article (`api:v1:article:{id}`, `{"data": …}`). A change-log page repeats
 * up to 50 of them (CHANGES_PAGE_SIZE), so 50 × 400 KiB = 19.5 MiB keeps every page under 25 MiB.
 */
export const API_ARTICLE_RECORD_MAX_BYTES = 400 * KIB;
/** Markdown after the front matter: about 20,000 words of English, far beyond any news article. */
export const BODY_MARKDOWN_MAX_BYTES = 128 * KIB;
/** The sanitised HTML: Markdown can expand (a reference link repeats its URL at every use). */
export const BODY_HTML_MAX_BYTES = 256 * KIB;
/** The YAML between the fences; every field at its maximum takes under 20 KiB. */
export const FRONT_MATTER_MAX_BYTES = 32 * KIB;
/** No valid article file is larger: past this a file is refused before it is parsed (or even read). */
export const ARTICLE_FILE_MAX_BYTES = FRONT_MATTER_MAX_BYTES + BODY_MARKDOWN_MAX_BYTES;

/** Plain-text fields, in characters: they repeat in every list, feed and teaser that shows the article. */
export const TITLE_MAX_CHARS = 300;
export const SUMMARY_MAX_CHARS = 1000;
export const AUTHOR_MAX_CHARS = 200;
export const IMAGE_ALT_MAX_CHARS = 500;
export const IMAGE_CAPTION_MAX_CHARS = 500;
export const IMAGE_CREDIT_MAX_CHARS = 200;
/** A custom slug, like a derived one (slug.ts): the address must stay short enough to share. */
export const SLUG_MAX_CHARS = 100;

/**
 * A tag, lower-cased, in UTF-8 bytes: it names KV keys URI-encoded
 * (`api:v1:articles:tag:{encodeURIComponent(tag)}:head`), at most 3 characters a byte, so a key stays
 * under 20 + 300 + 12 bytes, well within KV_KEY_MAX_BYTES. Bytes, not characters: 90 Cyrillic
 * letters are 180 bytes and 1,080 once encoded.
 */
export const TAG_MAX_BYTES = 100;
export const TAGS_MAX = 30;

/** UTF-8 length of a string, without encoding it (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** A tag's bytes in a storage key: its lower-case form (case folding can add bytes: İ → i̇). */
export function tagKeyBytes(tag: string): number {
  return utf8Bytes(tag.toLowerCase());
}

/** `132 KiB`, `28.6 MiB`: sizes as the messages print them. */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / KIB)} KiB`;
}
