// The search index builder (publish time only): every published article's words, weighted by
// field, as posting lists in searchShardCount shards, each cut into a settled and a fresh part
// (search/index-format.ts). An article's postings depend only on the article, so a new article
// rewrites only the fresh parts of its words' shards, and so does an edit of an older one (its
// changed postings laid over its settled ones, rewriteParts).

import type { CompiledContent } from '../../content/compile';
import {
  decodePostings,
  encodePostingColumns,
  type Posting,
  type SearchShard,
  searchCut,
  searchShardCount,
  shardOf,
  termWeight,
} from '../../search/index-format';
import { htmlToText, tokenize } from '../../search/text';
import { isoSeconds } from '../../shared/iso-time';
import { runPool } from '../../shared/run-pool';
import { SETTLING_WINDOW_SECONDS } from '../../storage/consistency';
import { SEARCH_KEY_PREFIX, searchLayoutPrefix, searchShardKey } from '../../storage/keys';
import type { Manifest } from '../../storage/records';
import { authorNames } from '../../taxonomy/terms';
import { memoryScratch, type Parked, type Parking } from '../record-store';
import type { GroupContext, GroupUpdate, RecordGroup, Records } from './index-builder';

/** A word in the headline counts three times one in the body; the summary, tags and bylines between. */
const FIELD_WEIGHTS = { title: 3, summary: 2, tags: 2, authors: 1, body: 1 } as const;

type CompiledArticle = CompiledContent['articles'][number];

function fieldsOf(article: CompiledArticle): [string, number][] {
  return [
    [article.title, FIELD_WEIGHTS.title],
    [article.summary, FIELD_WEIGHTS.summary],
    [article.tags.join(' '), FIELD_WEIGHTS.tags],
    [authorNames(article).join(' '), FIELD_WEIGHTS.authors],
    [htmlToText(article.bodyHtml), FIELD_WEIGHTS.body],
  ];
}

/** An article's terms with their weights, in the order first met. */
export function articleTerms(article: CompiledArticle): [term: string, weight: number][] {
  const counts = new Map<string, number>();
  let length = 0;
  for (const [text, weight] of fieldsOf(article)) {
    for (const term of tokenize(text)) {
      counts.set(term, (counts.get(term) ?? 0) + weight);
      length++;
    }
  }
  return [...counts].map(([term, tf]) => [term, termWeight(tf, length)]);
}

export type Terms = readonly (readonly [term: string, weight: number])[];

/** Where an index is divided: into `shards` by term, each cut in two at article id `cut`. */
export interface Layout {
  shards: number;
  cut: number;
}

function layoutOf(content: CompiledContent, storedManifest: Manifest | null): Layout {
  // A loop, not Math.max(...ids): an archive's ids are more arguments than a call can take.
  let highest = 0;
  for (const article of content.articles) highest = Math.max(highest, article.id);
  const shards = searchShardCount(content.articles.length, storedManifest?.searchIndex?.shards);
  return { shards, cut: searchCut(highest) };
}

type StoredLayout = NonNullable<Manifest['searchIndex']>;

/** The manifest's `searchIndex`: this publish's shard count, and since when the index has had it. */
export function searchIndexLayout(
  content: CompiledContent,
  storedManifest: Manifest | null,
  now: Date,
): StoredLayout {
  const { shards } = layoutOf(content, storedManifest);
  const before = storedManifest?.searchIndex;
  return { shards, since: before?.shards === shards ? before.since : isoSeconds(now) };
}

/**
 * Stored parts of other layouts (another count, or keys from before the count was keyed) that an
 * isolate may still read: one holding a manifest from before the layout changed reads the parts
 * that manifest names. They stay until the settling window after the change has passed (from
 * `since`, which the cron sets to when it applied a release that changed the layout), and the
 * first live publish after it deletes them. A staged release never does: when it is applied is
 * not known when it is planned, and a cron catching up applies several releases seconds apart.
 */
export function lingeringSearchParts(
  stored: Iterable<string>,
  layout: StoredLayout,
  { now, release }: { now: Date; release: boolean },
): Set<string> {
  const lingering = new Set<string>();
  const since = Date.parse(layout.since);
  const settled = now.getTime() - since >= SETTLING_WINDOW_SECONDS * 1000;
  if (!release && (settled || Number.isNaN(since))) return lingering;
  const current = searchLayoutPrefix(layout.shards);
  for (const key of stored)
    if (key.startsWith(SEARCH_KEY_PREFIX) && !key.startsWith(current)) lingering.add(key);
  return lingering;
}

/**
 * The fresh part of a term's shard: where an update writes every changed posting. An article from
 * the cut on has its postings there; an older one, edited since the cut last moved, has there
 * those whose weight changed, over its settled ones (overlaidPostings), so that an edit of an old
 * article rewrites a few small parts, not the settled lists of its common words, which grow with
 * the archive. The next move of the cut builds the index whole, and the settled parts take them.
 */
function freshPartKey(term: string, { shards }: Layout): string {
  return searchShardKey(shards, shardOf(term, shards), 'fresh');
}

/** A part's terms as build writes them: each term's postings, terms in sorted order. */
function partValue(terms: ReadonlyMap<string, string>): string {
  const ordered: SearchShard['terms'] = {};
  for (const term of [...terms.keys()].sort()) ordered[term] = terms.get(term) ?? '';
  return JSON.stringify({ terms: ordered } satisfies SearchShard);
}

/**
 * About how many articles' postings one batch of shards holds while the index is built: bounded at
 * any archive size rather than growing with it (at 100,000 articles every posting at once was the
 * publish's peak). Held in typed columns (batchParts): 13 bytes a posting, and 9 more once in term
 * order.
 */
const ARTICLES_PER_BATCH = 2_500;

/**
 * Postings text parked at a time while they wait for their batch. Under V8's large-object size
 * (128 KB): larger texts, each joined and each read back, were garbage that needed full collections
 * (in a script, 20,000 texts of 256 K characters read back and joined took 7; the same characters
 * in 320,000 texts of 16 K, none), and the whole index's postings passed through them.
 */
const PARKED_CHUNK_CHARS = 1 << 14;

/** How the index is built: see searchIndexParts. */
export interface SearchBuildOptions {
  termsOf?: (article: CompiledArticle) => Terms;
  /** The manifest KV holds: the index keeps its shard count unless the archive outgrew it. */
  storedManifest?: Manifest | null;
  parking?: Parking;
  articlesPerBatch?: number;
  /** Postings text parked at a time (the last of a batch's is parked before the batch is built). */
  chunkChars?: number;
}

/** The index of every published article whole (searchIndexParts gathered: the tests and the search bench read it so). */
export function buildSearchIndex(content: CompiledContent, options: SearchBuildOptions = {}): Records {
  return new Map(searchIndexParts(content, options));
}

/**
 * The index of every published article, part by part. `termsOf` gives an article's terms
 * (articleTerms): the publish remembers them between runs, so an unchanged article is not
 * tokenized again. The shards are built a batch at a time: each article's terms are read once, and
 * the postings of each batch wait, as text, where `parking` puts them (on disk for the publish
 * command) until their batch is built. A part depends on its shard's terms alone, so the parts are
 * those of one pass. The parts come one at a time, in key order, each read back from where it was
 * parked as it was built: the publish stores each before the next is read. Gathered whole, every
 * part's value was held at once at the end of the build, where a first publish's resident set
 * peaked.
 */
export function* searchIndexParts(
  content: CompiledContent,
  {
    termsOf = articleTerms,
    storedManifest = null,
    parking = memoryScratch(),
    articlesPerBatch = ARTICLES_PER_BATCH,
    chunkChars = PARKED_CHUNK_CHARS,
  }: SearchBuildOptions = {},
): Generator<[key: string, value: string]> {
  const layout = layoutOf(content, storedManifest);
  const batches = Math.min(layout.shards, Math.ceil(content.articles.length / articlesPerBatch));
  const batchOf = (shard: number) => Math.floor((shard * batches) / layout.shards);
  // Each batch's postings as lines of JSON, one an article ([id, term, weight, term, weight, …]):
  // those not parked yet, and the places of those that are.
  const pending = Array.from({ length: batches }, () => ({
    lines: [] as string[],
    chars: 0,
    parked: [] as Parked[],
    postings: 0,
  }));
  const park = (batch: (typeof pending)[number]) => {
    if (batch.lines.length === 0) return;
    batch.parked.push(parking.park(batch.lines.join('\n')));
    batch.lines = [];
    batch.chars = 0;
  };
  // Ascending ids, so each term's postings come out sorted, as encodePostingColumns needs.
  const articles = [...content.articles].sort((a, b) => a.id - b.id);
  for (const article of articles) {
    const byBatch = new Map<number, (string | number)[]>();
    for (const [term, weight] of termsOf(article)) {
      const batch = batchOf(shardOf(term, layout.shards));
      let line = byBatch.get(batch);
      if (!line) {
        line = [article.id];
        byBatch.set(batch, line);
      }
      line.push(term, weight);
    }
    for (const [index, line] of byBatch) {
      const batch = pending[index];
      if (!batch) continue;
      const text = JSON.stringify(line);
      batch.postings += (line.length - 1) / 2;
      batch.lines.push(text);
      batch.chars += text.length;
      if (batch.chars >= chunkChars) park(batch);
    }
  }
  // Each part's value waits parked until every batch is built, so that the parts come in key order
  // (a plan lists them so, whichever way the index was built) without the whole index in memory.
  const parts = new Map<string, Parked>();
  for (const batch of pending) {
    park(batch);
    for (const [key, terms] of batchParts(batch.parked, batch.postings, parking, layout))
      parts.set(key, parking.park(partValue(terms)));
  }
  for (const key of [...parts.keys()].sort()) yield [key, parking.unpark(parts.get(key) as Parked)];
}

/**
 * The parts of one batch of shards, from its parked postings (`postings` of them): part key → term
 * → encoded postings. The postings are read into three typed columns and put in term order by a
 * counting sort, which keeps each term's ids ascending as the lines gave them. A list of numbers per
 * term lived through the whole batch and became garbage together after it: at 100,000 articles the
 * batches' lists grew the heap by about 200 MB before a collection, the first publish's peak.
 */
function batchParts(
  chunks: readonly Parked[],
  postings: number,
  parking: Parking,
  layout: Layout,
): Map<string, Map<string, string>> {
  const numberOf = new Map<string, number>();
  const terms: string[] = [];
  const termOf = new Uint32Array(postings);
  const ids = new Float64Array(postings);
  const weights = new Uint8Array(postings);
  let count = 0;
  for (const chunk of chunks) {
    for (const text of parking.unpark(chunk).split('\n')) {
      const [id, ...pairs] = JSON.parse(text) as [number, ...(string | number)[]];
      for (let i = 0; i < pairs.length; i += 2) {
        const term = pairs[i] as string;
        let number = numberOf.get(term);
        if (number === undefined) {
          number = terms.push(term) - 1;
          numberOf.set(term, number);
        }
        termOf[count] = number;
        ids[count] = id;
        weights[count] = pairs[i + 1] as number;
        count++;
      }
    }
  }
  if (count !== postings)
    throw new Error(`a batch of the search index read ${count} postings of ${postings}`);
  // Where each term's postings start once in term order (starts[n] to starts[n + 1]).
  const starts = new Uint32Array(terms.length + 1);
  for (let i = 0; i < count; i++) {
    const after = (termOf[i] as number) + 1;
    starts[after] = (starts[after] as number) + 1;
  }
  for (let n = 0; n < terms.length; n++) starts[n + 1] = (starts[n + 1] as number) + (starts[n] as number);
  const next = starts.slice(0, terms.length);
  const sortedIds = new Float64Array(count);
  const sortedWeights = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const number = termOf[i] as number;
    const at = next[number] as number;
    next[number] = at + 1;
    sortedIds[at] = ids[i] as number;
    sortedWeights[at] = weights[i] as number;
  }
  const parts = new Map<string, Map<string, string>>();
  const add = (key: string, term: string, from: number, to: number) => {
    if (from === to) return;
    let inPart = parts.get(key);
    if (!inPart) {
      inPart = new Map();
      parts.set(key, inPart);
    }
    inPart.set(term, encodePostingColumns(sortedIds, sortedWeights, from, to));
  };
  for (const term of [...terms].sort()) {
    const number = numberOf.get(term) as number;
    const from = starts[number] as number;
    const to = starts[number + 1] as number;
    // Ids are ascending: everything from the first id at or past the cut is fresh.
    let split = from;
    while (split < to && (sortedIds[split] as number) < layout.cut) split++;
    const shard = shardOf(term, layout.shards);
    add(searchShardKey(layout.shards, shard, 'settled'), term, from, split);
    add(searchShardKey(layout.shards, shard, 'fresh'), term, split, to);
  }
  return parts;
}

/** The search index's builder, by name (index-builder.ts registers it). */
export const SEARCH_BUILDER = 'search';

/**
 * The parts an edit by key rewrites, and the stored ones it keeps: the edited articles' terms as
 * published (remembered for `before`, each one's input then) and as they are now, merged into the
 * parts KV holds as the last publish left them. `previous` is what that publish remembered of the
 * index (group-state.ts rememberedHead): its layout, and its parts' keys and hashes. Undefined when
 * that layout does not have the manifest's `shards`, or a term list or a part is not as remembered:
 * the publish of the whole archive updates the index then.
 */
export async function searchPartsByKey(
  edited: readonly { before: string; now: CompiledArticle }[],
  previous: { head: string; output: readonly (readonly [string, string])[] },
  context: Pick<GroupContext, 'derived' | 'derivedOf' | 'storedValue'>,
  shards: number | undefined,
): Promise<GroupUpdate | undefined> {
  const layout = JSON.parse(previous.head) as Layout;
  if (layout.shards !== shards) return undefined;
  // Parts remembered under other keys (from before the count was keyed) are not this layout's.
  const prefix = searchLayoutPrefix(layout.shards);
  if (previous.output.some(([key]) => !key.startsWith(prefix))) return undefined;
  const changed = new Map<number, { old: Terms; new: Terms }>();
  for (const { before, now } of edited) {
    const old = context.derivedOf('search-terms', before);
    if (old === undefined) return undefined;
    const terms = context.derived('search-terms', now, () => JSON.stringify(articleTerms(now)));
    changed.set(now.id, { old: JSON.parse(old), new: JSON.parse(terms) });
  }
  return rewriteParts(changed, layout, previous.output, context.storedValue);
}

/** Past this many changed articles, reading the parts they touch costs more than building the index. */
const MAX_UPDATED_ARTICLES = 500;

/** Stored parts read at once by an update. */
const PARALLEL_READS = 16;

/**
 * What the next publish needs to update the index, in pieces (RecordGroup.state): its layout, then
 * what named each article (`[id, input]`), STATE_ARTICLES a piece.
 */
type SearchStatePieces = [layout: string, ...articles: string[]];

/** Articles named in a piece of the index's state (a test may name fewer): about 300 KB of text. */
const STATE_ARTICLES = 4096;

/**
 * The search index as one group: kept whole when no article changed; otherwise updated in place
 * from the parts KV holds, rewriting only the fresh parts of the terms the changed articles gained,
 * lost or weigh anew (rewriteParts); or built whole when the layout changed (the cut moved, or the
 * archive's size changed the shard count).
 */
export function searchIndexGroups(
  content: CompiledContent,
  context: GroupContext,
  { stateArticles = STATE_ARTICLES }: { stateArticles?: number } = {},
): RecordGroup[] {
  if (!(stateArticles >= 1))
    throw new Error(`a piece of the search state names at least one article, not ${stateArticles}`);
  const termsOf = (article: CompiledArticle): Terms =>
    JSON.parse(context.derived('search-terms', article, () => JSON.stringify(articleTerms(article))));
  const layout = layoutOf(content, context.storedManifest);
  return [
    {
      // The count depends on the stored manifest's too (searchShardCount), so the inputs name it.
      inputs: () => [
        `shards ${layout.shards}`,
        ...content.articles.map((article) => context.article(article)),
      ],
      build: () =>
        searchIndexParts(content, {
          termsOf,
          storedManifest: context.storedManifest,
          parking: context.parking,
        }),
      kept: () => {
        for (const article of content.articles) context.keepDerived('search-terms', article);
      },
      state: function* () {
        yield JSON.stringify(layout);
        for (let start = 0; start < content.articles.length; start += stateArticles)
          yield JSON.stringify(
            content.articles
              .slice(start, start + stateArticles)
              .map((article) => [article.id, context.article(article)]),
          );
      },
      update: (previous) => updateSearchIndex(content, context, termsOf, layout, previous),
    },
  ];
}

async function updateSearchIndex(
  content: CompiledContent,
  context: GroupContext,
  termsOf: (article: CompiledArticle) => Terms,
  layout: Layout,
  previous: { state: readonly string[]; output: readonly (readonly [string, string])[] },
): Promise<GroupUpdate | undefined> {
  const [stateLayout, ...articlePieces] = previous.state as SearchStatePieces;
  const state = JSON.parse(stateLayout) as Layout;
  // A moved cut moves postings between every shard's two parts; another count moves every term.
  if (state.cut !== layout.cut || state.shards !== layout.shards) return undefined;
  // Parts remembered under other keys (from before the count was keyed) are not this layout's.
  const prefix = searchLayoutPrefix(layout.shards);
  if (previous.output.some(([key]) => !key.startsWith(prefix))) return undefined;
  const before = new Map<number, string>();
  for (const piece of articlePieces)
    for (const [id, input] of JSON.parse(piece) as [number, string][]) before.set(id, input);
  const live = new Map(content.articles.map((article) => [article.id, article]));
  const changed = new Map<number, { old: Terms; new: Terms }>();
  for (const [id, input] of before) {
    const article = live.get(id);
    if (article && context.article(article) === input) continue;
    const old = context.derivedOf('search-terms', input);
    if (old === undefined) return undefined;
    changed.set(id, { old: JSON.parse(old), new: [] });
    if (changed.size > MAX_UPDATED_ARTICLES) return undefined;
  }
  for (const article of content.articles) {
    const entry = changed.get(article.id) ?? (before.has(article.id) ? undefined : { old: [], new: [] });
    if (!entry) continue;
    entry.new = termsOf(article);
    changed.set(article.id, entry);
    if (changed.size > MAX_UPDATED_ARTICLES) return undefined;
  }
  const update = await rewriteParts(changed, layout, previous.output, context.storedValue);
  if (!update) return undefined;
  for (const article of content.articles)
    if (!changed.has(article.id)) context.keepDerived('search-terms', article);
  return update;
}

/** Each changed article's terms before and after (none before: new; none after: gone). */
export type ChangedTerms = ReadonlyMap<number, { old: Terms; new: Terms }>;

/**
 * The fresh parts the changed articles' changed terms touch (freshPartKey), rewritten from what
 * KV holds (`output`: the stored parts' keys and hashes, `storedValue` reads one with its hash),
 * and the stored parts kept as they are. Undefined when a stored part cannot be read as it was
 * stored: the index is built whole.
 */
export async function rewriteParts(
  changed: ChangedTerms,
  layout: Layout,
  output: readonly (readonly [string, string])[],
  storedValue: GroupContext['storedValue'],
): Promise<GroupUpdate | undefined> {
  // The terms to rewrite in each fresh part, and each term's postings to lay in: for every changed
  // article that gained it, lost it or weighs it anew, its weight now, or 0 for an older article
  // that lost it (its settled posting is withdrawn so). An edit's other terms keep their postings.
  const touched = new Map<string, Set<string>>();
  const postings = new Map<string, Posting[]>();
  for (const [id, terms] of changed) {
    const before = new Map(terms.old);
    const after = new Map(terms.new);
    for (const term of new Set([...before.keys(), ...after.keys()])) {
      const weight = after.get(term);
      if (before.get(term) === weight) continue;
      const key = freshPartKey(term, layout);
      const inPart = touched.get(key) ?? new Set();
      inPart.add(term);
      touched.set(key, inPart);
      const list = postings.get(term) ?? [];
      list.push({ id, weight: weight ?? 0 });
      postings.set(term, list);
    }
  }
  const stored = new Map(output);
  const unchanged = output.filter(([key]) => !touched.has(key));
  // In key order, as build gives them.
  const parts = [...touched].sort(([a], [b]) => (a < b ? -1 : 1));
  // The stored parts, a few reads at a time: one after another, a remote publish would wait on each.
  const values = new Map<string, string | undefined>();
  const keys = parts.map(([key]) => key).filter((key) => stored.has(key));
  await runPool(keys, PARALLEL_READS, async (key) => {
    values.set(key, await storedValue(key, stored.get(key) ?? ''));
  });
  const built: Records = new Map();
  for (const [key, inPart] of parts) {
    let terms = new Map<string, string>();
    if (stored.has(key)) {
      const value = values.get(key);
      if (value === undefined) return undefined;
      terms = new Map(Object.entries((JSON.parse(value) as SearchShard).terms));
    }
    for (const term of inPart) {
      // The term's changed postings, merged by id into the list's others. A 0 is kept for an older
      // article alone: one from the cut on has no settled posting to withdraw.
      const laid = (postings.get(term) ?? [])
        .filter((posting) => posting.weight > 0 || posting.id < layout.cut)
        .sort((a, b) => a.id - b.id);
      const replaced = new Set((postings.get(term) ?? []).map((posting) => posting.id));
      const { ids, weights } = decodePostings(terms.get(term));
      const mergedIds = new Float64Array(ids.length + laid.length);
      const mergedWeights = new Uint8Array(mergedIds.length);
      let count = 0;
      let next = 0;
      const take = (id: number, weight: number) => {
        mergedIds[count] = id;
        mergedWeights[count++] = weight;
      };
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] ?? 0;
        for (let posting = laid[next]; posting && posting.id < id; posting = laid[++next])
          take(posting.id, posting.weight);
        if (!replaced.has(id)) take(id, weights[i] ?? 0);
      }
      for (let posting = laid[next]; posting; posting = laid[++next]) take(posting.id, posting.weight);
      if (count > 0) terms.set(term, encodePostingColumns(mergedIds, mergedWeights, 0, count));
      else terms.delete(term);
    }
    if (terms.size > 0) built.set(key, partValue(terms));
  }
  return { built, unchanged };
}
