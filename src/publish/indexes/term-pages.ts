// List records for tag and author pages: per term, a head (its name, article count and newest
// articles) and closed chronological buckets, cut exactly like a section's (storage/list-shards.ts).
// Terms are not in the manifest (there can be thousands): a missing head is an unknown term.

import type { CompiledContent } from '../../content/compile';
import { termBucketKey, termHeadKey } from '../../storage/keys';
import { cutShards } from '../../storage/list-shards';
import type { ListShard, TermHead } from '../../storage/records';
import { TERM_KINDS } from '../../taxonomy/terms';
import type { GroupContext, RecordGroup } from './index-builder';
import { termsOf } from './terms-of';

type CompiledArticle = CompiledContent['articles'][number];

/**
 * One group per stored value: each term's head (its name, count and newest cards) and closed
 * buckets, so an edit rebuilds only the values that show the article. Given one at a time, as the
 * publish takes them: held all at once, the groups of every term's buckets were tens of MB of a
 * 500,000-article publish's peak.
 */
export function* termPageGroups(
  content: CompiledContent,
  context: Pick<GroupContext, 'card' | 'article'>,
): Iterable<RecordGroup> {
  const inputsOf =
    (key: string, articles: readonly CompiledArticle[], ...more: string[]) =>
    () => [key, ...more, ...articles.map((article) => context.article(article))];
  for (const kind of TERM_KINDS) {
    for (const term of termsOf(content, kind).values()) {
      const { head, buckets } = cutShards(term.articles);
      for (const [i, items] of buckets.entries()) {
        const key = termBucketKey(kind, term.slug, i + 1);
        yield {
          inputs: inputsOf(key, items),
          build: () =>
            new Map([[key, JSON.stringify({ cards: items.map(context.card) } satisfies ListShard)]]),
          placed: { members: items, keys: () => [key] },
        };
      }
      const key = termHeadKey(kind, term.slug);
      const count = term.articles.length;
      yield {
        inputs: inputsOf(key, head, term.name, String(count)),
        build: () => {
          const record: TermHead = { name: term.name, articles: count, cards: head.map(context.card) };
          return new Map([[key, JSON.stringify(record)]]);
        },
        placed: { members: head, keys: () => [key] },
      };
    }
  }
}
