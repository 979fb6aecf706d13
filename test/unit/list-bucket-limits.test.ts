// The API's `modified` scope holds, in one bucket, a run of up to MAX_RUN articles cut by length
// with LIST_OVERLAP older and LIST_SLACK newer neighbours (api/paging.ts cutByContent). Even with
// every one of them at the content limits (src/content/limits.ts: any accepted article yields
// records within Workers KV's limits), such a bucket is a value KV takes.
import { expect, it } from 'vitest';
import { LIST_OVERLAP, LIST_SLACK, MAX_RUN } from '../../src/api/paging';
import { compileContent } from '../../src/content/compile';
import {
  AUTHOR_MAX_CHARS,
  FRONT_MATTER_MAX_BYTES,
  IMAGE_ALT_MAX_CHARS,
  IMAGE_CAPTION_MAX_CHARS,
  IMAGE_CREDIT_MAX_CHARS,
  KV_VALUE_MAX_BYTES,
  SUMMARY_MAX_CHARS,
  TAGS_MAX,
  TITLE_MAX_CHARS,
} from '../../src/content/limits';
import { remakeApiListBucket } from '../../src/publish/indexes/api-records';
import { kvLimitProblems } from '../../src/publish/plan';
import { memoryScratch } from '../../src/publish/record-store';
import { apiListKey } from '../../src/storage/keys';
import { repositoryContent } from '../support/content';

const input = repositoryContent();
const site = compileContent(input).site;
const bytes = (text: string) => new TextEncoder().encode(text).length;

/** An article whose summary is as large as the limits allow: wide characters, quotes, a long image URL. */
function largestArticle() {
  const wide = (count: number) => '界'.repeat(count);
  const head = [
    'id: 1',
    `title: "${wide(TITLE_MAX_CHARS)}"`,
    'section: russia',
    'published: 2022-01-18T14:05:00Z',
    `summary: "${wide(SUMMARY_MAX_CHARS)}"`,
    'author:',
    ...Array.from({ length: 10 }, (_, at) => `  - "${wide(AUTHOR_MAX_CHARS - 1)}${at}"`),
    // Quotes: three bytes each in a tag's key (%22), two in JSON (\").
    'tags:',
    ...Array.from({ length: TAGS_MAX }, (_, at) => `  - '${'"'.repeat(30)}${String(at).padStart(2, '0')}'`),
    'image:',
    `  alt: "${wide(IMAGE_ALT_MAX_CHARS)}"`,
    `  caption: "${wide(IMAGE_CAPTION_MAX_CHARS)}"`,
    `  credit: "${wide(IMAGE_CREDIT_MAX_CHARS)}"`,
  ].join('\n');
  // The image's address takes what is left of the front matter.
  const prefix = '  src: https://images.example.org/';
  const src = `${prefix}${'a'.repeat(FRONT_MATTER_MAX_BYTES - bytes(head) - bytes(prefix) - 16)}`;
  const text = `---\n${head}\n${src}\n---\nA paragraph.\n`;
  const content = compileContent({ ...input, articles: [{ path: 'content/articles/largest.md', text }] });
  const [article] = content.articles;
  if (!article) throw new Error('the largest article did not compile');
  return article;
}

it('holds a run cut by length, its neighbours and every article at the limits in one KV value', () => {
  const article = largestArticle();
  const count = MAX_RUN + LIST_OVERLAP + LIST_SLACK;
  const members = Array.from({ length: count }, (_, at) => ({ ...article, id: 1_000_000 + count - at }));
  const recipe = ['modified', 5, false, LIST_SLACK, LIST_SLACK + MAX_RUN, 0, 7];
  const group = remakeApiListBucket(site, recipe, members, { article: () => '', parking: memoryScratch() });
  const value = [...group.build()].find(([key]) => key === apiListKey('modified', 5))?.[1] ?? '';
  expect(
    kvLimitProblems({ key: apiListKey('modified', 5), value, metadata: { hash: 'f'.repeat(64), gen: 1 } }),
  ).toEqual([]);
  // Near the limit: a bound half as long again would not fit.
  expect(bytes(value) * 1.5).toBeGreaterThan(KV_VALUE_MAX_BYTES);
});
