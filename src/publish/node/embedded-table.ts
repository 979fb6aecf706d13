// The local memory a publish keeps between runs (the compile cache, the record memo, the file
// table): an embedded LMDB store (the `lmdb` package, prebuilt for each platform), one file per
// table beside the local state. A key is found through the store's B-tree, so opening it reads
// nothing and a publish reads only the entries it asks for: the JSON-lines files it replaces had
// to be scanned whole (530 MB at 100,000 articles) to find any line. A save commits a few thousand
// entries at a time: LMDB holds a transaction's pages in memory until it commits, and one
// transaction for a first publish's 470,000 entries was its peak (500 MB more at 100,000 articles).
// A publish killed while saving leaves whole entries, some new and the rest as before: each
// caller either has entries that stand alone (a group's output, a file's stamp) or orders its
// saves so that what one entry needs of another is always there (a compiled article's body is
// added before its entry, and kept while an entry names it), and puts last what vouches for the
// others (the file table's writer token after its rows). A table saved afresh (a first publish, or
// new code) is written in key order instead, and its header last: killed before the header, it
// reads as another code's table, so nothing in it is trusted (freshOrder says why the order).
// Values are JSON text, parsed when asked for.
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { open, type RootDatabase } from 'lmdb';

/** Where the table names the code that wrote it: not a hex digest, so never an entry's key. */
const HEADER_KEY = '~header';

/** What the table held when opened: empty when absent, unreadable or written for other code. */
export interface StoredEntries<V> {
  get(key: string): V | undefined;
  /** Whether the table holds `key` (LMDB copies the value out to answer: cheap for small entries only). */
  has(key: string): boolean;
}

/** The keys a publish used, as a save asks about them: whether it names a key, and how many it names. */
type LiveKeys = Pick<ReadonlySet<string>, 'has' | 'size'>;

export interface EmbeddedTable<V> {
  readonly previous: StoredEntries<V>;
  /** Whether the table held entries for this header when opened (the same code, the same generation). */
  readonly continued: boolean;
  /**
   * Adds `added` in its order (a table saved afresh: in key
   * order, its header last), a batch per transaction, and drops every other
   * entry that `live` does not name once they are most of the table (by `live.size`), so the table
   * follows the archive rather than its history; without `live`, drops nothing. `live` is the keys
   * this publish used, or a rule that names more (the compile cache keeps a body its entry names).
   * Afterwards `previous` can no longer be read.
   */
  save(added: ReadonlyMap<string, V>, live: LiveKeys | undefined): Promise<void>;
  /** The same, each entry held as the caller likes and made JSON text by `encode` (parked text as it is). */
  save<H>(
    added: ReadonlyMap<string, H>,
    live: LiveKeys | undefined,
    encode: (held: H) => string,
  ): Promise<void>;
  /**
   * Empties the table now, before anything else is saved (what it holds can no longer be trusted):
   * `previous` reads as empty, and the next save starts the table afresh.
   */
  clear(): Promise<void>;
  /** Lets go of the table without saving (a publish that stops early); safe to call again. */
  close(): void;
}

/** The store's own files: the table and its lock file. */
function removeStore(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}-lock`, { force: true });
}

/**
 * What earlier versions kept where a table now is (`name.mdb`): a JSON-lines file, or one JSON
 * document rewritten whole. Superseded by the table's first save, and removed then.
 */
async function removeSupersededFiles(path: string): Promise<void> {
  if (!path.endsWith('.mdb')) return;
  const base = path.slice(0, -'.mdb'.length);
  await Promise.all([rm(`${base}.jsonl`, { force: true }), rm(`${base}.json`, { force: true })]);
}

/** Entries written per transaction when a table is saved (a few MB of pages held until each commits). */
const SAVE_BATCH = 2000;

/**
 * The order a table saved afresh takes its entries in: sorted, and appended (LMDB's MDB_APPEND)
 * when the sort is the store's own byte order. In the caller's order, each entry landed on a
 * random page of the B-tree: every page of the file was touched, and a touched page of a mapped
 * file counts as the process's resident memory (1.1 GiB of a 100,000-article publish's peak, for
 * the record memo's save), half-filled pages made the file larger, and the save took several times
 * longer. Appended in order, LMDB fills each page and touches only the last ones. The store
 * orders keys by their UTF-8 bytes, which is JavaScript's order unless a key holds a surrogate
 * (UTF-16) or a control character (the key encoding escapes some): then they are put in order,
 * without appending, as LMDB does not put a key appended out of its order.
 */
function freshOrder(keys: Iterable<string>): { keys: string[]; append: boolean } {
  const sorted = [...keys].sort();
  return { keys: sorted, append: sorted.every(sortsAsStored) };
}

/** Whether the key sorts in the store as JavaScript sorts it: no control character, no surrogate. */
function sortsAsStored(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}

/** LMDB's two meta pages each carry its magic number at this offset (as this build lays them out). */
const PAGE_BYTES = 4096;
const MAGIC_OFFSET = 0x18;
const MAGIC = 0xbeefc0de;

/**
 * Whether the file at `path` is absent or begins as an LMDB store does, in whole pages. LMDB maps
 * the file and trusts what it finds: opening anything else (a file overwritten, or cut inside a
 * page) crashes the process rather than throwing, so the file is checked first. (A store cut at a
 * page boundary passes this check; LMDB's own file may end before its last page, so no stricter
 * one is sound.)
 */
function looksLikeStore(path: string): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return true;
  }
  if (size < 2 * PAGE_BYTES || size % PAGE_BYTES !== 0) return false;
  const fd = openSync(path, 'r');
  try {
    const meta = Buffer.alloc(4);
    for (const page of [0, 1]) {
      readSync(fd, meta, 0, 4, page * PAGE_BYTES + MAGIC_OFFSET);
      if (meta.readUInt32LE(0) !== MAGIC) return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

function openStore(path: string): RootDatabase<string, string> {
  if (!looksLikeStore(path)) throw new Error(`${path} is not an LMDB store`);
  // Values are JSON text: the same text the earlier files held, and bodies stay strings.
  // Pages of the size looksLikeStore reads, whatever the system's own (16 KiB on some ARM machines).
  return open<string, string>({ path, encoding: 'string', compression: false, pageSize: PAGE_BYTES });
}

/** `what` names the table in the warning printed when it cannot be read. */
export async function openEmbeddedTable<V>(
  path: string,
  header: string,
  what: string,
): Promise<EmbeddedTable<V>> {
  let db: RootDatabase<string, string> | undefined;
  // Whether the entries are this code's: a table for other code reads as empty and is replaced when saved.
  let current = false;
  try {
    // No table yet: none is made until a save, so a publish refused early leaves no file behind.
    if (existsSync(path)) {
      db = openStore(path);
      current = db.get(HEADER_KEY) === header;
    }
  } catch (error) {
    // Not a store this code can open (a damaged file): everything is built, as on a first publish,
    // and the next save starts the table afresh.
    console.warn(`publish: ignoring the ${what} (${error})`);
    if (db) await db.close().catch(() => undefined);
    db = undefined;
  }
  let store = db;
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error(`the ${what} is closed`);
  };
  const readable = () => {
    ensureOpen();
    return current && store !== undefined;
  };
  const previous: StoredEntries<V> = {
    get(key) {
      if (!readable()) return undefined;
      const text = store?.get(key);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as V;
      } catch {
        // An entry this code cannot read is simply built again.
        return undefined;
      }
    },
    has: (key) => readable() && store?.doesExist(key) === true,
  };
  // The table's file goes, what it held with it: read as empty until a save starts it afresh.
  const removeOpenStore = async () => {
    await store?.close();
    removeStore(path);
    store = undefined;
    current = false;
  };
  const close = () => {
    if (closed) return;
    closed = true;
    store?.close().catch(() => undefined);
  };
  return {
    previous,
    continued: current,
    close,
    async clear() {
      ensureOpen();
      await removeOpenStore();
    },
    async save(
      added: ReadonlyMap<string, unknown>,
      live: LiveKeys | undefined,
      encode: (held: unknown) => string = (held) => JSON.stringify(held),
    ) {
      ensureOpen();
      if (!current || !store) {
        // Another generation's entries (or none readable) are of no use: the table starts afresh,
        // and LMDB, which never shrinks its file, gives back the space they took.
        await removeOpenStore();
        await mkdir(dirname(path), { recursive: true });
        store = openStore(path);
      }
      const target = store;
      // Stale entries are dropped once they outnumber the live ones (by a thousand): a sweep reads
      // every key, so it happens about once per archive's worth of edits.
      const count = (target.getStats() as { entryCount: number }).entryCount;
      const stale: string[] = [];
      if (current && live && count - 1 > 2 * live.size + 1000)
        for (const key of target.getKeys())
          if (key !== HEADER_KEY && !live.has(key) && !added.has(key)) stale.push(key);
      // Nothing to add or drop: the file is left exactly as it was.
      if (current && added.size === 0 && stale.length === 0) {
        close();
        await removeSupersededFiles(path);
        return;
      }
      const writes: (() => void)[] = [];
      const flush = () => {
        target.transactionSync(() => {
          for (const write of writes) write();
        });
        writes.length = 0;
      };
      const fresh = !current;
      // A table saved afresh is written in key order, each entry appended (freshOrder), and its
      // header last: killed before that, it reads as another code's table and starts afresh again.
      const appended = fresh ? freshOrder(added.keys()) : undefined;
      const order = appended?.keys ?? added.keys();
      const flags = { append: appended?.append === true };
      for (const key of order) {
        const held = added.get(key) as unknown;
        writes.push(() => {
          // LMDB answers an append out of its order by not putting the entry, not by an error:
          // putSync returns false (its types say void).
          if ((target.putSync(key, encode(held), flags) as unknown) === false)
            throw new Error(`the ${what} was not saved: ${JSON.stringify(key)} is out of order`);
        });
        if (writes.length === SAVE_BATCH) flush();
      }
      for (const key of stale) {
        writes.push(() => target.removeSync(key));
        if (writes.length === SAVE_BATCH) flush();
      }
      if (writes.length > 0) flush();
      if (fresh) target.transactionSync(() => target.putSync(HEADER_KEY, header));
      current = true;
      close();
      await removeSupersededFiles(path);
    },
  };
}
