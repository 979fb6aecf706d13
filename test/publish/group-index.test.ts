// The group index (src/publish/group-index.ts), as real publishes of real files leave it: for every
// article, the placed groups it names are exactly those a whole cut of the same content lists the
// article in (builder, first key, recipe and members), and the file key it names is the article's
// file's. The groups an edit shows in, made again by their builders from the recipes the index
// holds and their members read by id through the compile cache, hold what KV holds after the edit,
// byte for byte. Checked after a first publish, an edit in place, an article added, one re-dated and
// one deleted, a dry run and a repair.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CompiledContent, compileContent } from '../../src/content/compile';
import type { IndexedGroup } from '../../src/publish/group-index';
import { ARTICLE_RECORDS } from '../../src/publish/indexes/article-records';
import { buildGroups, INDEX_BUILDERS } from '../../src/publish/indexes/index-builder';
import { contentKey, openCompileCache } from '../../src/publish/node/compile-cache';
import { openGroupIndex, type PersistentGroupIndex } from '../../src/publish/node/group-index-file';
import { readContent } from '../../src/publish/node/read-content';
import { openRecordMemo } from '../../src/publish/node/record-memo-file';
import { plainGroupContext } from '../support/group-context';
import { syntheticCheckout } from './checkout';
import { CONFIG, runPublish } from './command';
import { readKvEntries } from './local-state';

const ENV = { ...process.env, SOURCE_DATE_EPOCH: '1767500000' };
const BUILDERS = [ARTICLE_RECORDS, ...INDEX_BUILDERS];
/** The keys of records no placed group makes (index-builder.ts PlacedGroup). */
const NOT_PLACED =
  /^(writer:v1|site:v1|changes:v1:\d+|feed:v1:(site|section:[a-z-]+):(rss|atom|json)|api:v1:articles:modified:\w+|search:v2:.+)$/;

let archive: string;
let state: string;

beforeAll(async () => {
  archive = await syntheticCheckout('mirrorwire-group-index-', { count: 60, images: 0 });
  state = join(archive, 'state');
  await publish();
});

afterAll(() => rm(archive, { recursive: true, force: true }));

async function publish(...args: string[]) {
  const run = await runPublish(['--local', '--persist-to', state, '--config', CONFIG, ...args], {
    cwd: archive,
    env: ENV,
  });
  expect(run.status, run.stderr).toBe(0);
  return run;
}

const context = plainGroupContext();

/** The content as the publish compiled it, and each article's file by id. */
async function currentContent() {
  const input = await readContent(join(archive, 'content'));
  const content = compileContent(input);
  const fileOf = (id: number) => input.articles.find((file) => file.path === content.ids?.get(id)?.path);
  return { input, content, fileOf };
}

/** Every placed group of a whole cut, as the index gives them. */
function wholeCut(content: CompiledContent): IndexedGroup[] {
  const groups: IndexedGroup[] = [];
  for (const builder of BUILDERS)
    for (const group of builder.groups(content, context)) {
      if (!group.placed) continue;
      const [key = ''] = group.placed.keys();
      const members = group.placed.members.map((member) => member.id);
      groups.push({ builder: builder.name, key, recipe: [...group.placed.recipe], members });
    }
  return groups;
}

const sorted = (groups: readonly IndexedGroup[]) =>
  [...groups].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

async function withIndex<T>(use: (index: PersistentGroupIndex) => Promise<T>): Promise<T> {
  const memo = await openRecordMemo(join(state, 'mirrorwire-records.mdb'));
  const { code } = memo;
  memo.close();
  const index = await openGroupIndex(join(state, 'mirrorwire-groups'), { code, trust: true });
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
  const db = new ClassicLevel<string, string>(join(state, 'mirrorwire-groups'), { createIfMissing: false });
  await db.open();
  await db.batch(Object.entries(entries).map(([key, value]) => ({ type: 'put' as const, key, value })));
  await db.close();
}

function filesOf(content: CompiledContent) {
  return content.articles.map((article) => content.ids?.get(article.id)?.path ?? '');
}

async function rewrite(path: string, change: (text: string) => string) {
  const text = await readFile(path, 'utf8');
  const changed = change(text);
  expect(changed).not.toBe(text);
  await writeFile(path, changed);
}

it('names, after a first publish, every group a whole cut lists each article in', async () => {
  await expectIndexIsTheCut();
});

it('remakes, from the recipes and members it names, what KV holds after an edit in place', async () => {
  const { content } = await currentContent();
  // A middle article: in a closed bucket, a feed archive, a month's sitemap and its neighbours' teasers.
  const middle = content.articles[30];
  if (!middle) throw new Error('no middle article');
  await rewrite(filesOf(content)[30] ?? '', (text) => text.replace(/^title: "/m, 'title: "Corrected: '));
  const dry = await publish('--dry-run');
  const planned = [...dry.stdout.matchAll(/^ {2}write (\S+)$/gm)].map((match) => match[1] ?? '');
  const run = await publish();
  expect(run.stdout).toMatch(/1 article\(s\) edited in place/);
  await expectIndexIsTheCut();
  // The cache's generation names site.yaml by its path and the libraries found from the working
  // directory: read as the publish read them, from its folder.
  const here = process.cwd();
  process.chdir(archive);
  const cache = await readContent('content')
    .then((input) => openCompileCache(join(state, 'mirrorwire-compiled.mdb'), input))
    .finally(() => process.chdir(here));
  expect(cache.continued).toBe(true);
  const kv = await readKvEntries(state);
  try {
    const remade = await withIndex(async (index) => {
      const values = new Map<string, string>();
      for (const group of await index.groupsOf(middle.id)) {
        const remake = BUILDERS.find((builder) => builder.name === group.builder)?.remake;
        if (!remake) throw new Error(`${group.builder} has no remake`);
        const keys = await index.fileKeysOf(group.members);
        const members = group.members.map((id, at) => {
          const key = keys[at];
          const member = key === undefined ? undefined : cache.storedArticle(key);
          if (!member) throw new Error(`article ${id} is not in the compile cache`);
          return member;
        });
        for (const [key, value] of buildGroups([remake(content.site, group.recipe, members, context)]))
          values.set(key, value);
      }
      return values;
    });
    // Its own records, its bucket, its term pages and feeds, its sitemap part and more.
    expect(remade.size).toBeGreaterThan(10);
    expect(remade.get(`article:v1:${middle.id}`)).toContain('Corrected: ');
    // Every other key the edit wrote is of a group that is not placed, made another way: the
    // writer token, the change log, the site's and sections' feeds, the `modified` scope's buckets,
    // the search index and the manifest.
    const others = planned.filter((key) => !remade.has(key));
    expect(others.filter((key) => !NOT_PLACED.test(key))).toEqual([]);
    expect(planned.filter((key) => remade.has(key)).length).toBeGreaterThan(10);
    for (const [key, value] of remade) expect(value, key).toBe(kv.get(key)?.value);
  } finally {
    cache.close();
  }
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
    join(archive, 'content/articles/added.md'),
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
  expect(dry.stdout).toMatch(/1 article\(s\) edited in place/);
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
  const config = join(archive, 'other.toml');
  await writeFile(
    config,
    (await readFile(CONFIG, 'utf8')).replace(
      /(binding = "ARTICLES"\nid = ")0{32}"/,
      '$1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"',
    ),
  );
  expect(await readFile(config, 'utf8')).toContain('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
  const into = (configPath: string) =>
    runPublish(['--local', '--persist-to', state, '--config', configPath], { cwd: archive, env: ENV });
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
