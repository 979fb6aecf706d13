// List records for tag and author pages: per term, a head (its name, article count and newest
// articles) and closed chronological buckets, cut exactly like a section's (storage/list-shards.ts).
// Terms are not in the manifest (there can be thousands): a missing head is an unknown term.

import type { CompiledContent } from '../../content/compile';
import { termBucketKey, termHeadKey } from '../../storage/keys';
import { cutShards } from '../../storage/list-shards';
import type { ListShard, TermHead } from '../../storage/records';
import { collectTerms, TERM_KINDS } from '../../taxonomy/terms';
import type { CardOf, Records } from './index-builder';

export function buildTermPages(content: CompiledContent, card: CardOf): Records {
  const records: Records = new Map();
  for (const kind of TERM_KINDS) {
    for (const term of collectTerms(content.articles, kind).values()) {
      const { head, buckets } = cutShards(term.articles.map(card));
      buckets.forEach((items, i) => {
        records.set(
          termBucketKey(kind, term.slug, i + 1),
          JSON.stringify({ cards: items } satisfies ListShard),
        );
      });
      const record: TermHead = { name: term.name, articles: term.articles.length, cards: head };
      records.set(termHeadKey(kind, term.slug), JSON.stringify(record));
    }
  }
  return records;
}
