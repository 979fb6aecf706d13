// What a stored search index answers, whichever of its parts hold each posting: every term's
// postings as a query reads them (the settled part's with the fresh part's laid over,
// overlaidPostings), as [id, weight] pairs. An index updated in place holds an edit of an article
// older than its cut in fresh parts, where one built whole holds it in settled parts: the two are
// compared by this.
import {
  decodePostings,
  overlaidPostings,
  type SearchShard,
  searchShardSchema,
} from '../../src/search/index-format';

/** Term → its postings as a query reads them, terms sorted; from the search parts among `records` (other keys are passed over). */
export function searchAnswers(records: Iterable<readonly [string, string]>): Map<string, number[][]> {
  const shards = new Map<string, { settled?: SearchShard; fresh?: SearchShard }>();
  for (const [key, value] of records) {
    const match = /^search:v2:(\d+):(settled|fresh):(\d+)$/.exec(key);
    if (!match) continue;
    const [, count, side, shard] = match;
    const entry = shards.get(`${count}:${shard}`) ?? {};
    entry[side as 'settled' | 'fresh'] = searchShardSchema.parse(JSON.parse(value));
    shards.set(`${count}:${shard}`, entry);
  }
  const byTerm = new Map<string, number[][]>();
  for (const { settled, fresh } of shards.values())
    for (const term of new Set([...Object.keys(settled?.terms ?? {}), ...Object.keys(fresh?.terms ?? {})])) {
      const { ids, weights } = overlaidPostings(
        decodePostings(settled?.terms[term]),
        decodePostings(fresh?.terms[term]),
      );
      if (ids.length > 0)
        byTerm.set(
          term,
          [...ids].map((id, at) => [id, weights[at] ?? 0]),
        );
    }
  return new Map([...byTerm].sort(([a], [b]) => (a < b ? -1 : 1)));
}
