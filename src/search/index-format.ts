// The search index as stored in KV, shared by the publish-time builder and the worker: posting
// lists (article id, weight) per term, hashed into a number of shards that grows with the archive
// so a query term costs one read, and weights that depend only on their own article, so a publish
// rewrites only the shards of the terms its new or edited articles contain.
import * as z from 'zod/mini';

/**
 * The most shards, reached at 32,769 articles. A manifest that names no layout had this many:
 * every archive did before the count followed the archive's size.
 */
export const SEARCH_SHARDS_MAX = 1024;

/** The fewest shards: a query word still reads only a sixteenth of a small archive's index. */
const SEARCH_SHARDS_MIN = 16;

/** About as many articles' postings as one shard holds (under SEARCH_SHARDS_MAX). */
const ARTICLES_PER_SHARD = 64;

/**
 * The shard count for an archive of `articles`, given the count its index has now (`current`, if
 * any): a power of two, so a shard holds the postings of up to ARTICLES_PER_SHARD articles (a fixed
 * 1,024 made a small outlet write 2,048 parts of a few terms each). Each change of the count moves
 * every term, one full rewrite of the index, so the count doubles as the archive grows but falls
 * back to the size the archive needs only once the archive is down to a quarter of what the count
 * holds: an archive of about 1,024 articles that gains and loses a few does not move its index back
 * and forth.
 */
export function searchShardCount(articles: number, current?: number): number {
  let shards = SEARCH_SHARDS_MIN;
  while (shards < SEARCH_SHARDS_MAX && shards * ARTICLES_PER_SHARD < articles) shards *= 2;
  const valid = current !== undefined && current >= shards && current <= SEARCH_SHARDS_MAX;
  const isPowerOfTwo = current !== undefined && (current & (current - 1)) === 0;
  return valid && isPowerOfTwo && current < shards * 4 ? current : shards;
}

/**
 * Where a shard is cut in two: articles with an id below the highest multiple of this at or under
 * the newest id are `settled`, the rest `fresh`. A new article (the highest id) rewrites only the
 * small fresh parts of its words' shards; the settled parts move once every SEARCH_CUT_IDS ids.
 */
export const SEARCH_CUT_IDS = 2048;

export function searchCut(highestId: number): number {
  return Math.floor(highestId / SEARCH_CUT_IDS) * SEARCH_CUT_IDS;
}

export type SearchShardPart = 'settled' | 'fresh';

/** One shard: each term's postings as encodePostingColumns writes them. */
export const searchShardSchema = z.object({ terms: z.record(z.string(), z.string()) });
export type SearchShard = z.output<typeof searchShardSchema>;

/** FNV-1a over the term's UTF-16 code units, modulo `shards`: stable, fast, and spreads terms evenly. */
export function shardOf(term: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    hash ^= term.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export interface Posting {
  id: number;
  /**
   * The term's weight in the article (termWeight), 1–255; 0 only in a fresh part, for an
   * older article that no longer has the term (overlaidPostings).
   */
  weight: number;
}

/**
 * Postings held as two lists (ids ascending, and each one's weight at the same index), from `from`
 * up to `to`, written as base-36 `idDelta,weight` pairs: about 5 bytes each. No object per posting.
 */
export function encodePostingColumns(
  ids: ArrayLike<number>,
  weights: ArrayLike<number>,
  from = 0,
  to = ids.length,
): string {
  // Concatenated a few kilobytes at a time, the pieces joined once: joining an array of two strings
  // a posting took five times as long for a list of 100,000, and `+=` alone would leave a string of
  // as many pieces as postings until it is read.
  const chunks: string[] = [];
  let chunk = '';
  let previous = 0;
  for (let i = from; i < to; i++) {
    const id = ids[i] ?? 0;
    chunk += `${i === from ? '' : ','}${(id - previous).toString(36)},${(weights[i] ?? 0).toString(36)}`;
    previous = id;
    if (chunk.length >= ENCODED_CHUNK) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  chunks.push(chunk);
  return chunks.join('');
}

/** About how many characters of postings encodePostingColumns concatenates before starting anew. */
const ENCODED_CHUNK = 4096;

/** Decoded postings: ids ascending, and each one's weight at the same index. */
export interface PostingList {
  ids: Float64Array;
  weights: Uint8Array;
}

const COMMA = 44;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const LETTER_A = 97;

/**
 * The inverse of encodePostingColumns, by one pass over the characters: several times faster than
 * split and parseInt on a list of 100,000 postings, which the commonest words reach.
 */
export function decodePostings(encoded: string | undefined): PostingList {
  if (encoded === undefined) return { ids: new Float64Array(0), weights: new Uint8Array(0) };
  // Each posting is at least four characters ("1,1,"), so this bounds the count from above.
  const capacity = Math.ceil((encoded.length + 1) / 4);
  const ids = new Float64Array(capacity);
  const weights = new Uint8Array(capacity);
  let count = 0;
  let id = 0;
  let value = 0;
  let isWeight = false;
  for (let i = 0; i <= encoded.length; i++) {
    const ch = i < encoded.length ? encoded.charCodeAt(i) : COMMA;
    if (ch !== COMMA) {
      value = value * 36 + (ch <= DIGIT_9 ? ch - DIGIT_0 : ch - LETTER_A + 10);
      continue;
    }
    if (isWeight) weights[count++] = value;
    else {
      id += value;
      ids[count] = id;
    }
    isWeight = !isWeight;
    value = 0;
  }
  return { ids: ids.subarray(0, count), weights: weights.subarray(0, count) };
}

/**
 * A term's postings as a query reads them: the settled part's list with the fresh part's laid over
 * it. The fresh list holds the articles from the cut on, and also each older article edited since
 * the cut last moved whose weight for the term changed (search-index.ts rewriteParts): its posting
 * there replaces its settled one, and a weight of 0 says the article no longer has the term.
 */
export function overlaidPostings(settled: PostingList, fresh: PostingList): PostingList {
  const freshCount = fresh.ids.length;
  const settledCount = settled.ids.length;
  if (freshCount === 0) return settled;
  // The common case, nothing amended: the fresh ids all above the settled ones, none withdrawn.
  const amended =
    fresh.weights.includes(0) ||
    (settledCount > 0 && (fresh.ids[0] as number) <= (settled.ids[settledCount - 1] as number));
  if (!amended && settledCount === 0) return fresh;
  if (!amended) {
    const ids = new Float64Array(settledCount + freshCount);
    ids.set(settled.ids);
    ids.set(fresh.ids, settledCount);
    const weights = new Uint8Array(ids.length);
    weights.set(settled.weights);
    weights.set(fresh.weights, settledCount);
    return { ids, weights };
  }
  const ids = new Float64Array(settledCount + freshCount);
  const weights = new Uint8Array(ids.length);
  let count = 0;
  let i = 0;
  let j = 0;
  while (i < settledCount || j < freshCount) {
    const settledId = i < settledCount ? (settled.ids[i] as number) : Number.POSITIVE_INFINITY;
    const freshId = j < freshCount ? (fresh.ids[j] as number) : Number.POSITIVE_INFINITY;
    if (settledId < freshId) {
      ids[count] = settledId;
      weights[count++] = settled.weights[i++] as number;
      continue;
    }
    // The fresh posting stands for its article, over a settled one of the same id.
    if (settledId === freshId) i++;
    const weight = fresh.weights[j++] as number;
    if (weight === 0) continue;
    ids[count] = freshId;
    weights[count++] = weight;
  }
  return { ids: ids.subarray(0, count), weights: weights.subarray(0, count) };
}

/**
 * BM25's term-frequency part with a fixed average length, scaled to 1–255: an article's weights
 * never depend on the rest of the archive, so adding an article leaves other articles' postings
 * as they were. `tf` is already weighted by field (title counts more than body).
 */
export function termWeight(tf: number, length: number): number {
  const K1 = 1.2;
  const B = 0.75;
  const AVERAGE_LENGTH = 400;
  const w = (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / AVERAGE_LENGTH));
  return Math.max(1, Math.min(255, Math.round(w * 100)));
}

/**
 * How much a term's match counts, from how many articles have it: the rarer, the more. BM25's
 * inverse document frequency against a fixed archive size, for the same reason as termWeight.
 */
export function termRarity(df: number): number {
  const ARCHIVE = 100_000;
  return Math.log(1 + (ARCHIVE - Math.min(df, ARCHIVE) + 0.5) / (df + 0.5));
}
