// The search index's parts: words as indexed and queried, highlighting and excerpts, posting
// lists that round-trip, weights that depend on their article alone, and ranking over shards.
import { describe, expect, it } from 'vitest';
import { type CompiledContent, compileContent } from '../../src/content/compile';
import type { GroupContext } from '../../src/publish/indexes/index-builder';
import {
  articleTerms,
  buildSearchIndex,
  lingeringSearchParts,
  searchIndexGroups,
  searchIndexParts,
} from '../../src/publish/indexes/search-index';
import { memoryScratch } from '../../src/publish/record-store';
import {
  decodePostings,
  encodePostingColumns,
  overlaidPostings,
  searchCut,
  searchShardCount,
  searchShardSchema,
  shardOf,
} from '../../src/search/index-format';
import { queryTerms, search } from '../../src/search/query';
import { excerpt, highlight, htmlToText, tokenize } from '../../src/search/text';
import { searchShardKey } from '../../src/storage/keys';
import { repositoryContent } from '../support/content';
import { searchAnswers } from '../support/search-answers';

type CompiledArticle = CompiledContent['articles'][number];

describe('search words', () => {
  it('folds case, accents and script variants, and leaves out one-letter words', () => {
    expect(tokenize('A Café in Tehran, 2022')).toEqual(['cafe', 'in', 'tehran', '2022']);
    expect(tokenize('كتاب و می‌رود')).toEqual(['کتاب', 'میرود']);
    expect(tokenize('Ёж и ЕЖ')).toEqual(['еж', 'еж']);
  });

  it('marks the written words a query matched, whatever their spelling', () => {
    const parts = highlight('Cafés open in Тегеран; a café closes.', new Set(['cafe', 'тегеран']));
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['Тегеран', 'café']);
    expect(parts.map((p) => p.text).join('')).toBe('Cafés open in Тегеран; a café closes.');
  });

  it('cuts an excerpt around the first match, at spaces', () => {
    const text = `${'lead words '.repeat(40)}the needle is here ${'tail words '.repeat(40)}`;
    const cut = excerpt(text, new Set(['needle']), 120);
    expect(cut).toMatch(/^… .*needle.* …$/);
    expect(cut.length).toBeLessThan(130);
  });

  it('reads the text of sanitised HTML', () => {
    expect(htmlToText('<p>Oil &amp; gas</p><p>rose&#39;s &#x41;</p>')).toBe("Oil & gas rose's A");
  });
});

describe('the stored index', () => {
  it('round-trips posting lists', () => {
    const postings = [
      { id: 3, weight: 1 },
      { id: 675904, weight: 220 },
      { id: 1_000_001, weight: 17 },
    ];
    const decoded = decodePostings(
      encodePostingColumns(
        postings.map((p) => p.id),
        postings.map((p) => p.weight),
      ),
    );
    expect([...decoded.ids]).toEqual(postings.map((p) => p.id));
    expect([...decoded.weights]).toEqual(postings.map((p) => p.weight));
  });

  it('lays a fresh list over a settled one: its ids stand for their articles, and a 0 withdraws one', () => {
    const list = (pairs: [number, number][]) =>
      decodePostings(
        encodePostingColumns(
          pairs.map(([id]) => id),
          pairs.map(([, weight]) => weight),
        ),
      );
    const pairsOf = ({ ids, weights }: ReturnType<typeof decodePostings>) =>
      [...ids].map((id, at) => [id, weights[at]]);
    const settled = list([
      [10, 5],
      [20, 6],
      [30, 7],
    ]);
    // Nothing amended: the fresh list follows.
    expect(pairsOf(overlaidPostings(settled, list([[40, 8]])))).toEqual([
      [10, 5],
      [20, 6],
      [30, 7],
      [40, 8],
    ]);
    expect(pairsOf(overlaidPostings(list([]), list([[40, 8]])))).toEqual([[40, 8]]);
    expect(pairsOf(overlaidPostings(settled, list([])))).toEqual(pairsOf(settled));
    // 20 weighs anew, 30 no longer has the term, 25 gained it, 15 withdrawn though never settled.
    expect(
      pairsOf(
        overlaidPostings(
          settled,
          list([
            [15, 0],
            [20, 9],
            [25, 3],
            [30, 0],
            [40, 8],
          ]),
        ),
      ),
    ).toEqual([
      [10, 5],
      [20, 9],
      [25, 3],
      [40, 8],
    ]);
    // A withdrawal past the settled ones, the fast path's case but for the 0.
    expect(pairsOf(overlaidPostings(settled, list([[35, 0]])))).toEqual(pairsOf(settled));
  });

  it('round-trips a common word’s list, encoded a few kilobytes at a time, and any slice of it', () => {
    // 20,000 postings: about 120 KB encoded, many times the pieces encodePostingColumns joins.
    const ids: number[] = [];
    const weights: number[] = [];
    for (let i = 0, id = 0; i < 20_000; i++) {
      id += 1 + ((i * 7919) % 97);
      ids.push(id);
      weights.push(1 + ((i * 31) % 255));
    }
    const encoded = encodePostingColumns(ids, weights);
    expect(encoded.length).toBeGreaterThan(100_000);
    // Pairs separated by single commas: no piece's edge doubles or drops one.
    expect(encoded.split(',')).toHaveLength(2 * ids.length);
    const decoded = decodePostings(encoded);
    expect([...decoded.ids]).toEqual(ids);
    expect([...decoded.weights]).toEqual(weights);
    const slice = decodePostings(encodePostingColumns(ids, weights, 5_000, 15_000));
    expect([...slice.ids]).toEqual(ids.slice(5_000, 15_000));
    expect([...slice.weights]).toEqual(weights.slice(5_000, 15_000));
  });

  it('has about one shard per 64 articles, a power of two from 16 to 1,024, changed rarely', () => {
    expect(searchShardCount(0)).toBe(16);
    expect(searchShardCount(1_024)).toBe(16);
    expect(searchShardCount(1_025)).toBe(32);
    expect(searchShardCount(10_000)).toBe(256);
    expect(searchShardCount(65_536)).toBe(1_024);
    expect(searchShardCount(500_000)).toBe(1_024);
    // It doubles as the archive grows, and halves only once the archive is down to a quarter of it.
    expect(searchShardCount(1_025, 16)).toBe(32);
    expect(searchShardCount(1_000, 32)).toBe(32);
    expect(searchShardCount(2_048, 64)).toBe(64);
    expect(searchShardCount(1_024, 64)).toBe(16);
    expect(searchShardCount(100_000, 1_024)).toBe(1_024);
    // A count it could not have chosen is not kept.
    expect(searchShardCount(1_000, 48)).toBe(16);
    expect(searchShardCount(1_000, 8)).toBe(16);
    expect(searchShardCount(1_000, 2_048)).toBe(16);
    // Terms spread over every shard of the count.
    const terms = Array.from({ length: 2_000 }, (_, i) => `term${i}`);
    expect(new Set(terms.map((term) => shardOf(term, 16))).size).toBe(16);
    expect(Math.max(...terms.map((term) => shardOf(term, 256)))).toBe(255);
  });

  it('rewrites only the fresh parts of the new article’s shards when an article is added', () => {
    const input = repositoryContent();
    const before = buildSearchIndex(compileContent(input));
    input.articles.push({
      path: 'content/articles/new.md',
      text: '---\nid: 676090\ntitle: Xylophonic quasar\nsection: science\npublished: 2023-01-01T00:00:00Z\n---\n\nXylophonic quasar.\n',
    });
    const after = buildSearchIndex(compileContent(input));
    const changed = [...after].filter(([key, value]) => before.get(key) !== value).map(([key]) => key);
    const shards = searchShardCount(input.articles.length);
    expect(changed.sort()).toEqual(
      [
        ...new Set(
          ['xylophonic', 'quasar'].map((term) => searchShardKey(shards, shardOf(term, shards), 'fresh')),
        ),
      ].sort(),
    );
  });

  it('builds the same parts a batch of shards at a time, each batch’s postings parked until then', () => {
    const content = compileContent(repositoryContent());
    const whole = buildSearchIndex(content);
    const texts: string[] = [];
    const parking = {
      park: (text: string) => texts.push(text) - 1,
      parkPieces: (pieces: Iterable<string>) => texts.push([...pieces].join('')) - 1,
      unpark: (parked: number) => texts[parked] ?? '',
    };
    const batched = buildSearchIndex(content, { parking, articlesPerBatch: 2 });
    expect([...batched]).toEqual([...whole]);
    // Shards in consecutive batches, each parked apart: every text of postings (lines of JSON arrays;
    // the parts' values wait parked too, as objects) holds the terms of one batch's shards.
    const postings = () => texts.filter((text) => text.startsWith('['));
    const shards = searchShardCount(content.articles.length);
    const batches = Math.ceil(content.articles.length / 2);
    expect(batches).toBeGreaterThan(4);
    const batchesIn = postings().map((text) => {
      const seen = new Set<number>();
      for (const line of text.split('\n')) {
        const [, ...pairs] = JSON.parse(line) as [number, ...(string | number)[]];
        for (let i = 0; i < pairs.length; i += 2)
          seen.add(Math.floor((shardOf(String(pairs[i]), shards) * batches) / shards));
      }
      return seen.size;
    });
    expect(batchesIn.length).toBe(batches);
    expect(batchesIn.every((count) => count === 1)).toBe(true);
    // Each article's line parked on its own: a batch read back from many texts, in their order.
    texts.length = 0;
    const lineByLine = buildSearchIndex(content, { parking, articlesPerBatch: 2, chunkChars: 1 });
    expect([...lineByLine]).toEqual([...whole]);
    expect(postings().length).toBeGreaterThan(content.articles.length);
  });

  it('keeps each part parked until it is given, one at a time, in key order', () => {
    const content = compileContent(repositoryContent());
    const texts: string[] = [];
    let lastRead = '';
    const parking = {
      park: (text: string) => texts.push(text) - 1,
      parkPieces: (pieces: Iterable<string>) => texts.push([...pieces].join('')) - 1,
      unpark: (parked: number) => {
        lastRead = texts[parked] ?? '';
        return lastRead;
      },
    };
    const keys: string[] = [];
    for (const [key, value] of searchIndexParts(content, { parking, articlesPerBatch: 2 })) {
      // Each value is the text just read back from where it waited, not one held in memory.
      expect(value).toBe(lastRead);
      expect(texts).toContain(value);
      keys.push(key);
    }
    expect(keys.length).toBeGreaterThan(4);
    expect(keys).toEqual([...keys].sort());
    expect(new Map(searchIndexParts(content))).toEqual(
      buildSearchIndex(content, { parking, articlesPerBatch: 2 }),
    );
  });

  it('indexes every id front matter takes, up to 2^53 − 1, with each term’s exact weight', () => {
    const input = repositoryContent();
    const id = Number.MAX_SAFE_INTEGER;
    input.articles.push({
      path: 'content/articles/large-id.md',
      text: `---\nid: ${id}\ntitle: Quasar quasar xylophone\nsection: science\npublished: 2023-01-01T00:00:00Z\n---\n\nA quasar.\n`,
    });
    const content = compileContent(input);
    const article = content.articles.find((each) => each.id === id);
    if (!article) throw new Error('the article did not compile');
    const records = buildSearchIndex(content);
    const shards = searchShardCount(content.articles.length);
    const terms = articleTerms(article);
    expect(terms.map(([term]) => term).sort()).toEqual(['quasar', 'xylophone']);
    for (const [term, weight] of terms) {
      const part = searchShardSchema.parse(
        JSON.parse(records.get(searchShardKey(shards, shardOf(term, shards), 'fresh')) ?? '{}'),
      );
      const { ids, weights } = decodePostings(part.terms[term]);
      const at = [...ids].indexOf(id);
      expect(at, term).toBeGreaterThanOrEqual(0);
      expect(weights[at], term).toBe(weight);
    }
  });

  it('ranks articles with every query word, a headline match above a body match', async () => {
    const content = compileContent(repositoryContent());
    const records = buildSearchIndex(content);
    const shards = searchShardCount(content.articles.length);
    const read = {
      shards,
      read: async (shard: number, part: 'settled' | 'fresh') => {
        const value = records.get(searchShardKey(shards, shard, part));
        return value === undefined ? null : searchShardSchema.parse(JSON.parse(value));
      },
    };
    const nowruz = await search(queryTerms('Nowruz'), read, 10);
    expect(nowruz.hits[0]?.id).toBe(676081);
    expect(await search(queryTerms('Nowruz Baerbock'), read, 10)).toEqual({ total: 0, hits: [] });
    expect(await search([], read, 10)).toEqual({ total: 0, hits: [] });
    // The best few are the first few of the full order.
    const all = await search(queryTerms('the'), read, 1000);
    const top = await search(queryTerms('the'), read, 3);
    expect(top.total).toBe(all.total);
    expect(top.hits).toEqual(all.hits.slice(0, 3));
    for (let i = 1; i < all.hits.length; i++) {
      const [a, b] = [all.hits[i - 1], all.hits[i]];
      expect(a && b && (a.score > b.score || (a.score === b.score && a.id > b.id))).toBe(true);
    }
  });
});

describe('the search index group', () => {
  it('takes an archive of 200,000 articles, more ids than a call takes as arguments', () => {
    const articles = Array.from({ length: 200_000 }, (_, i) => ({ id: i + 1 }));
    const content = { ...compileContent(repositoryContent()), articles } as never;
    // Cut where the highest id puts it; nothing is built until asked.
    expect(() => searchIndexGroups(content, {} as never)).not.toThrow();
  });

  // An article is named by its id and title (all these tests edit); what it was named for is found
  // again by that name, as the memo finds an earlier version's terms.
  const named = new Map<string, CompiledArticle>();
  const contextOver = (stored: ReadonlyMap<string, string>) =>
    ({
      storedManifest: null,
      parking: memoryScratch(),
      article: (article: CompiledArticle) => {
        const name = `${article.id} ${article.title}`;
        named.set(name, article);
        return name;
      },
      derived: (_kind: string, _article: CompiledArticle, compute: () => string) => compute(),
      keepDerived: () => {},
      derivedOf: (_kind: string, name: string) => {
        const article = named.get(name);
        return article && JSON.stringify(articleTerms(article));
      },
      // Stored "hashes" are the values themselves here.
      storedValue: async (key: string, hash: string) => (stored.get(key) === hash ? hash : undefined),
      card: () => '',
      keptUnedited: () => false,
    }) as unknown as GroupContext;
  /** The index of `now` updated in place from `then`'s as stored (`stored`), or undefined if built whole. */
  const updatedFrom = async (
    then: CompiledContent,
    stored: ReadonlyMap<string, string>,
    now: CompiledContent,
  ) => {
    const [group] = searchIndexGroups(then, contextOver(stored));
    const state = [...(group?.state?.() ?? [])];
    const [nowGroup] = searchIndexGroups(now, contextOver(stored));
    const update = await nowGroup?.update?.({ state, output: [...stored] });
    return update && { update, records: new Map([...update.unchanged, ...update.built]) };
  };
  it('remembers its state in pieces, and updates from them only the parts an edited article is in', async () => {
    const input = repositoryContent();
    const content = compileContent(input);
    const [first] = input.articles;
    if (!first) throw new Error('the repository has no article');
    input.articles[0] = { ...first, text: first.text.replace(/^title: .*$/m, 'title: Xylophonic quasar') };
    const edited = compileContent(input);
    const before = buildSearchIndex(content);
    const [group] = searchIndexGroups(content, contextOver(before), { stateArticles: 3 });
    const state = [...(group?.state?.() ?? [])];
    // The layout, then three articles a piece.
    expect(state).toHaveLength(1 + Math.ceil(content.articles.length / 3));
    expect(state.slice(1).map((piece) => (JSON.parse(piece) as unknown[]).length)).toContain(3);
    const [editedGroup] = searchIndexGroups(edited, contextOver(before));
    const update = await editedGroup?.update?.({ state, output: [...before] });
    if (!update) throw new Error('the index was not updated in place');
    const after = buildSearchIndex(edited);
    const updated = new Map([...update.unchanged, ...update.built]);
    expect(searchAnswers(updated)).toEqual(searchAnswers(after));
    expect(update.built.size).toBeGreaterThan(0);
    expect(update.built.size).toBeLessThan(after.size);
  });

  it('edits and removes an article older than the cut in fresh parts alone, every word found as a whole build finds it', async () => {
    const input = repositoryContent();
    const content = compileContent(input);
    const cut = searchCut(Math.max(...content.articles.map((article) => article.id)));
    const at = content.articles.findIndex((article) => article.id < cut);
    const old = content.articles[at];
    const file = input.articles.find((each) => each.text.includes(`\nid: ${old?.id}\n`));
    if (!old || !file) throw new Error('the repository has no article older than the cut');
    const oldWords = new Map(articleTerms(old));
    const stored = buildSearchIndex(content);
    const settledOf = (records: ReadonlyMap<string, string>) =>
      [...records].filter(([key]) => key.includes(':settled:'));

    // Retitled: its title's words lose weight (or the article), two words are new.
    const retitled = compileContent({
      ...input,
      articles: input.articles.map((each) =>
        each === file
          ? { ...each, text: each.text.replace(/^title: .*$/m, 'title: Xylophonic quasar') }
          : each,
      ),
    });
    const first = await updatedFrom(content, stored, retitled);
    if (!first) throw new Error('the index was not updated in place');
    expect([...first.update.built.keys()].every((key) => key.includes(':fresh:'))).toBe(true);
    expect(settledOf(first.records)).toEqual(settledOf(stored));
    expect(searchAnswers(first.records)).toEqual(searchAnswers(buildSearchIndex(retitled)));
    const newWords = new Map(
      articleTerms(retitled.articles.find((each) => each.id === old.id) as CompiledArticle),
    );
    const lost = [...oldWords.keys()].filter((term) => !newWords.has(term));
    expect(lost.length, 'a word the retitle loses').toBeGreaterThan(0);
    for (const term of lost)
      expect(
        searchAnswers(first.records)
          .get(term)
          ?.some(([id]) => id === old.id) ?? false,
      ).toBe(false);

    // Titled back, from the index as updated: as it was, but for where the postings are.
    const second = await updatedFrom(retitled, first.records, content);
    if (!second) throw new Error('the index was not updated in place');
    expect(searchAnswers(second.records)).toEqual(searchAnswers(stored));
    expect(settledOf(second.records)).toEqual(settledOf(stored));

    // Removed: each of its words withdrawn by a 0 in its fresh part.
    const removed = compileContent({ ...input, articles: input.articles.filter((each) => each !== file) });
    const third = await updatedFrom(content, second.records, removed);
    if (!third) throw new Error('the index was not updated in place');
    expect(searchAnswers(third.records)).toEqual(searchAnswers(buildSearchIndex(removed)));
    expect(settledOf(third.records)).toEqual(settledOf(stored));
  });

  it('keeps another layout’s parts for the settling window, and a staged release keeps them always', () => {
    const stored = ['search:v2:16:settled:3', 'search:v1:terms:7', 'search:v2:32:fresh:9', 'list:v3:home'];
    const layout = { shards: 32, since: '2026-03-01T08:00:00Z' };
    const secondsIn = (seconds: number) => new Date(Date.parse(layout.since) + seconds * 1000);
    const others = ['search:v2:16:settled:3', 'search:v1:terms:7'];
    expect([...lingeringSearchParts(stored, layout, { now: secondsIn(0), release: false })]).toEqual(others);
    expect([...lingeringSearchParts(stored, layout, { now: secondsIn(599), release: false })]).toEqual(
      others,
    );
    expect([...lingeringSearchParts(stored, layout, { now: secondsIn(600), release: false })]).toEqual([]);
    // A release is applied whenever the cron gets to it: only a live publish deletes.
    expect([...lingeringSearchParts(stored, layout, { now: secondsIn(9_999), release: true })]).toEqual(
      others,
    );
    // A time that cannot be read is no reason to keep parts forever.
    const garbled = { shards: 32, since: 'not a time' };
    expect([...lingeringSearchParts(stored, garbled, { now: secondsIn(0), release: false })]).toEqual([]);
  });
});
