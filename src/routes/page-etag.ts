// A page's strong ETag from what its bytes are made of, without hashing the body: the code that
// assembles it, the manifest's site and sections as pages show them (the frame and every part
// rendered per request derive from them), what else of the manifest the page shows (a section's
// page count), and the stored hash of each record it shows (KV metadata, written by publish). Any
// change to the bytes changes one of these, so the tag changes with them; a publish that only adds
// articles elsewhere leaves an article's tag, and so a reader's 304, as it was.

import type { SiteConfig } from '../config/site-config';
import { sha256Hex } from '../shared/digest';
import type { ManifestSection } from '../storage/records';

export type PageVariables = {
  /** The response's ETag as the handler knows it from stored hashes (`pageEtag`), when it does. */
  etag?: string;
};

const manifestDigests = new WeakMap<
  readonly ManifestSection[],
  { site: SiteConfig; digest: Promise<string> }
>();

/**
 * SHA-256 of the site and its sections without their counts (which change with every article and
 * which a page shows only as its own page count, passed apart), once per manifest the isolate holds.
 */
function manifestDigest(site: SiteConfig, sections: readonly ManifestSection[]): Promise<string> {
  const cached = manifestDigests.get(sections);
  if (cached?.site === site) return cached.digest;
  const shown = sections.map(({ articles: _articles, pages: _pages, ...section }) => section);
  const digest = sha256Hex(JSON.stringify([site, shown]));
  manifestDigests.set(sections, { site, digest });
  return digest;
}

export interface PageSources {
  /** The deployment's code version: the same records may be assembled differently by other code. */
  codeVersion: string;
  site: SiteConfig;
  sections: readonly ManifestSection[];
  /** The stored hash of each value the page shows, in order. */
  hashes: readonly (string | undefined)[];
  /** Anything else of the manifest the page shows: a section page's page count. */
  shown?: readonly string[];
}

/**
 * The ETag of a page built from these sources, or undefined when a value has no stored hash (one
 * written before hashes were stored): then only the body can name its version.
 */
export async function pageEtag(sources: PageSources): Promise<string | undefined> {
  const { codeVersion, site, sections, hashes, shown = [] } = sources;
  if (hashes.some((hash) => hash === undefined)) return undefined;
  const manifest = await manifestDigest(site, sections);
  const parts = [codeVersion, manifest, String(hashes.length), ...hashes, ...shown];
  // 96 bits, as for body hashes (http/validators.ts).
  return `"${await sha256Hex(parts.join('\u0000'), 12)}"`;
}
