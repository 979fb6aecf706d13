// The group index (src/publish/group-index.ts), as real publishes of real files leave it: it holds
// exactly the placed and indexed groups a whole cut of the same content makes (builder, first key, recipe and
// members), names for every article the groups that list it and its file's key, and none for an
// article gone. Checked after a first publish, an edit in place, an article added, one re-dated and
// one deleted, a dry run, a repair, a publish stopped before its save, and another namespace
// published from the same folder. And the groups an edit shows in, made again by key
// (src/publish/placed-by-key.ts: their recipes and members from the index, the members read through
// the compile cache), predict the edit's writes of their keys from what the record memo remembers
// (which is what KV holds), and hold what KV holds after the edit, byte for byte.

import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { expect, it } from 'vitest';
import { type CompiledContent, compileContent } from '../../src/content/compile';
import { articleInputs } from '../../src/publish/build-records';
import type { IndexedGroup } from '../../src/publish/group-index';
import { ARTICLE_RECORDS } from '../../src/publish/indexes/article-records';
import { INDEX_BUILDERS } from '../../src/publish/indexes/index-builder';
import { contentKey, openCompileCache } from '../../src/publish/node/compile-cache';
import {
  openGroupIndex,
  type PersistentGroupIndex,
  publishedArticles,
} from '../../src/publish/node/group-index-file';
import { readContent } from '../../src/publish/node/read-content';
import { openRecordMemo } from '../../src/publish/node/record-memo-file';
import { NotByKeyError, remakePlacedByKey } from '../../src/publish/placed-by-key';
import { isoSeconds } from '../../src/shared/iso-time';
import { removalRegistryKey } from '../../src/storage/keys';
import type { Manifest, RemovalRegistry } from '../../src/storage/records';
import { plainGroupContext } from '../support/group-context';
import { withNotice } from '../support/notice';
import { publishedSynthetic, rewrite } from './checkout';
import { CONFIG, otherNamespaceConfig, runPublish } from './command';
import { readKvEntries } from './local-state';

const BUILDERS = [ARTICLE_RECORDS, ...INDEX_BUILDERS];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The keys of records no placed or indexed group makes (index-builder.ts PlacedGroup). */
const NOT_INDEXED = /^(writer:v1|site:v1|changes:v1:\d+|search:v2:.+)$/;

const synthetic = publishedSynthetic('mirrorwire-group-index-');
const { clock, publish } = synthetic;

const context = plainGroupContext();

/**
 * The content as the publish compiled it, with the removals KV's registry holds as of the publish's
 * date (the site's and sections' feeds carry their tombstones), and each article's file by id.
 */
async function currentContent() {
  const input = await readContent(join(synthetic.archive, 'content'));
  const registry = (await readKvEntries(synthetic.state)).get(removalRegistryKey())?.value;
  const content: CompiledContent = {
    ...compileContent(input),
    removals: {
      asOf: isoSeconds(clock.now()),
      articles: registry ? (JSON.parse(registry) as RemovalRegistry).articles : [],
    },
  };
  const fileOf = (id: number) => input.articles.find((file) => file.path === content.ids?.get(id)?.path);
  return { input, content, fileOf };
}

/** Every placed group of a whole cut, as the index gives them. */
function wholeCut(content: CompiledContent): IndexedGroup[] {
  const groups: IndexedGroup[] = [];
  for (const builder of BUILDERS)
    for (const group of builder.groups(content, context)) {
      const listed = group.placed ?? group.indexed;
      if (!listed) continue;
      const [key = ''] = listed.keys();
      const members = listed.members.map((member) => member.id);
      groups.push({ builder: builder.name, key, recipe: [...listed.recipe], members });
    }
  return groups;
}

const sorted = (groups: readonly IndexedGroup[]) =>
  [...groups].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

async function withIndex<T>(use: (index: PersistentGroupIndex) => Promise<T>): Promise<T> {
  const memo = await openRecordMemo(join(synthetic.state, 'mirrorwire-records.mdb'));
  const { code } = memo;
  memo.close();
  const index = await openGroupIndex(join(synthetic.state, 'mirrorwire-groups'), { code, trust: true });
  try {
    return await use(index);
  } finally {
    await index.close();
  }
}

/**
 * The index holds exactly the groups a whole cut makes, and names for every article the groups that
 * list it and its file's key; for an article gone, none.
 */
async function expectIndexIsTheCut(gone: readonly number[] = []) {
  const { content, fileOf } = await currentContent();
  const cut = wholeCut(content);
  await withIndex(async (index) => {
    expect(index.recordedWith).toBeDefined();
    const held: IndexedGroup[] = [];
    for await (const group of index.groups()) held.push(group);
    expect(sorted(held)).toEqual(sorted(cut));
    for (const article of content.articles) {
      const groups = await index.groupsOf(article.id);
      expect(groups.length, `article ${article.id}`).toBeGreaterThan(1);
      const listing = cut.filter((group) => group.members.includes(article.id));
      expect(sorted(groups), `article ${article.id}`).toEqual(sorted(listing));
      const file = fileOf(article.id);
      expect(file).toBeDefined();
      expect(await index.fileKeysOf([article.id])).toEqual([file && contentKey(file)]);
    }
    for (const id of gone) expect(await index.groupsOf(id), `article ${id}, gone`).toEqual([]);
  });
}

/** Puts entries straight into the index's store, as something other than a publish would. */
async function plant(entries: Record<string, string>) {
  const db = new ClassicLevel<string, string>(join(synthetic.state, 'mirrorwire-groups'), {
    createIfMissing: false,
  });
  await db.open();
  await db.batch(Object.entries(entries).map(([key, value]) => ({ type: 'put' as const, key, value })));
  await db.close();
}

function filesOf(content: CompiledContent) {
  return content.articles.map((article) => content.ids?.get(article.id)?.path ?? '');
}

it('names, after a first publish, every group a whole cut lists each article in', async () => {
  await expectIndexIsTheCut();
});

it('remakes by key the groups an edit shows in: their writes predicted, their values what KV then holds', async () => {
  const { content } = await currentContent();
  // Two middle articles, neighbours: each in a closed bucket, a feed archive, a month's sitemap and
  // the other's teasers, and in several groups together.
  const edited = [30, 31].map((at) => ({ article: content.articles[at], file: filesOf(content)[at] ?? '' }));
  for (const { file } of edited)
    await rewrite(file, (text) => text.replace(/^title: "/m, 'title: "Corrected: '));
  const dry = await publish('--dry-run');
  const planned = [...dry.stdout.matchAll(/^ {2}write (\S+)$/gm)].map((match) => match[1] ?? '');
  const kvBefore = await readKvEntries(synthetic.state);
  const manifest = JSON.parse(kvBefore.get('site:v1')?.value ?? '{}') as Manifest;
  // The cache's generation names site.yaml by its path and the libraries found from the working
  // directory: read as the publish reads them, from its folder. The corrected files are compiled
  // through it, as the publish compiles them.
  const here = process.cwd();
  process.chdir(synthetic.archive);
  const { cache, corrected } = await readContent('content')
    .then(async (input) => {
      const cache = await openCompileCache(join(synthetic.state, 'mirrorwire-compiled.mdb'), input);
      const sources = edited.map(({ file }) => {
        const inContent = file.slice(file.lastIndexOf('content/articles/'));
        const source = input.articles.find((each) => each.path === inContent);
        if (!source) throw new Error(`${inContent} was not read`);
        return source;
      });
      return { cache, corrected: compileContent({ ...input, articles: sources }, cache).articles };
    })
    .finally(() => process.chdir(here));
  expect(cache.continued).toBe(true);
  expect(corrected.map((article) => article.title.slice(0, 11))).toEqual(['Corrected: ', 'Corrected: ']);
  const memo = await openRecordMemo(join(synthetic.state, 'mirrorwire-records.mdb'));
  try {
    const byKey = (articles: typeof corrected) =>
      withIndex((index) =>
        remakePlacedByKey(articles, {
          site: manifest.site,
          groupsOf: (id) => index.groupsOf(id),
          articles: publishedArticles(index, cache),
          memo,
          context: { ...context, article: articleInputs(memo) },
        }),
      );
    const remade = await byKey(corrected);
    // Each group once, though the two share some.
    const keys = remade.map((group) => group.key);
    expect(new Set(keys).size).toBe(keys.length);
    const values = new Map(remade.flatMap((group) => [...group.values]));
    // Their own records, their buckets, term pages and feeds, a sitemap part and more.
    expect(values.size).toBeGreaterThan(20);
    for (const article of corrected) expect(values.get(`article:v1:${article.id}`)).toContain('Corrected: ');
    const shared = remade.filter((group) => corrected.every(({ id }) => group.members.includes(id)));
    expect(shared.length).toBeGreaterThan(0);
    // The memo knows every group as last published, and what it remembers is what KV holds: the
    // placed keys the edit writes are those whose value differs from it.
    const predicted: string[] = [];
    for (const group of remade) {
      expect(group.remembered, group.key).toBeDefined();
      const remembered = new Map(group.remembered);
      expect([...remembered.keys()].sort(), group.key).toEqual([...group.values.keys()].sort());
      for (const [key, value] of group.values) {
        const stored = kvBefore.get(key)?.metadata as { hash?: string } | undefined;
        expect(remembered.get(key), key).toBe(stored?.hash);
        if (sha256(value) !== remembered.get(key)) predicted.push(key);
      }
    }
    // Every other key the edit writes is of a group that is neither placed nor indexed, made
    // another way: the writer token, the change log, the search index and the manifest.
    expect(predicted.sort()).toEqual(planned.filter((key) => !NOT_INDEXED.test(key)).sort());
    // An article the index does not know, or one placed elsewhere, is not made by key.
    const [first] = corrected;
    if (!first) throw new Error('nothing corrected');
    await expect(byKey([{ ...first, id: 9_999_999 }])).rejects.toThrow(NotByKeyError);
    await expect(byKey([{ ...first, published: '2015-01-01T00:00:00Z' }])).rejects.toThrow(NotByKeyError);
    const run = await publish();
    expect(run.stdout).toMatch(/edit by key: \d+ groups made again/);
    const kv = await readKvEntries(synthetic.state);
    for (const [key, value] of values) expect(value, key).toBe(kv.get(key)?.value);
    await expectIndexIsTheCut();
  } finally {
    memo.close();
    cache.close();
  }
});

it('follows corrections by key and in place, as a whole cut does', async () => {
  const files = filesOf((await currentContent()).content);
  // A notice's date moves `updated` past every other article's: taken by key.
  await rewrite(files[25] ?? '', (text) =>
    withNotice(new Date('2026-01-03T12:00:00Z'))(text.replace(/^title: "/m, 'title: "Noted: ')),
  );
  expect((await publish()).stdout).toMatch(/edit by key/);
  await expectIndexIsTheCut();
  // Two notices: declined by key (one date at a time), published in place.
  await rewrite(files[26] ?? '', withNotice(new Date('2026-01-03T13:00:00Z')));
  await rewrite(files[27] ?? '', withNotice(new Date('2026-01-03T13:30:00Z')));
  expect((await publish()).stdout).toMatch(/2 article\(s\) edited in place/);
  await expectIndexIsTheCut();
});

it('follows an article added, one re-dated and one deleted, as a whole cut does', async () => {
  const { content } = await currentContent();
  const files = filesOf(content);
  // The newest goes back four years: every group it was in loses it, others gain it.
  await rewrite(files[0] ?? '', (text) =>
    text.replace(/^published: (\d{4})/m, (_, year) => `published: ${+year - 4}`),
  );
  const deleted = content.articles[45]?.id ?? 0;
  await rm(files[45] ?? '');
  await writeFile(
    join(synthetic.archive, 'content/articles/added.md'),
    [
      '---',
      'id: 1999999',
      'title: "A new report"',
      'section: news',
      'published: 2026-01-02T09:00:00Z',
      '---',
      '',
      'It is new.',
      '',
    ].join('\n'),
  );
  const run = await publish();
  expect(run.stdout).not.toMatch(/edited in place/);
  await expectIndexIsTheCut([deleted]);
});

it('is left complete by a dry run, and made again whole by a repair', async () => {
  const { content } = await currentContent();
  await rewrite(filesOf(content)[12] ?? '', (text) => text.replace(/^title: "/m, 'title: "Dry: '));
  const dry = await publish('--dry-run');
  expect(dry.stdout).toMatch(/edit by key: \d+ groups made again/);
  await withIndex(async (index) => expect(index.recordedWith).toBeDefined());
  // A repair trusts nothing stored: what no publish recorded goes with the rest.
  await plant({ 'g:list:v3:planted': JSON.stringify(['lists', ['list:v3:planted'], [1000001]]) });
  await plant({ 'p:1000001:list:v3:planted': '' });
  await publish('--repair');
  await expectIndexIsTheCut();
});

it('is not read after a publish that recorded groups and stopped before its save', async () => {
  const { content } = await currentContent();
  const [article] = content.articles;
  if (!article) throw new Error('no article');
  await withIndex(async (index) => {
    // What a publish killed after its first group recorded leaves behind.
    await index.begin(index.recordedWith ?? undefined).record(ARTICLE_RECORDS.name, {
      members: [article],
      keys: () => ['article:v1:0'],
      recipe: [],
    });
  });
  await withIndex(async (index) => {
    expect(index.recordedWith).toBeUndefined();
    expect(await index.groupsOf(article.id)).toEqual([]);
  });
  const run = await publish();
  expect(run.stdout).not.toMatch(/edited in place/);
  await expectIndexIsTheCut();
});

it('is started afresh after another namespace was published from the same folder', async () => {
  // Two namespaces (two configurations) published from one folder share its index. Published to
  // the other in between, the index holds that one's groups; back here, the memo knows this
  // namespace's groups and KV holds them, so they are kept unbuilt: the index must not be taken
  // as complete, or it would keep the other namespace's.
  const config = await otherNamespaceConfig(synthetic.archive, 'b');
  const into = (configPath: string) =>
    runPublish(['--local', '--persist-to', synthetic.state, '--config', configPath], {
      cwd: synthetic.archive,
      env: clock.env(),
    });
  const { content } = await currentContent();
  const file = filesOf(content)[20] ?? '';
  const before = await readFile(file, 'utf8');
  await rewrite(file, (text) => text.replace(/^title: "/m, 'title: "Elsewhere: '));
  expect((await into(config)).status).toBe(0);
  await writeFile(file, before);
  const back = await into(CONFIG);
  expect(back.status, back.stderr).toBe(0);
  expect(back.stdout).toMatch(/0 to write/);
  await expectIndexIsTheCut();
});
