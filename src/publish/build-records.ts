// Compiled content → every KV record the worker reads: articles, indexes and the manifest.
// Pure and deterministic (the clock is passed in), so publish and tests build identical bytes.

import type { SiteConfig } from '../config/site-config';
import type { CompiledContent } from '../content/compile';
import { isImageUrl } from '../content/image-source';
import { sha256Hex } from '../shared/digest';
import { isoSeconds } from '../shared/iso-time';
import { manifestKey } from '../storage/keys';
import type { Manifest, StoredMirrorList } from '../storage/records';
import type { ChangeLogUpdate } from './changes';
import { buildArticleRecords } from './indexes/article-records';
import { INDEX_BUILDERS, type Records } from './indexes/index-builder';
import { manifestSections } from './indexes/list-pages';

export type { Records };

/**
 * Records grouped by write phase. Change-log pages go first: an interrupted publish leaves entries
 * past the committed head, which the next publish adopts (changes.ts), so no change goes unlogged.
 * An index is written only after the articles it points to; the manifest flips last.
 */
export interface RecordSet {
  changes: Records;
  articles: Records;
  indexes: Records;
  manifest: { key: string; value: string; manifest: Manifest };
  /** SHA-256 (hex) of every article and index value, computed once: the plan diffs with them. */
  hashes: ReadonlyMap<string, string>;
}

export interface BuildOptions {
  /** The manifest now in KV, if any: keeps dates stable when nothing changed. */
  previous: Manifest | null;
  now: Date;
  /** This publish's change-log pages and the head they lead to (changes.ts). */
  changeLog: ChangeLogUpdate;
  /** /.well-known/mirrors.json and its signature (mirror-list.ts), carried by the manifest. */
  mirrorList?: StoredMirrorList;
}

export async function buildRecords(content: CompiledContent, options: BuildOptions): Promise<RecordSet> {
  const articles = buildArticleRecords(content);
  const indexes: Records = new Map();
  for (const build of INDEX_BUILDERS) {
    for (const [key, value] of build(content)) {
      if (indexes.has(key) || articles.has(key)) throw new Error(`two index builders produce ${key}`);
      indexes.set(key, value);
    }
  }
  const hashes = new Map<string, string>();
  for (const records of [articles, indexes]) {
    for (const [key, value] of records) hashes.set(key, await sha256Hex(value));
  }
  const { changeLog } = options;
  const version = await contentVersion(content.site, changeLog.head, hashes);
  const manifest = buildManifest(content, version, options);
  return {
    changes: changeLog.pages,
    articles,
    indexes,
    manifest: { key: manifestKey(), value: JSON.stringify(manifest), manifest },
    hashes,
  };
}

/**
 * The content version: a hash of the configuration, the change log's head (its pages are not all
 * rewritten, but the head moves whenever one is) and every record's hash. Cache keys derive from it.
 * Hashing the hashes keeps the input small (about 100 bytes per record) at any archive size.
 */
async function contentVersion(
  site: SiteConfig,
  changesHead: number,
  hashes: ReadonlyMap<string, string>,
): Promise<string> {
  const parts: string[] = [JSON.stringify(site), String(changesHead)];
  for (const key of [...hashes.keys()].sort()) parts.push(key, hashes.get(key) ?? '');
  return (await sha256Hex(parts.join('\u0000'))).slice(0, 16);
}

function hostsOf(site: SiteConfig): string {
  return JSON.stringify([site.primary, site.mirrors, site.redirects, site.onion ?? null]);
}

function buildManifest(content: CompiledContent, version: string, options: BuildOptions): Manifest {
  const { previous, now } = options;
  const { site } = content;
  const stamp = isoSeconds(now);
  const publishedAt = previous && previous.version === version ? previous.publishedAt : stamp;
  const hostsChangedAt =
    previous && hostsOf(previous.site) === hostsOf(site) ? previous.hostsChangedAt : stamp;
  return {
    format: 1,
    version,
    publishedAt,
    hostsChangedAt,
    site,
    sections: manifestSections(content),
    changes: { head: options.changeLog.head },
    ...(options.mirrorList && { mirrorList: options.mirrorList }),
    ...imageOriginsOf(content),
  };
}

/** The origins of images given as URLs, for the pages' CSP; absent when every image is the site's own. */
function imageOriginsOf(content: CompiledContent): { imageOrigins?: string[] } {
  const origins = new Set<string>();
  for (const { image } of content.articles)
    if (image && isImageUrl(image.src)) origins.add(new URL(image.src).origin);
  return origins.size > 0 ? { imageOrigins: [...origins].sort() } : {};
}
