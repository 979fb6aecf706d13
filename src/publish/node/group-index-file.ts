// The group index (../group-index.ts) on disk, beside the record memo: a LevelDB store (the
// `classic-level` package, prebuilt for each platform), as a folder. A first publish records every
// placed group as the builders take them, in their order, not the keys': at 100,000 articles about
// 2.7 million entries. LevelDB takes writes in any order into a log and sorts them later; the
// embedded tables' LMDB puts each into its B-tree at once, and in a script beside the repository
// 1,000,000 such writes took 23.4 s and 715 MiB resident into LMDB against 3.5 s and 107 MiB into
// LevelDB. Its entries:
//   `~header`          the format and the code that made the recipes (the record memo's digest);
//   `~recorded`        the writer token KV held when the index was last saved: it vouches for the
//                      rest, so it is deleted before a publish's first write and put after its last;
//   `g:<key>`          the placed group whose first key is `key`: [builder, recipe, member ids];
//   `p:<id>:<key>`     empty: the article `id` is listed by the group `key` (or was: a pair whose
//                      group no longer lists it is passed over, and its group decides);
//   `k:<id>`           the compile cache's key (contentKey) of the article's file, for reading it by id.
// A publish writes only what it built; one whose index is not continued (new code, a repair, a
// publish that stopped before its save) starts the folder afresh and records every group.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import type { GroupIndexSink, IndexedGroup } from '../group-index';
import { ARTICLE_RECORDS } from '../indexes/article-records';
import type { PlacedGroup } from '../indexes/index-builder';
import type { Recipe } from '../indexes/recipe';
import { contentKeyOf } from './compile-cache';

const FORMAT = 1;
const HEADER_KEY = '~header';
const RECORDED_KEY = '~recorded';

/** Writes sent to the store at a time: one batch is written while the next is filled. */
const BATCH_WRITES = 10_000;

const groupKey = (key: string) => `g:${key}`;
const pairPrefix = (id: number) => `p:${id}:`;
const articleKeyOf = (id: number) => `k:${id}`;

export interface PersistentGroupIndex extends GroupIndexSink {
  /** Whether the index was saved by the same code after a publish that finished: only then is it read. */
  readonly continued: boolean;
  /** The writer token KV held when the index was saved (see FileTable.recordedWith); undefined when not continued. */
  recordedWith(): string | null | undefined;
  /** The placed groups that list the article, each as the index holds it. */
  groupsOf(id: number): Promise<IndexedGroup[]>;
  /** The compile cache's key of the article's file when it was last built (PersistentCompileCache.storedArticle). */
  contentKeyOf(id: number): Promise<string | undefined>;
  /**
   * Records the end of a publish whose writes succeeded: its last groups, the groups named by keys
   * it deleted forgotten, and the writer token KV holds now. Without a group recorded or a key
   * deleted, the index is left as it was.
   */
  save(writer: string | null, deleted: Iterable<string>): Promise<void>;
  /** Lets go of the store without saving; safe to call again. */
  close(): Promise<void>;
}

type StoredGroup = [builder: string, recipe: Recipe, members: number[]];

/** With `trust: false` (a repair), nothing stored is read, and the first write starts afresh. */
export async function openGroupIndex(
  path: string,
  options: { code: string; trust: boolean },
): Promise<PersistentGroupIndex> {
  const header = JSON.stringify({ format: FORMAT, code: options.code });
  let db: ClassicLevel<string, string> | undefined;
  let recorded: string | undefined;
  // No folder yet: none is made until a publish records a group, so a refused one leaves nothing.
  if (existsSync(path)) {
    try {
      db = new ClassicLevel<string, string>(path, { createIfMissing: false });
      await db.open();
      if ((await db.get(HEADER_KEY)) === header) recorded = await db.get(RECORDED_KEY);
    } catch (error) {
      // Not a store this code can open (a damaged folder): the first write starts it afresh.
      console.warn(`publish: ignoring the group index (${error})`);
      await db?.close().catch(() => undefined);
      db = undefined;
    }
  }
  const continued = options.trust && recorded !== undefined;
  let batch: ReturnType<ClassicLevel<string, string>['batch']> | undefined;
  let inFlight: Promise<void> | undefined;
  let started: Promise<ClassicLevel<string, string>> | undefined;
  let closed = false;

  /** The store, ready for this publish's writes: its voucher deleted, or the folder started afresh. */
  const start = async (): Promise<ClassicLevel<string, string>> => {
    if (closed) throw new Error('the group index is closed');
    if (continued && db) {
      await db.del(RECORDED_KEY);
      return db;
    }
    await db?.close();
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
    const fresh = new ClassicLevel<string, string>(path);
    await fresh.open();
    await fresh.put(HEADER_KEY, header);
    db = fresh;
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
  const read = async (key: string): Promise<string | undefined> =>
    continued && db && !closed ? db.get(key) : undefined;

  return {
    continued,
    complete: continued,
    recordedWith: () =>
      continued && recorded !== undefined ? (JSON.parse(recorded) as string | null) : undefined,
    async record(builder: string, group: PlacedGroup) {
      const [key] = group.keys();
      if (key === undefined) throw new Error(`a placed group of the ${builder} builder has no key`);
      const ids = group.members.map((member) => member.id);
      const entries: [string, string][] = [[groupKey(key), JSON.stringify([builder, group.recipe, ids])]];
      for (const id of ids) entries.push([`${pairPrefix(id)}${key}`, '']);
      // An article's own records list it first: the one group every published article has.
      const subject = group.members[0];
      const fileKey = subject && builder === ARTICLE_RECORDS.name ? contentKeyOf(subject) : undefined;
      if (subject && fileKey !== undefined) entries.push([articleKeyOf(subject.id), fileKey]);
      await write(entries);
    },
    async groupsOf(id) {
      if (!continued || !db || closed) return [];
      const prefix = pairPrefix(id);
      const groups: IndexedGroup[] = [];
      // ';' follows ':': every key of the article's pairs, and no other article's.
      for await (const pair of db.keys({ gte: prefix, lt: `${prefix.slice(0, -1)};` })) {
        const key = pair.slice(prefix.length);
        const stored = await db.get(groupKey(key));
        if (stored === undefined) continue;
        const [builder, recipe, members] = JSON.parse(stored) as StoredGroup;
        if (members.includes(id)) groups.push({ builder, key, recipe, members });
      }
      return groups;
    },
    contentKeyOf: (id) => read(articleKeyOf(id)),
    async save(writer, deleted) {
      const forgotten: [string, string][] = [];
      for (const key of deleted) forgotten.push([groupKey(key), '']);
      if (!started && forgotten.length === 0) return;
      started ??= start();
      const store = await started;
      // A group whose keys were deleted is gone: its entry goes, and its pairs are passed over.
      batch ??= store.batch();
      for (const [key] of forgotten) batch.del(key);
      await send();
      await inFlight;
      await store.put(RECORDED_KEY, JSON.stringify(writer));
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
