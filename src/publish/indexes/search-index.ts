// The search index builder (publish time only): every published article's words, weighted by
// field, as posting lists in SEARCH_SHARD_COUNT shards (search/index-format.ts). An article's
// postings depend only on the article, so a publish rewrites only the shards its changes touch.
import { searchShardKey } from '../../articles/keys';
import type { CompiledContent } from '../../content/compile';
import { encodePostings, type Posting, shardOf, termWeight } from '../../search/index-format';
import { htmlToText, tokenize } from '../../search/text';
import { authorNames } from '../../taxonomy/terms';
import type { Records } from './index-builder';

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

export function buildSearchIndex(content: CompiledContent): Records {
  const postings = new Map<string, Posting[]>();
  // Ascending ids, so each list is sorted as encodePostings needs.
  const articles = [...content.articles].sort((a, b) => a.id - b.id);
  for (const article of articles) {
    const counts = new Map<string, number>();
    let length = 0;
    for (const [text, weight] of fieldsOf(article)) {
      for (const term of tokenize(text)) {
        counts.set(term, (counts.get(term) ?? 0) + weight);
        length++;
      }
    }
    for (const [term, tf] of counts) {
      let list = postings.get(term);
      if (!list) {
        list = [];
        postings.set(term, list);
      }
      list.push({ id: article.id, weight: termWeight(tf, length) });
    }
  }
  const shards = new Map<number, Record<string, string>>();
  for (const term of [...postings.keys()].sort()) {
    const shard = shardOf(term);
    let terms = shards.get(shard);
    if (!terms) {
      terms = {};
      shards.set(shard, terms);
    }
    terms[term] = encodePostings(postings.get(term) ?? []);
  }
  const records: Records = new Map();
  for (const shard of [...shards.keys()].sort((a, b) => a - b)) {
    records.set(searchShardKey(shard), JSON.stringify({ terms: shards.get(shard) }));
  }
  return records;
}
