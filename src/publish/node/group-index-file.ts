// The group index (../group-index.ts) on disk, beside the record memo: a LevelDB store (the
// `classic-level` package, prebuilt for each platform), as a folder. A publish into an index not
// complete records every placed and indexed group as the builders take them, in their order rather than the
// keys' (2.6 million entries at 100,000 articles): LevelDB logs writes in any order and sorts them
// later, where the embedded tables' LMDB would put each into its B-tree at once, at several times
// the time and the memory (docs/performance.md, "The group index"). Its entries:
//   `~header`          the format and the code that made the recipes (the record memo's digest);
//   `~recorded`        the writer token KV held when the index was saved whole: it vouches for the
//                      rest, so it is deleted before a publish's first write and put after its last;
//   `~lingering`       how many parts of the search index's older layout the publish left in KV
//                      (lingeringSearchParts): an edit by key reads no listing to find them;
//   `g:<key>`          the placed or indexed group whose first key is `key`: [builder, recipe,
//                      member ids];
//   `p:<id>:<key>`     empty: the article `id` is listed by the group `key`, or was (a pair whose group
//                      no longer lists it is passed over: the group decides);
//   `k:<id>`           the compile cache's key (contentKey) of the article's file.
// LevelDB applies writes in the order given, and what a crash loses of its log is an end of it:
// never a write without the ones before. Stale pairs are not swept: they are bounded by the
// memberships the archive has had since the index was last started afresh (any new code does).
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import type { CompiledContent } from '../../content/compile';
import type { GroupIndexSink, GroupRecorder, IndexedGroup } from '../group-index';
import { ARTICLE_RECORDS } from '../indexes/article-records';
import type { PlacedGroup } from '../indexes/index-builder';
import type { Recipe } from '../indexes/recipe';
import { contentKeyOf, type PersistentCompileCache } from './compile-cache';

const FORMAT = 1;
const HEADER_KEY = '~header';
const RECORDED_KEY = '~recorded';
const LINGERING_KEY = '~lingering';

/** Writes sent to the store at a time: one batch is written while the next is filled. */
const BATCH_WRITES = 10_000;

const groupKey = (key: string) => `g:${key}`;
const pairPrefix = (id: number) => `p:${id}:`;
const fileKey = (id: number) => `k:${id}`;

export interface PersistentGroupIndex extends GroupIndexSink {
  /**
   * The writer token KV held when the index was saved whole (FileTable.recordedWith); undefined when
   * it holds nothing to read: none saved, other code, a publish that stopped, a repair.
   */
  readonly recordedWith: string | null | undefined;
  /**
   * Whether KV may still hold parts of the search index's older layout, as the publish that saved
   * the index left it (any when not known).
   */
  readonly olderSearchParts: boolean;
  /** The placed and indexed groups that list the article, each as the index holds it. */
  groupsOf(id: number): Promise<IndexedGroup[]>;
  /** The group whose first key is `key`, as the index holds it. */
  group(key: string): Promise<IndexedGroup | undefined>;
  /** Every group the index holds, in the order of their keys. */
  groups(): AsyncIterable<IndexedGroup>;
  /**
   * The compile cache's key of each article's file when it was last built, in the order asked
   * (PersistentCompileCache.storedArticle): read together, as a group lists up to hundreds.
   */
  fileKeysOf(ids: readonly number[]): Promise<(string | undefined)[]>;
  /**
   * Records the end of the publish begun (GroupIndexSink.begin), once its writes succeeded: its
   * last groups, the groups whose keys it deleted forgotten, and the writer token KV holds now.
   */
  save(writer: string | null, deleted: Iterable<string>, lingering: number): Promise<void>;
  /** Lets go of the store without saving; safe to call again. */
  close(): Promise<void>;
}

type StoredGroup = [builder: string, recipe: Recipe, members: number[]];

/** With `trust: false` (a repair), nothing stored is read, and the publish starts the index afresh. */
export async function openGroupIndex(
  path: string,
  options: { code: string; trust: boolean },
): Promise<PersistentGroupIndex> {
  const header = JSON.stringify({ format: FORMAT, code: options.code });
  let db: ClassicLevel<string, string> | undefined;
  let recorded: string | undefined;
  let lingeringParts: string | undefined;
  // No folder yet: none is made until a publish records into it, so a refused one leaves nothing.
  if (existsSync(path)) {
    try {
      db = new ClassicLevel<string, string>(path, { createIfMissing: false });
      await db.open();
      if ((await db.get(HEADER_KEY)) === header) {
        recorded = await db.get(RECORDED_KEY);
        lingeringParts = await db.get(LINGERING_KEY);
      }
    } catch (error) {
      // Held by another process: not damage, and nothing to start afresh under it.
      if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') throw error;
      // Not a store this code can open (a damaged folder): the publish starts it afresh.
      console.warn(`publish: ignoring the group index (${error})`);
      await db?.close().catch(() => undefined);
      db = undefined;
    }
  }
  const recordedWith =
    options.trust && recorded !== undefined ? (JSON.parse(recorded) as string | null) : undefined;
  /** Whether this publish found the index complete (begin); undefined until it began. */
  let complete: boolean | undefined;
  let batch: ReturnType<ClassicLevel<string, string>['batch']> | undefined;
  let inFlight: Promise<void> | undefined;
  let started: Promise<ClassicLevel<string, string>> | undefined;
  let closed = false;

  /** The store, ready for this publish's writes: its voucher deleted, or the folder started afresh. */
  const start = async (): Promise<ClassicLevel<string, string>> => {
    if (closed) throw new Error('the group index is closed');
    if (complete && db) {
      await db.del(RECORDED_KEY);
      return db;
    }
    await db?.close();
    db = undefined;
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
    const fresh = new ClassicLevel<string, string>(path);
    db = fresh;
    await fresh.open();
    await fresh.put(HEADER_KEY, header);
    return fresh;
  };
  /** Sends the batch filled so far, once the one before it is written. */
  const send = async () => {
    if (!batch || batch.length === 0) return;
    const full = batch;
    batch = undefined;
    await inFlight;
    inFlight = full.write();
    // Awaited by the next send or the save; a publish that stops before either is not told.
    inFlight.catch(() => undefined);
  };
  const write = async (entries: Iterable<readonly [string, string]>) => {
    started ??= start();
    const store = await started;
    batch ??= store.batch();
    for (const [key, value] of entries) batch.put(key, value);
    if (batch.length >= BATCH_WRITES) await send();
  };
  const readable = () => recordedWith !== undefined && db !== undefined && !closed && started === undefined;

  const recorder: GroupRecorder = {
    get complete() {
      return complete === true;
    },
    async record(builder: string, group: PlacedGroup) {
      const [key] = group.keys();
      if (key === undefined) throw new Error(`a group of the ${builder} builder has no key`);
      const ids = group.members.map((member) => member.id);
      const entries: [string, string][] = [[groupKey(key), JSON.stringify([builder, group.recipe, ids])]];
      for (const id of ids) entries.push([`${pairPrefix(id)}${key}`, '']);
      // An article's own records list it first: the one group every published article has, and
      // built again whenever its file's text changes (the article is named by a digest of that).
      const subject = group.members[0];
      const compiledFrom = subject && builder === ARTICLE_RECORDS.name ? contentKeyOf(subject) : undefined;
      if (subject && compiledFrom !== undefined) entries.push([fileKey(subject.id), compiledFrom]);
      await write(entries);
    },
  };
  return {
    recordedWith,
    olderSearchParts: recordedWith === undefined || lingeringParts !== '0',
    begin(writer) {
      if (complete !== undefined) throw new Error('the group index was begun twice');
      complete = recordedWith !== undefined && recordedWith === writer;
      return recorder;
    },
    async groupsOf(id) {
      if (!readable() || !db) return [];
      const prefix = pairPrefix(id);
      const keys: string[] = [];
      // ';' follows ':': every key of the article's pairs, and no other article's.
      for await (const pair of db.keys({ gte: prefix, lt: `${prefix.slice(0, -1)};` }))
        keys.push(pair.slice(prefix.length));
      const stored = await db.getMany(keys.map(groupKey));
      const groups: IndexedGroup[] = [];
      for (const [at, key] of keys.entries()) {
        const value = stored[at];
        if (value === undefined) continue;
        const [builder, recipe, members] = JSON.parse(value) as StoredGroup;
        if (members.includes(id)) groups.push({ builder, key, recipe, members });
      }
      return groups;
    },
    async group(key) {
      const stored = readable() && db ? await db.get(groupKey(key)) : undefined;
      if (stored === undefined) return undefined;
      const [builder, recipe, members] = JSON.parse(stored) as StoredGroup;
      return { builder, key, recipe, members };
    },
    async *groups() {
      if (!readable() || !db) return;
      for await (const [key, stored] of db.iterator({ gte: 'g:', lt: 'g;' })) {
        const [builder, recipe, members] = JSON.parse(stored) as StoredGroup;
        yield { builder, key: key.slice('g:'.length), recipe, members };
      }
    },
    fileKeysOf: async (ids) => (readable() && db ? db.getMany(ids.map(fileKey)) : ids.map(() => undefined)),
    async save(writer, deleted, lingering) {
      if (complete === undefined) throw new Error('the group index was saved without a publish begun');
      const forgotten = [...deleted].map(groupKey);
      const voucher = JSON.stringify(writer);
      // Nothing recorded or forgotten, and KV's token and parts the same: the index is left as it was.
      if (
        !started &&
        forgotten.length === 0 &&
        complete &&
        recorded === voucher &&
        lingeringParts === String(lingering)
      )
        return;
      started ??= start();
      const store = await started;
      // A group whose keys were deleted is gone: its entry goes, and its pairs are passed over.
      batch ??= store.batch();
      for (const key of forgotten) batch.del(key);
      batch.put(LINGERING_KEY, String(lingering));
      await send();
      await inFlight;
      await store.put(RECORDED_KEY, voucher);
    },
    async close() {
      if (closed) return;
      closed = true;
      await batch?.close().catch(() => undefined);
      await inFlight?.catch(() => undefined);
      await db?.close().catch(() => undefined);
    },
  };
}

/**
 * The articles as last published, in the order asked (placed-by-key.ts PlacedByKeySource.articles):
 * each one's file key from the index, the article read by it from the compile cache.
 */
export function publishedArticles(
  index: Pick<PersistentGroupIndex, 'fileKeysOf'>,
  cache: Pick<PersistentCompileCache, 'storedArticle'>,
): (ids: readonly number[]) => Promise<CompiledContent['articles'][number][]> {
  return async (ids) =>
    (await index.fileKeysOf(ids)).map((key, at) => {
      const article = key === undefined ? undefined : cache.storedArticle(key);
      if (!article) throw new Error(`article ${ids[at]} is not in the compile cache`);
      return article;
    });
}
