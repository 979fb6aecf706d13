// `npx tsx bench/search.ts --content DIR`: the search index of an archive (e.g. one written by
// `npm run content:synth`), measured: its size in KV (keys, bytes, the largest shard) and how long
// a query takes from stored values, the shards decoded exactly as the worker decodes them.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import type { ContentInput } from '../src/content/compile';
import { compileContent } from '../src/content/compile';
import type { SourceFile } from '../src/content/problems';
import { buildSearchIndex } from '../src/publish/indexes/search-index';
import { readImages } from '../src/publish/node/read-content';
import {
  type SearchShard,
  type SearchShardPart,
  searchShardCount,
  searchShardSchema,
  shardOf,
} from '../src/search/index-format';
import { queryTerms, RESULTS_PER_PAGE, search } from '../src/search/query';
import { searchShardKey } from '../src/storage/keys';

const { values } = parseArgs({
  options: {
    content: { type: 'string' },
    runs: { type: 'string', default: '50' },
  },
});
if (!values.content) throw new Error('usage: npx tsx bench/search.ts --content DIR [--runs N]');
const runs = Number(values.runs);

/**
 * The archive as compile takes it. Articles are read here 256 at a time: readContent opens every
 * file at once, which a 100,000-article archive takes past the open-file limit.
 */
async function readArchive(dir: string): Promise<ContentInput> {
  const site = { path: join(dir, 'site.yaml'), text: await readFile(join(dir, 'site.yaml'), 'utf8') };
  // The archive's images, read and planned as publish reads them.
  const { images } = await readImages(dir);
  const paths = (await readdir(join(dir, 'articles'), { recursive: true }))
    .filter((name) => name.endsWith('.md'))
    .sort();
  const articles: SourceFile[] = [];
  for (let at = 0; at < paths.length; at += 256) {
    const batch = paths.slice(at, at + 256);
    articles.push(
      ...(await Promise.all(
        batch.map(async (name) => ({
          path: name,
          text: await readFile(join(dir, 'articles', name), 'utf8'),
        })),
      )),
    );
  }
  return { site, articles, images };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const encoder = new TextEncoder();

let started = performance.now();
const content = compileContent(await readArchive(values.content));
const compileMs = performance.now() - started;
started = performance.now();
const records = buildSearchIndex(content);
const buildMs = performance.now() - started;

let total = 0;
let largest = 0;
let termCount = 0;
const sizes: number[] = [];
for (const value of records.values()) {
  const bytes = encoder.encode(value).length;
  sizes.push(bytes);
  total += bytes;
  largest = Math.max(largest, bytes);
  termCount += Object.keys((JSON.parse(value) as SearchShard).terms).length;
}
sizes.sort((a, b) => a - b);
console.log(
  `${content.articles.length} articles: compiled in ${(compileMs / 1000).toFixed(1)} s, index built in ${(buildMs / 1000).toFixed(1)} s`,
);
console.log(
  `index: ${records.size} shard parts, ${termCount} term lists, ${mib(total)} in all (${(total / content.articles.length).toFixed(0)} B per article); ` +
    `shard median ${kib(sizes[Math.floor(sizes.length / 2)] ?? 0)}, largest ${kib(largest)}`,
);

// What one new article costs a publish: the shards whose bytes differ with and without the newest.
{
  const without = buildSearchIndex({ ...content, articles: content.articles.slice(1) });
  let changed = 0;
  let changedBytes = 0;
  for (const [key, value] of records) {
    if (without.get(key) === value) continue;
    changed++;
    changedBytes += encoder.encode(value).length;
  }
  console.log(`one new article rewrites ${changed} shard parts, ${mib(changedBytes)}`);
}

/** The count publish chose for this archive: the index as the manifest names it. */
const shards = searchShardCount(content.articles.length);

/** As the worker reads a shard: the stored text, JSON.parse, then the zod/mini schema. */
async function readShard(shard: number, part: SearchShardPart): Promise<SearchShard | null> {
  const text = records.get(searchShardKey(shards, shard, part));
  if (text === undefined) return null;
  const decoded = z.safeParse(searchShardSchema, JSON.parse(text));
  return decoded.success ? decoded.data : null;
}

const index = { shards, read: readShard };

const sample = content.articles[Math.floor(content.articles.length / 2)];
const QUERIES = [
  'said',
  'officials said',
  'central bank interest rates',
  'caspian',
  sample ? sample.title : 'parliament',
  'zzzqqq',
  'тегеран',
];
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
console.log('| query | matches | values read | bytes read | p50 ms | p95 ms |');
console.log('| ----- | ------: | ----------: | ---------: | -----: | -----: |');
for (const query of QUERIES) {
  const terms = queryTerms(query);
  const read = [...new Set(terms.map((term) => shardOf(term, index.shards)))].flatMap((shard) =>
    (['settled', 'fresh'] as const).map((part) => searchShardKey(shards, shard, part)),
  );
  const bytes = read.reduce((sum, key) => sum + encoder.encode(records.get(key) ?? '').length, 0);
  let matches = 0;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    matches = (await search(terms, index, RESULTS_PER_PAGE)).total;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const shown = query.length > 40 ? `${query.slice(0, 37)}…` : query;
  console.log(
    `| ${shown} | ${matches} | ${read.length} | ${kib(bytes)} | ${percentile(times, 0.5).toFixed(2)} | ${percentile(times, 0.95).toFixed(2)} |`,
  );
}
