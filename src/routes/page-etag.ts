// A page's strong ETag from what its bytes are made of, without hashing the body: the code that
// assembles it, the manifest's site and sections as pages show them (the frame and every part
// rendered per request derive from them), what else of the manifest the page shows (a section's
// page count), and the stored hash of each record it shows (KV metadata, written by publish). Any
// change to the bytes changes one of these, so the tag changes with them; a publish that only adds
// articles elsewhere leaves an article's tag, and so a reader's 304, as it was.

import type { SiteConfig } from '../config/site-config';
import { sha256Hex } from '../shared/digest';
import type { ManifestSection } from '../storage/records';

const prefixes = new WeakMap<
  readonly ManifestSection[],
  { site: SiteConfig; codeVersion: string; prefix: Promise<string> }
>();

/**
 * 16 hex digits of SHA-256 over the code version, the site and its sections without their counts
 * (which change with every article, and which a page shows only as its own page count, passed
 * apart): computed once per manifest the isolate holds, so a miss hashes nothing.
 */
function prefixOf(
  codeVersion: string,
  site: SiteConfig,
  sections: readonly ManifestSection[],
): Promise<string> {
  const cached = prefixes.get(sections);
  if (cached?.site === site && cached.codeVersion === codeVersion) return cached.prefix;
  const shown = sections.map(({ articles: _articles, pages: _pages, ...section }) => section);
  const prefix = sha256Hex(JSON.stringify([codeVersion, site, shown]), 8);
  prefixes.set(sections, { site, codeVersion, prefix });
  return prefix;
}

const STORED_HASH = /^[0-9a-f]{24,64}$/;

export interface PageSources {
  /** The deployment's code version: the same records may be assembled differently by other code. */
  codeVersion: string;
  site: SiteConfig;
  sections: readonly ManifestSection[];
  /** The stored hash (SHA-256, hex) of each value the page shows, in order. */
  hashes: readonly (string | undefined)[];
  /** Anything else of the manifest the page shows: a section page's page count. */
  shown?: readonly string[];
}

/**
 * The ETag of a page built from these sources, or undefined when a value has no stored hash (one
 * written before hashes were stored, or not as hex): then only the body can name its version. The stored hashes
 * are SHA-256 already: 96 bits of each, as for body hashes (http/validators.ts), are put side by side.
 */
export async function pageEtag(sources: PageSources): Promise<string | undefined> {
  const { codeVersion, site, sections, hashes, shown = [] } = sources;
  let values = '';
  for (const hash of hashes) {
    // Metadata is what publish wrote; anything but hex would not be a hash (nor fit in a tag).
    if (hash === undefined || !STORED_HASH.test(hash)) return undefined;
    values += `-${hash.slice(0, 24)}`;
  }
  const extra = shown.map((part) => `.${part}`).join('');
  return `"${await prefixOf(codeVersion, site, sections)}${values}${extra}"`;
}
