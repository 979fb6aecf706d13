// A page's strong ETag from what its bytes are made of, without hashing the body: the code that
// assembles it, the manifest's site and sections (the frame and every part rendered per request
// derive from them alone) and the stored hash of each record it shows (KV metadata, written by
// publish). Any change to the bytes changes one of these, so the tag changes with them.

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

/** SHA-256 of the site and sections, once per manifest the isolate holds. */
function manifestDigest(site: SiteConfig, sections: readonly ManifestSection[]): Promise<string> {
  const cached = manifestDigests.get(sections);
  if (cached?.site === site) return cached.digest;
  const digest = sha256Hex(JSON.stringify([site, sections]));
  manifestDigests.set(sections, { site, digest });
  return digest;
}

/**
 * The ETag of a page built from records with these stored hashes, or undefined when one has none
 * (a value written before hashes were stored): then only the body can name its version.
 */
export async function pageEtag(
  codeVersion: string,
  site: SiteConfig,
  sections: readonly ManifestSection[],
  hashes: readonly (string | undefined)[],
): Promise<string | undefined> {
  if (hashes.some((hash) => hash === undefined)) return undefined;
  const manifest = await manifestDigest(site, sections);
  // 96 bits, as for body hashes (http/validators.ts).
  return `"${await sha256Hex([codeVersion, manifest, ...hashes].join('\u0000'), 12)}"`;
}
