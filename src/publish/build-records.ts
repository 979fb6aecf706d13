// Compiled content → every KV record the worker reads: articles, indexes and the manifest.
// Pure and deterministic (the clock is passed in), so publish and tests build identical bytes.

import type { SiteConfig } from '../config/site-config';
import { type CompiledContent, compiledDigestOf, imageSourceOf } from '../content/compile';
import { isImageUrl } from '../content/image-source';
import { sha256Hex } from '../shared/digest';
import { flatString } from '../shared/flat-string';
import { isoSeconds } from '../shared/iso-time';
import { apiArticleKey, manifestKey } from '../storage/keys';
import { type Manifest, type StoredMirrorList, toTeaser } from '../storage/records';
import { renderCard } from '../views/ArticleCard';
import type { ChangeLogUpdate } from './changes';
import { contentVersion, recordSum, type SyncDigest } from './content-version';
import type { GroupRecorder } from './group-index';
import { rememberedState, rememberState } from './group-state';
import { API_ARTICLES_BUILDER, apiArticleInputs } from './indexes/api-records';
import { ARTICLE_RECORDS } from './indexes/article-records';
import {
  type GroupContext,
  INDEX_BUILDERS,
  type Placement,
  type RecordGroup,
  type Records,
} from './indexes/index-builder';
import { manifestSections } from './indexes/list-pages';
import { lingeringSearchParts, searchIndexLayout } from './indexes/search-index';
import type { StoredKeys } from './plan';
import type { GroupOutput, RecordMemo } from './record-memo';
import { memoryScratch, type Parked, type RecordStore, type Scratch } from './record-store';

export type { Records };

/**
 * Records grouped by write phase. Change-log pages go first: an interrupted publish leaves entries
 * past the committed head, which the next publish adopts (changes.ts), so no change goes unlogged.
 * An index is written only after the articles it points to; the manifest flips last.
 */
export interface RecordSet {
  changes: RecordStore;
  articles: RecordStore;
  indexes: RecordStore;
  manifest: { key: string; value: string; manifest: Manifest };
  /**
   * Keys not built because the memo knew their inputs and KV already holds the value they produce:
   * key → SHA-256 (hex) of that value. Unchanged by definition; never written, never deleted.
   */
  kept: ReadonlyMap<string, string>;
  /**
   * Stored keys no record names that stay anyway: the parts of the search index's layout before its
   * count changed, which an isolate holding an older manifest reads (lingeringSearchParts).
   */
  lingering: ReadonlySet<string>;
  /** With BuildOptions.edited: how many articles it named, and how many keys were kept unlooked-up as stored. */
  editedInPlace?: { articles: number; keptAsStored: number };
}

export interface BuildOptions {
  /** The manifest now in KV, if any: keeps dates stable when nothing changed. */
  previous: Manifest | null;
  now: Date;
  /** This publish's change-log pages and the head they lead to (changes.ts). */
  changeLog: ChangeLogUpdate;
  /** /.well-known/mirrors.json and its signature (mirror-list.ts), carried by the manifest. */
  mirrorList?: StoredMirrorList;
  /** Remembers what each group of records produced, so unchanged ones need not be built again. */
  memo?: RecordMemo;
  /** What KV holds (key → metadata): a remembered group is kept only if all its hashes are stored. */
  stored?: StoredKeys;
  /** Where the built values wait until they are written, and cards until listed (default: memory). */
  scratch?: Scratch;
  /** Each article's input digest (articleInputs), when the caller has fingerprinted articles already. */
  articleInput?: (article: CompiledArticle) => string;
  /** Reads a value KV holds: a group updated in place (RecordGroup.update) starts from it. */
  readStored?: (key: string) => Promise<string | null>;
  /**
   * A staged release's build: only the live build's group states are remembered, and only a live
   * publish deletes the search parts of a superseded layout (lingeringSearchParts).
   */
  release?: boolean;
  /**
   * What the memo gave for fingerprints already looked up in this publish (the change log asks for
   * every article's API record): not read from the memo again.
   */
  lookedUp?: ReadonlyMap<string, GroupOutput>;
  /**
   * The only articles that may differ from what the last publish built, each placed as it was
   * (placement.ts), when `stored` is exactly what that publish left (pipeline.ts decides): every
   * group placed by articles' places (RecordGroup.placed) that lists none of them is kept as stored,
   * unnamed and unlooked-up, so an edit's cost follows the groups that show it.
   */
  edited?: ReadonlySet<number>;
  /**
   * Told as each builder finishes, in order: its name, the records it built and those it kept as
   * they are (a first publish of a large archive spends minutes here).
   */
  builderDone?: (builder: string, built: number, kept: number) => void;
  /**
   * Told of every placed or indexed group built (group-index.ts); of every one taken, built or
   * kept, when the index is not complete. Only the live build's: a staged release's groups are not yet KV's.
   */
  groupIndex?: GroupRecorder;
  /** A synchronous SHA-256 (the publish command's), for the records' sum (content-version.ts). */
  digest?: SyncDigest;
}

/**
 * What names an article among a group's inputs: a digest of everything compiled for it. An article
 * from the compile cache is named by the cache's digest (compiledDigestOf), so fingerprinting it
 * reads neither its body nor anything else of it, and nothing is kept beside it: a table of 100,000
 * articles' names was about 150 bytes an article through the build. Any other (a copy, an article
 * compiled without a cache) is named by its content, once per publish.
 */
export function articleInputs(memo: RecordMemo): (article: CompiledArticle) => string {
  const named = new WeakMap<CompiledArticle, string>();
  return (article) => {
    const digest = compiledDigestOf(article);
    if (digest !== undefined) return digest;
    let input = named.get(article);
    if (input === undefined) {
      input = memo.fingerprint([JSON.stringify(article)]);
      named.set(article, input);
    }
    return input;
  };
}

/**
 * The hash of an article's API record as this publish would build it, where the memo remembers it
 * (the article unchanged since its record was last built): the change log compares it with KV's
 * without making the record, whose body would have to be read.
 */
export function rememberedApiHashes(
  content: CompiledContent,
  memo: RecordMemo,
  articleInput: (article: CompiledArticle) => string,
  /** Where what was looked up is kept for buildRecords (BuildOptions.lookedUp), which asks again. */
  lookedUp?: Map<string, GroupOutput>,
): (id: number) => string | undefined {
  const site = siteInput(memo, content);
  const byId = new Map(content.articles.map((article) => [article.id, article]));
  return (id) => {
    const article = byId.get(id);
    if (!article) return undefined;
    const inputs = apiArticleInputs(article, articleInput);
    const fingerprint = groupFingerprint(memo, API_ARTICLES_BUILDER, site, inputs);
    const known = memo.lookup(fingerprint);
    if (known) lookedUp?.set(fingerprint, known);
    return known?.find(([key]) => key === apiArticleKey(id))?.[1];
  };
}

/** The value of a remembered derivation (one pair: its kind and the value), if `known` is one of `kind`. */
function derivedIn(known: GroupOutput | undefined, kind: string): string | undefined {
  const [entry] = known ?? [];
  return entry?.[0] === kind ? entry[1] : undefined;
}

/**
 * What names site.yaml among a group's inputs: a digest of it as JSON, so each of an archive's
 * 370,000 fingerprints hashes 64 characters for it rather than the whole configuration.
 */
function siteInput(memo: RecordMemo | undefined, content: CompiledContent): string {
  return memo ? siteInputOf(memo, content.site) : '';
}

/** What names this site.yaml among a group's inputs (siteInput). */
export function siteInputOf(memo: RecordMemo, site: SiteConfig): string {
  return memo.fingerprint(['site', JSON.stringify(site)]);
}

/** The fingerprint of one builder's group: its name, site.yaml (siteInput) and the group's inputs. */
export function groupFingerprint(memo: RecordMemo, builder: string, site: string, inputs: string[]): string {
  return memo.fingerprint([builder, site, ...inputs]);
}

type CompiledArticle = CompiledContent['articles'][number];

/** A value read from KV, if its bytes have the hash KV's metadata (or a memo) says they have. */
export async function valueWithHash(value: string | null, hash: string): Promise<string | undefined> {
  return value !== null && (await sha256Hex(value)) === hash ? value : undefined;
}

/** What the builders make their groups in (GroupContext), for a build or an edit by key. */
export function groupContextOf(options: {
  memo: RecordMemo | undefined;
  articleInput: ((article: CompiledArticle) => string) | undefined;
  scratch: Scratch;
  storedManifest: Manifest | null;
  storedValue: GroupContext['storedValue'];
  keptUnedited: GroupContext['keptUnedited'];
  /** The memo keeps all it holds (RecordMemo.keepAll): derived values need not be kept one by one. */
  passesOver: boolean;
}): GroupContext {
  const { memo, articleInput, scratch } = options;
  // Every list an article appears in shows the same card: rendered once, parked until listed.
  const cards = new WeakMap<CompiledArticle, Parked>();
  /** What the memo holds for `kind` of the article `input` names, remembered again for the next publish. */
  const rememberedDerived = (kind: string, input: string): string | undefined => {
    if (!memo) return undefined;
    const fingerprint = memo.fingerprint([kind, input]);
    const known = memo.lookup(fingerprint);
    const value = derivedIn(known, kind);
    if (known && value !== undefined) memo.remember(fingerprint, known);
    return value;
  };
  const context: GroupContext = {
    storedManifest: options.storedManifest,
    parking: scratch,
    card(article) {
      let card = cards.get(article);
      if (card === undefined) {
        card = scratch.park(renderCard(toTeaser(article)));
        cards.set(article, card);
      }
      return scratch.unpark(card);
    },
    article(article) {
      if (!articleInput) throw new Error('article inputs are fingerprinted only with a memo');
      return articleInput(article);
    },
    derived(kind, article, compute) {
      if (!memo) return compute();
      const known = rememberedDerived(kind, context.article(article));
      if (known !== undefined) return known;
      const value = compute();
      memo.remember(memo.fingerprint([kind, context.article(article)]), [[kind, value]]);
      return value;
    },
    keepDerived(kind, article) {
      // Naming each article again would only hash 100,000 fingerprints for nothing.
      if (!memo || (options.passesOver && memo.keepAll)) return;
      if (memo.keep) memo.keep(memo.fingerprint([kind, context.article(article)]));
      else rememberedDerived(kind, context.article(article));
    },
    derivedOf(kind, input) {
      if (!memo) return undefined;
      return derivedIn(memo.lookup(memo.fingerprint([kind, input])), kind);
    },
    storedValue: options.storedValue,
    keptUnedited: options.keptUnedited,
  };
  return context;
}

export async function buildRecords(content: CompiledContent, options: BuildOptions): Promise<RecordSet> {
  const scratch = options.scratch ?? memoryScratch();
  const articles = scratch.stores();
  const indexes = scratch.stores();
  const kept = new Map<string, string>();
  const { memo, stored = new Map(), edited, groupIndex } = options;
  const site = siteInput(memo, content);
  const articleInput = options.articleInput ?? (memo && articleInputs(memo));
  const context = groupContextOf({
    memo,
    articleInput,
    scratch,
    storedManifest: options.previous,
    async storedValue(key, hash) {
      if (stored.get(key)?.hash !== hash || !options.readStored) return undefined;
      return valueWithHash(await options.readStored(key), hash);
    },
    keptUnedited,
    // An edit in place tells the memo to keep all it holds (keepAll below).
    passesOver: edited !== undefined,
  });
  // The hash of a kept or built value, by key (hashLookup).
  const hashOf = hashLookup(kept, articles, indexes);
  // A builder's state for its next update, remembered beside the output it belongs to (group-state.ts).
  const previousState = (name: string) => (memo ? rememberedState(memo, name, site) : undefined);
  /**
   * Remembers the group's state for the next publish's update (RecordGroup.state), with the keys it
   * produced, once the group is taken: made then and parked at once, not held to the end of the
   * build (the search index's names every article: 7 MB at 100,000 articles, through the search
   * builder, where a first publish peaks). A staged release's build leaves it alone: the next
   * publish updates the live index. One stateful group a builder.
   */
  const rememberGroupState = (name: string, group: RecordGroup, keys: readonly string[]) => {
    if (!memo || options.release || !group.state) return;
    rememberState(
      memo,
      name,
      site,
      group.state(),
      keys.map((key) => [key, hashOf(key) ?? ''] as const),
    );
  };
  const claim = (key: string) => {
    if (indexes.has(key) || articles.has(key) || kept.has(key))
      throw new Error(`two index builders produce ${key}`);
  };
  /** Claims a key kept as KV holds it, with its stored hash, held in one piece (flatString). */
  const keepStored = (key: string, hash: string) => {
    claim(key);
    kept.set(flatString(key), hash);
  };
  // The memo is told that this publish passes over groups: it must forget none of them.
  if (edited) memo?.keepAll?.();
  let keptAsStored = 0;
  /**
   * Keeps a placed group that lists no edited article as KV holds it, when KV holds each of its
   * keys; whether it did. (Run for 370,000 keys at 100,000 articles: no pair made per key.)
   */
  function keptUnedited(placed: Placement | undefined): boolean {
    if (!edited || !placed) return false;
    for (const article of placed.members) if (edited.has(article.id)) return false;
    const keys = placed.keys();
    for (const key of keys) if (stored.get(key)?.hash === undefined) return false;
    for (const key of keys) keepStored(key, stored.get(key)?.hash as string);
    keptAsStored += keys.length;
    return true;
  }
  // The groups are asked for here, after the counts are taken: a builder may keep groups as
  // stored while it cuts them (GroupContext.keptUnedited), and those count as its own.
  const take = async (name: string, groupsOf: () => Iterable<RecordGroup>, target: RecordStore) => {
    const builtBefore = target.size;
    const keptBefore = kept.size;
    for (const group of groupsOf()) {
      if (keptUnedited(group.placed)) continue;
      const fingerprint = memo && group.inputs && groupFingerprint(memo, name, site, group.inputs());
      const known = fingerprint
        ? (options.lookedUp?.get(fingerprint) ?? memo?.lookup(fingerprint))
        : undefined;
      if (fingerprint && known?.every(([key, hash]) => stored.get(key)?.hash === hash)) {
        for (const [key, hash] of known) keepStored(key, hash);
        memo?.remember(fingerprint, known);
        group.kept?.();
        const indexed = group.placed ?? group.indexed;
        if (indexed && groupIndex && !groupIndex.complete) await groupIndex.record(name, indexed);
        rememberGroupState(
          name,
          group,
          known.map(([key]) => key),
        );
        continue;
      }
      const previous = fingerprint && group.update ? previousState(name) : undefined;
      const attempt = previous && (await group.update?.(previous));
      // What an update keeps must still be stored as it was; anything else is built whole.
      const update = attempt?.unchanged.every(([key, hash]) => stored.get(key)?.hash === hash)
        ? attempt
        : undefined;
      const keys: string[] = [];
      for (const [key, value] of update ? update.built : group.build()) {
        claim(key);
        await target.add(key, value);
        keys.push(key);
      }
      if (update)
        for (const [key, hash] of update.unchanged) {
          keepStored(key, hash);
          keys.push(key);
        }
      const indexed = group.placed ?? group.indexed;
      if (indexed && groupIndex) await groupIndex.record(name, indexed);
      // Remembered as soon as built, each value's hash taken when it was stored: 100,000 groups'
      // keys held until the end were tens of MB of a first publish's peak.
      if (fingerprint)
        memo?.remember(
          fingerprint,
          keys.map((key) => [key, hashOf(key) ?? ''] as const),
        );
      rememberGroupState(name, group, keys);
    }
    options.builderDone?.(name, target.size - builtBefore, kept.size - keptBefore);
  };
  await take(ARTICLE_RECORDS.name, () => ARTICLE_RECORDS.groups(content, context), articles);
  for (const builder of INDEX_BUILDERS)
    await take(builder.name, () => builder.groups(content, context), indexes);
  const { changeLog } = options;
  const sum = await recordSum([kept, articles, indexes], hashOf, options.digest);
  const version = await contentVersion(content.site, changeLog.head, sum);
  const searchIndex = searchIndexLayout(content, options.previous, options.now);
  const manifest = buildManifest(content, { version, sum }, searchIndex, options);
  return {
    changes: changeLog.pages,
    articles,
    indexes,
    manifest: { key: manifestKey(), value: JSON.stringify(manifest), manifest },
    kept,
    lingering: lingeringSearchParts(stored.keys(), searchIndex, {
      now: options.now,
      release: options.release === true,
    }),
    ...(edited && { editedInPlace: { articles: edited.size, keptAsStored } }),
  };
}

/** The hash of a kept or built value, by key: what the memo remembers and the content version hashes. */
function hashLookup(
  kept: ReadonlyMap<string, string>,
  articles: RecordStore,
  indexes: RecordStore,
): (key: string) => string | undefined {
  return (key) => kept.get(key) ?? articles.hash(key) ?? indexes.hash(key);
}

function hostsOf(site: SiteConfig): string {
  return JSON.stringify([site.primary, site.mirrors, site.redirects, site.onion ?? null]);
}

function buildManifest(
  content: CompiledContent,
  { version, sum }: { version: string; sum: string },
  searchIndex: NonNullable<Manifest['searchIndex']>,
  options: BuildOptions,
): Manifest {
  const { previous, now } = options;
  const { site } = content;
  const stamp = isoSeconds(now);
  const publishedAt = previous && previous.version === version ? previous.publishedAt : stamp;
  const hostsChangedAt =
    previous && hostsOf(previous.site) === hostsOf(site) ? previous.hostsChangedAt : stamp;
  return {
    format: 1,
    version,
    recordSum: sum,
    publishedAt,
    hostsChangedAt,
    site,
    sections: manifestSections(content),
    changes: { head: options.changeLog.head },
    ...(options.mirrorList && { mirrorList: options.mirrorList }),
    ...imageOriginsOf(content),
    searchIndex,
  };
}

/** The origins of images given as URLs, for the pages' CSP; absent when every image is the site's own. */
function imageOriginsOf(content: CompiledContent): { imageOrigins?: string[] } {
  const origins = new Set<string>();
  for (const article of content.articles) {
    const src = imageSourceOf(article);
    if (src !== undefined && isImageUrl(src)) origins.add(new URL(src).origin);
  }
  return origins.size > 0 ? { imageOrigins: [...origins].sort() } : {};
}
