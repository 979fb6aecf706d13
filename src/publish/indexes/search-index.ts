// The search index builder (publish time only): every published article's words, weighted by
// field, as posting lists in SEARCH_SHARD_COUNT shards, each cut into a settled and a fresh part
// (search/index-format.ts). An article's postings depend only on the article, so a new article
// rewrites only the fresh parts of its words' shards.

import type { CompiledContent } from '../../content/compile';
import { encodePostings, type Posting, searchCut, shardOf, termWeight } from '../../search/index-format';
import { htmlToText, tokenize } from '../../search/text';
import { searchShardKey } from '../../storage/keys';
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

/**
 * The index of every published article. `termsOf` gives an article's terms (articleTerms): the
 * publish remembers them between runs, so an unchanged article is not tokenized again.
 */
export function buildSearchIndex(
  content: CompiledContent,
  termsOf: (article: CompiledArticle) => readonly (readonly [string, number])[] = articleTerms,
): Records {
  const postings = new Map<string, Posting[]>();
  // Ascending ids, so each list is sorted as encodePostings needs.
  const articles = [...content.articles].sort((a, b) => a.id - b.id);
  for (const article of articles) {
    for (const [term, weight] of termsOf(article)) {
      let list = postings.get(term);
      if (!list) {
        list = [];
        postings.set(term, list);
      }
      list.push({ id: article.id, weight });
    }
  }
  const cut = searchCut(articles.at(-1)?.id ?? 0);
  const parts = new Map<string, Record<string, string>>();
  const add = (key: string, term: string, list: Posting[]) => {
    if (list.length === 0) return;
    let terms = parts.get(key);
    if (!terms) {
      terms = {};
      parts.set(key, terms);
    }
    terms[term] = encodePostings(list);
  };
  for (const term of [...postings.keys()].sort()) {
    const list = postings.get(term) ?? [];
    // Lists are in ascending id order: everything from the first id at or past the cut is fresh.
    let split = list.findIndex((posting) => posting.id >= cut);
    if (split < 0) split = list.length;
    add(searchShardKey(shardOf(term), 'settled'), term, list.slice(0, split));
    add(searchShardKey(shardOf(term), 'fresh'), term, list.slice(split));
  }
  const records: Records = new Map();
  for (const key of [...parts.keys()].sort()) records.set(key, JSON.stringify({ terms: parts.get(key) }));
  return records;
}
