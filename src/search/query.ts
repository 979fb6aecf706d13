// Answers a search from the stored index: the articles that contain every word of the query,
// best first. Pure apart from the shard reader it is given, so it runs the same in the worker
// and in the benchmark.
import { decodePostings, type SearchShard, shardOf, termRarity } from './index-format';
import { tokenize } from './text';

/** Longest query accepted, in characters: a sentence, not a document. */
export const MAX_QUERY_LENGTH = 200;
/** Words of a query that are searched for; later ones are ignored (each costs a shard read). */
export const MAX_QUERY_TERMS = 8;
export const RESULTS_PER_PAGE = 10;

export interface SearchHit {
  id: number;
  score: number;
}

/** The distinct terms of a query, in order, at most MAX_QUERY_TERMS. */
export function queryTerms(query: string): string[] {
  return [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
}

/**
 * Every article containing all `terms`, by score (the sum over terms of rarity × weight), ties
 * newest first (ids grow with time). One shard read per distinct shard, all at once.
 */
export async function search(
  terms: readonly string[],
  readShard: (shard: number) => Promise<SearchShard | null>,
): Promise<SearchHit[]> {
  if (terms.length === 0) return [];
  const shardIds = [...new Set(terms.map(shardOf))];
  const shards = new Map(await Promise.all(shardIds.map(async (id) => [id, await readShard(id)] as const)));
  const lists = terms.map((term) => {
    const encoded = shards.get(shardOf(term))?.terms[term];
    return encoded === undefined ? [] : decodePostings(encoded);
  });
  // Shortest list first: the intersection can only shrink from there.
  lists.sort((a, b) => a.length - b.length);
  const [shortest, ...rest] = lists;
  if (!shortest || shortest.length === 0) return [];
  let scores = new Map<number, number>();
  const rarity = termRarity(shortest.length);
  for (const posting of shortest) scores.set(posting.id, rarity * posting.weight);
  for (const list of rest) {
    const listRarity = termRarity(list.length);
    const next = new Map<number, number>();
    for (const posting of list) {
      const score = scores.get(posting.id);
      if (score !== undefined) next.set(posting.id, score + listRarity * posting.weight);
    }
    scores = next;
    if (scores.size === 0) return [];
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || b.id - a.id);
}
