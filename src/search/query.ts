// Answers a search from the stored index: the articles that contain every word of the query,
// best first. Pure apart from the shard reader it is given, so it runs the same in the worker
// and in the benchmark.
import {
  decodePostings,
  overlaidPostings,
  type PostingList,
  type SearchShard,
  type SearchShardPart,
  shardOf,
  termRarity,
} from './index-format';
import { tokenize } from './text';

/** The stored index a search reads: how many shards it has (the manifest's count), and a reader of one part. */
export interface StoredSearchIndex {
  shards: number;
  read: (shard: number, part: SearchShardPart) => Promise<SearchShard | null>;
}

/** Longest query accepted, in characters: a sentence, not a document. */
export const MAX_QUERY_LENGTH = 200;
/** Words of a query that are searched for; later ones are ignored (each costs a shard read). */
export const MAX_QUERY_TERMS = 8;
export const RESULTS_PER_PAGE = 10;
/** Results pages offered at most: nobody reads the thousandth result, and each page costs its rank. */
export const MAX_RESULT_PAGES = 100;

export interface SearchHit {
  id: number;
  score: number;
}

export interface SearchAnswer {
  /** Articles containing every term. */
  total: number;
  /** The best `limit` of them, best first. */
  hits: SearchHit[];
}

/** The distinct terms of a query, in order, at most MAX_QUERY_TERMS. */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
}

/** Better first: higher score, then the newer article (ids grow with time). */
const better = (a: SearchHit, b: SearchHit) => b.score - a.score || b.id - a.id;

/** The best `limit` of `count` candidates, best first, without sorting them all. */
function best(ids: Float64Array, scores: Float64Array, count: number, limit: number): SearchHit[] {
  const kept: SearchHit[] = [];
  for (let i = 0; i < count; i++) {
    const hit = { id: ids[i] ?? 0, score: scores[i] ?? 0 };
    const worst = kept[kept.length - 1];
    if (kept.length >= limit && worst && better(hit, worst) >= 0) continue;
    // Binary insertion into the kept list, which stays sorted and at most `limit` long.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (better(kept[mid] as SearchHit, hit) <= 0) low = mid + 1;
      else high = mid;
    }
    kept.splice(low, 0, hit);
    if (kept.length > limit) kept.pop();
  }
  return kept;
}

/**
 * The articles containing all `terms`: how many, and the best `limit` by score (the sum over the
 * terms of rarity × weight), ties newest first. Two reads per distinct shard (its settled and
 * fresh parts), all at once;
 * the lists are intersected by merging, shortest first.
 */
export async function search(
  terms: readonly string[],
  index: StoredSearchIndex,
  limit: number,
): Promise<SearchAnswer> {
  const none = { total: 0, hits: [] };
  if (terms.length === 0) return none;
  const shardOfTerm = (term: string) => shardOf(term, index.shards);
  const shardIds = [...new Set(terms.map(shardOfTerm))];
  const read = (id: number) => Promise.all([index.read(id, 'settled'), index.read(id, 'fresh')]);
  const shards = new Map(await Promise.all(shardIds.map(async (id) => [id, await read(id)] as const)));
  const lists: PostingList[] = [];
  for (const term of terms) {
    const [settled, fresh] = shards.get(shardOfTerm(term)) ?? [null, null];
    const list = overlaidPostings(decodePostings(settled?.terms[term]), decodePostings(fresh?.terms[term]));
    if (list.ids.length === 0) return none;
    lists.push(list);
  }
  lists.sort((a, b) => a.ids.length - b.ids.length);
  const [shortest, ...rest] = lists;
  if (!shortest) return none;
  const ids = shortest.ids.slice();
  const scores = new Float64Array(ids.length);
  const rarity = termRarity(shortest.ids.length);
  for (let i = 0; i < ids.length; i++) scores[i] = rarity * (shortest.weights[i] ?? 0);
  let count = ids.length;
  for (const list of rest) {
    const listRarity = termRarity(list.ids.length);
    let kept = 0;
    let j = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i] ?? 0;
      while (j < list.ids.length && (list.ids[j] ?? 0) < id) j++;
      if (j === list.ids.length) break;
      if (list.ids[j] !== id) continue;
      ids[kept] = id;
      scores[kept++] = (scores[i] ?? 0) + listRarity * (list.weights[j] ?? 0);
    }
    count = kept;
    if (count === 0) return none;
  }
  return { total: count, hits: best(ids, scores, count, limit) };
}
