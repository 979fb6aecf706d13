// Compiled articles from the previous publish, on disk beside the local state: an edit to one file
// recompiles that file only (Markdown, sanitising and validation cost ~1 ms per article, so 10,000
// unchanged files would otherwise cost seconds). Any change to site.yaml, an image or the compiler
// itself starts a new generation, and the whole cache is dropped.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CompileCache,
  type CompiledArticle,
  type ContentInput,
  keepCompiledDigest,
  keepImageSource,
} from '../../content/compile';
import type { SourceFile } from '../../content/problems';
import {
  type SourcedFields,
  type SourcedGetter,
  sourcedFields,
  sourcedGetter,
} from '../../shared/read-when-asked';
import type { Parked, Parking } from '../record-store';
import { openEmbeddedTable } from './embedded-table';
import { sha256HexSync } from './node-digest';
import { fileStamps, IMAGE_FACTS_VERSION, type ImageFacts, type ImageFile } from './read-content';
import type { FileStamp } from './stat-files';

/** Folders under src/ whose code shapes a compiled article: the compiler and the URL/GUID builders. */
const COMPILER_DIRS = ['content', 'sites'];

/** Hash of the compiler's own sources and the libraries that shape its output. */
async function compilerFingerprint(): Promise<string> {
  const srcDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const parts: string[] = [];
  for (const dir of COMPILER_DIRS) {
    for (const name of (await readdir(join(srcDir, dir))).sort())
      parts.push(`${dir}/${name}`, await readFile(join(srcDir, dir, name), 'utf8'));
  }
  for (const pkg of ['markdown-it', 'sanitize-html', 'yaml', 'zod']) {
    const manifest = join('node_modules', pkg, 'package.json');
    parts.push(
      pkg,
      existsSync(manifest)
        ? (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version
        : '',
    );
  }
  return sha256HexSync(parts.join('\u0000'));
}

/**
 * Where the cache keeps the bodies: a table of their own beside it (`compiled.mdb` →
 * `compiled-bodies.mdb`). A publish reads every article's entry and few bodies; LMDB's table is
 * mapped into memory, and in one file the bodies' pages around each entry read were mapped with
 * it (at 100,000 articles, 557 MB resident for about 130 MB of entries).
 */
export const bodiesPathOf = (path: string) => path.replace(/(\.mdb)?$/, '-bodies.mdb');

// A file's key, by the file as read (its text never changes): asked for when the cache is looked
// up, when a compiled entry is added and when the file table is saved, and each time the whole text
// was read back from the scratch file and hashed again (3 times a file in a first publish).
const contentKeys = new WeakMap<SourceFile, string>();

/**
 * A file's key in the cache: its text alone, so moving or renaming folders recompiles nothing (the
 * path only names the source in messages, and is set afresh on a hit).
 */
export function contentKey(file: SourceFile): string {
  let key = contentKeys.get(file);
  if (key === undefined) {
    key = sha256HexSync(file.text);
    contentKeys.set(file, key);
  }
  return key;
}

/** Where an article from the cache keeps its file's key, in a slot no spread copies. */
const CONTENT_KEY = Symbol('content key');

function keepContentKey(article: object, key: string): void {
  Object.defineProperty(article, CONTENT_KEY, { value: key });
}

function withContentKey(compiled: CompiledArticle, key: string): CompiledArticle {
  keepContentKey(compiled.article, key);
  return compiled;
}

/**
 * The key (contentKey) under which the cache holds the article, if it came from one: what reads
 * it again by key (storedArticle). A copy of the article, or one compiled without a cache, has none.
 */
export function contentKeyOf(article: CompiledArticle['article']): string | undefined {
  return (article as { [CONTENT_KEY]?: string })[CONTENT_KEY];
}

export interface PersistentCompileCache extends CompileCache {
  readonly hits: number;
  /** Whether the cache was saved in this generation (the same compiler, site.yaml and images). */
  readonly continued: boolean;
  /**
   * The article each file read this publish compiled to, by path: the files not known unchanged
   * since the last publish (read-content.ts `fileStamps`). Empty unless the cache `continued`.
   */
  readonly readThisTime: ReadonlyMap<string, CompiledArticle>;
  /** What the cache holds under `key` (contentKey), without its body: an earlier version of a file. */
  previousArticle(key: string): CompiledArticle | undefined;
  /**
   * The article the cache holds under `key` (contentKey), as a hit gives it: its body read when
   * asked. For a publish that reads an article by key (the group index names each one's key:
   * node/group-index-file.ts) rather than by its file.
   */
  storedArticle(key: string): CompiledArticle['article'] | undefined;
  /** Writes the entries used by this publish (stale ones are dropped) if anything changed. */
  /**
   * With `partial` (an edit by key, which compiled only the files it found changed), no entry is
   * taken for stale: those it did not use are still the archive's.
   */
  save(options?: { partial?: boolean }): Promise<void>;
  /** Lets go of the cache table without saving; safe to call again. */
  close(): void;
}

/**
 * The cache on disk is two embedded tables (embedded-table.ts) under a header naming the
 * generation: `key` → the compiled article without its body, and in the bodies' table `key` → the
 * body, so a hit parses the article without its body (about 1.3 KB) and reads the body only if
 * asked. A publish adds the articles it compiled, bodies first; a new generation replaces both,
 * and stale entries are dropped only once they are most of a table, so an edit writes two
 * entries, not the archive.
 * Every entry has its body in the bodies' table, whatever point a kill stops a save at (see save),
 * so a hit does not check; a body may outlive its entry until a later sweep.
 */
export async function openCompileCache(
  path: string,
  input: Pick<ContentInput, 'site' | 'images'>,
  /**
   * With `trust: false` (a repair), nothing stored is used, and the save starts both tables afresh.
   * With `bodiesWhenAsked`, a hit's body is read from its table when asked for, until the save
   * (which closes the tables), rather than when the hit is read.
   */
  options: { parking?: Parking; trust?: boolean; bodiesWhenAsked?: boolean } = {},
): Promise<PersistentCompileCache> {
  const generation = sha256HexSync(
    [await compilerFingerprint(), input.site.path, input.site.text, JSON.stringify([...input.images])].join(
      '\u0000',
    ),
  );
  const header = JSON.stringify({ format: 6, generation });
  // The same text in the same generation compiles to the same article: the pair names it.
  const digestOf = (key: string) => sha256HexSync(`${generation}\u0000${key}`);
  const store = await openEmbeddedTable<CompiledArticle>(path, header, 'compile cache');
  const bodies = await openEmbeddedTable<string>(bodiesPathOf(path), header, 'compile cache bodies');
  // Both tables of this generation, or neither is read (a publish killed between their saves).
  const continued = options.trust !== false && store.continued && bodies.continued;
  const previous = continued ? store.previous : undefined;
  // The keys this publish used (kept when stale entries are dropped), and what it compiled.
  const used = new Set<string>();
  // Each compiled entry as the JSON text the table stores, parked until the save.
  const added = new Map<string, Parked | string>();
  const addedBodies = new Map<string, string | Parked>();
  // A file known unchanged since it was last read (fileStamps) comes with its key, and is not hashed.
  const keyOf = (file: SourceFile) => fileStamps.get(file)?.key ?? contentKey(file);
  let hits = 0;
  const readThisTime = new Map<string, CompiledArticle>();
  // Articles from files that were read, not known unchanged: what an edit compares with their last
  // version. Only in a continued cache: without one, no edit is judged in place (edited-in-place.ts).
  const noted = (file: SourceFile, compiled: CompiledArticle) => {
    if (continued && fileStamps.get(file)?.key === undefined) readThisTime.set(file.path, compiled);
    return compiled;
  };
  // With somewhere to park it, a compiled article's body (most of its size) waits on disk until
  // read: a hit's in the bodies' table, where it already is; a fresh compile's in the scratch file.
  const { parking } = options;
  // What the build reads of an article a few times at most, and most of its size besides the body:
  // read back from its entry when asked for, not held for every article through the whole build.
  // A hit's entry is in the table; a fresh compile's is parked until the save. The entries read
  // last are kept a while: a build reads several fields of one article at a time, and an article's
  // page shows the few articles of its section just before it.
  const recentlyRead = new Map<string | Parked, Readonly<Record<string, unknown>>>();
  const readBack = sourcedFields<string | Parked>(READ_BACK, (source) => {
    let article = recentlyRead.get(source);
    if (article === undefined) {
      // Only a fresh compile's entry is parked (a number), and only with somewhere to park it.
      const entry =
        typeof source === 'string'
          ? store.previous.get(source)
          : parking && (JSON.parse(parking.unpark(source)) as CompiledArticle);
      if (!entry)
        throw new Error(`the compile cache's ${path} no longer holds ${source}: publish again with --repair`);
      article = entry.article;
      if (recentlyRead.size >= RECENTLY_READ)
        recentlyRead.delete(recentlyRead.keys().next().value as string | Parked);
      recentlyRead.set(source, article);
    }
    return article;
  });
  // One string per photo for the src a lean article keeps (imageSourceOf): a hit's parsed entry
  // would give every article its own copy, where an archive's articles share their photos.
  const imageSources = new Map<string, string>();
  if (parking)
    for (const asset of input.images.values()) if ('src' in asset) imageSources.set(asset.src, asset.src);
  const imageSrcOf = (article: CompiledArticle['article']) => {
    const src = article.image?.src;
    return src === undefined ? undefined : (imageSources.get(src) ?? src);
  };
  // An article's body, read when asked for from where it is: a hit's from the bodies' table (by its
  // key), a fresh compile's from the scratch file (parked). The source sits in the article's slot,
  // not in a closure of its own: two closures an article were about 100 bytes each through the build.
  const readBody = (source: string | Parked): string => {
    if (typeof source === 'number') return (parking as Parking).unpark(source);
    const body = bodies.previous.get(source);
    // Only if the file was changed by other means (a copy from elsewhere): a repair starts afresh.
    if (typeof body !== 'string')
      throw new Error(
        `the compile cache's ${bodiesPathOf(path)} no longer holds the body of ${source}: publish again with --repair`,
      );
    return body;
  };
  const bodyOf = sourcedGetter<object, string | Parked>('bodyHtml', readBody);
  const shared = sharedStrings();
  /** The entry under `key`, completed as a hit is: its body and READ_BACK fields read when asked. */
  const completed = (key: string): CompiledArticle | undefined => {
    // Its body is in the bodies' table (see save), not read until asked for: asking LMDB whether
    // it is there copies it out, which mapped the whole bodies' file into an edit.
    const stored = previous?.get(key);
    if (!stored) return undefined;
    used.add(key);
    // A fresh object from the table, this caller's alone: completed, not copied twice.
    const digest = digestOf(key);
    if (parking)
      stored.article = leanArticle(stored.article, {
        bodyOf,
        bodySource: key,
        readBack,
        source: key,
        imageSrc: imageSrcOf(stored.article),
        digest,
        key,
        shared,
      });
    else {
      // An edit by key reads the hundreds of articles its groups list, and few of those groups
      // show a body (a feed's items do; a list's summaries, a sitemap's entries do not).
      if (options.bodiesWhenAsked) bodyOf(stored.article, key);
      else stored.article.bodyHtml = readBody(key);
      keepCompiledDigest(stored.article, digest);
      keepContentKey(stored.article, key);
    }
    stored.digest = digest;
    return stored;
  };
  return {
    get hits() {
      return hits;
    },
    continued,
    readThisTime,
    previousArticle(key) {
      return previous?.get(key);
    },
    get(file) {
      const key = keyOf(file);
      const stored = completed(key);
      if (!stored) return undefined;
      hits++;
      stored.source = file.path;
      return noted(file, stored);
    },
    storedArticle: (key) => completed(key)?.article,
    set(file, compiled) {
      // Keyed on the text just compiled, whatever key the file came with.
      const key = contentKey(file);
      const { bodyHtml } = compiled.article;
      // The body's place is kept (empty), so a hit's article has its fields in the order compiled.
      const stored: CompiledArticle = { ...compiled, article: { ...compiled.article, bodyHtml: '' } };
      const body = parking ? parking.park(bodyHtml) : bodyHtml;
      const entry = JSON.stringify(stored);
      used.add(key);
      const parked = parking ? parking.park(entry) : entry;
      added.set(key, parked);
      addedBodies.set(key, body);
      const digest = digestOf(key);
      return noted(file, {
        ...(typeof parked === 'number' && typeof body === 'number'
          ? {
              ...stored,
              article: leanArticle(stored.article, {
                bodyOf,
                bodySource: body,
                readBack,
                source: parked,
                imageSrc: imageSrcOf(stored.article),
                digest,
                key,
                shared,
              }),
            }
          : withContentKey(compiled, key)),
        digest,
      });
    },
    close: () => {
      store.close();
      bodies.close();
    },
    async save({ partial = false } = {}) {
      // Every entry has its body, at every point of a save a kill could stop: the entries of a
      // pair not of this generation go before the bodies' table starts afresh, bodies are added
      // before the entries that name them, and the bodies' sweep keeps any body an entry names.
      if (!continued) {
        await store.clear();
        await bodies.clear();
      }
      await bodies.save(
        addedBodies,
        partial ? undefined : { size: used.size, has: (key) => used.has(key) || store.previous.has(key) },
        (body) => JSON.stringify(typeof body === 'string' ? body : (parking as Parking).unpark(body)),
      );
      await store.save(added, partial ? undefined : used, (entry) =>
        typeof entry === 'string' ? entry : (parking as Parking).unpark(entry),
      );
    },
  };
}

/**
 * The fields of an article read back from its cache entry when asked for (see openCompileCache):
 * about 800 bytes an article that the build held from the compile to the plan. The rest (its id,
 * dates, section, tags, byline, path and guid) is read for every article by the lists, feeds and
 * indexes that sort and group them, and stays, as does the image's src (imageSourceOf): a pass
 * over every article that read one of these would read the whole archive back.
 */
const READ_BACK = ['title', 'summary', 'image', 'corrections', 'slug'];

/** Entries read back that are kept (see openCompileCache): a few pages' worth of related articles. */
const RECENTLY_READ = 64;

/**
 * The article with its body and its READ_BACK fields read when asked for, its fields in the order
 * compiled, its image's src kept (keepImageSource) and its digest (keepCompiledDigest). Made afresh
 * rather than by redefining them on the article: V8 turns an object whose data property becomes a
 * getter into a hash table, several times the size (read-when-asked.ts).
 */
function leanArticle<S>(
  article: CompiledArticle['article'],
  from: {
    bodyOf: SourcedGetter<object, string | Parked>;
    bodySource: string | Parked;
    readBack: SourcedFields<S>;
    source: S;
    imageSrc: string | undefined;
    digest: string;
    /** Its file's key in the cache (contentKeyOf). */
    key: string;
    shared: (text: string) => string;
  },
): CompiledArticle['article'] {
  const { readBack, shared } = from;
  const out: Record<string, unknown> = {};
  readBack.source(out, from.source);
  // Asked of every article (imageSourceOf): kept, so that asking reads nothing back.
  if (from.imageSrc !== undefined) keepImageSource(out, from.imageSrc);
  keepCompiledDigest(out, from.digest);
  keepContentKey(out, from.key);
  for (const [name, value] of Object.entries(article)) {
    if (name === 'bodyHtml') from.bodyOf(out, from.bodySource);
    else if (readBack.has(name)) readBack.define(out, name);
    else if (SHARED_TEXT.has(name)) out[name] = sharedText(value, shared);
    else out[name] = value;
  }
  return out as CompiledArticle['article'];
}

/** A text, or each text of a list, as `shared` gives it; anything else as it is. */
function sharedText(value: unknown, shared: (text: string) => string): unknown {
  if (typeof value === 'string') return shared(value);
  return Array.isArray(value) ? value.map((item: unknown) => sharedText(item, shared)) : value;
}

/** The fields an archive's articles hold the same few texts in: a section, tags, bylines. */
const SHARED_TEXT = new Set(['section', 'tags', 'author', 'authors']);

/**
 * One string for each distinct text given, in storage of its own. A fresh compile's section, tags
 * and byline are substrings of the front matter's text, and V8 keeps a substring of 13 characters
 * or more as a view that holds its whole parent: at 100,000 articles a third of the bylines held
 * their article's front matter (about 10 MB). And each article held its own copy of the same
 * section and tags besides.
 */
function sharedStrings(): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    let copy = known.get(text);
    if (copy === undefined) {
      // A string made by JSON.parse is a sequence of its own, never a view of `text`'s parent.
      copy = JSON.parse(JSON.stringify(text)) as string;
      known.set(copy, copy);
    }
    return copy;
  };
}

/**
 * The stamp (size, modification and change times) and cache key of every article file at the last
 * successful publish, and the stamp and facts (digest, size) of every image, so the next one reads
 * only the files whose stamp moved (read-content.ts). A file rewritten with the same size inside
 * one timestamp tick would be missed, as by make or rsync; `touch` on it, or --repair (which
 * ignores this table), reads everything again. An embedded table by path (embedded-table.ts): a
 * publish looks up each file and writes the rows of the files it read, not the archive's (a JSON
 * document rewritten whole cost 0.4 s an edit at 100,000).
 */
export interface FileTable {
  unchanged(path: string, stamp: FileStamp): string | undefined;
  /** The cache key the file had when the last publish recorded it, whatever its stamp now. */
  previousKey(path: string): string | undefined;
  /**
   * The writer token KV held when the table was last saved: that publish's own, or the one it
   * found, having had nothing to write. The files were recorded as built into that state of KV,
   * and into no other (one folder can publish to several namespaces).
   */
  recordedWith(): string | null | undefined;
  knownImage(path: string, stamp: FileStamp): ImageFacts | undefined;
  /**
   * Records the files of this publish (call once its writes succeeded): the rows of those it read,
   * and the writer token KV holds now (recordedWith). Any other row is stale, dropped once stale
   * rows outnumber the live ones.
   */
  save(
    files: readonly SourceFile[],
    images: readonly ImageFile[],
    writer: string | null,
    /** An edit by key's: the files it found changed alone, every other row still the archive's. */
    options?: { partial?: boolean },
  ): Promise<void>;
  /** Lets go of the table without saving; safe to call again. */
  close(): void;
}

/** An article file's stamp and key: [size, mtimeMs, ctimeMs, key]. */
type ArticleRow = [size: number, mtimeMs: number, ctimeMs: number, key: string];

/** An image's stamp and facts, tagged, with the version of how the facts were made (IMAGE_FACTS_VERSION). */
type ImageRow = [
  tag: 'image',
  version: string,
  size: number,
  mtimeMs: number,
  ctimeMs: number,
  digest: string,
  width: number,
  height: number,
];

/** The writer token the rows were recorded with, under a key no file's path can be. */
type WriterRow = [tag: 'writer', token: string | null];
const WRITER_ROW = '~writer';

const sameStamp = (stamped: [number, number, number], stamp: FileStamp) =>
  stamped[0] === stamp.size && stamped[1] === stamp.mtimeMs && stamped[2] === stamp.ctimeMs;

export async function openFileTable(path: string, options: { trust: boolean }): Promise<FileTable> {
  const table = await openEmbeddedTable<ArticleRow | ImageRow | WriterRow>(
    path,
    JSON.stringify({ format: 2 }),
    'file table',
  );
  const rowOf = (file: string) => (options.trust ? table.previous.get(file) : undefined);
  const articleRowOf = (file: string) => {
    const row = rowOf(file);
    return row && typeof row[0] === 'number' ? (row as ArticleRow) : undefined;
  };
  return {
    unchanged(file, stamp) {
      const row = articleRowOf(file);
      return row && sameStamp([row[0], row[1], row[2]], stamp) ? row[3] : undefined;
    },
    previousKey: (file) => articleRowOf(file)?.[3],
    recordedWith() {
      const row = rowOf(WRITER_ROW);
      return row?.[0] === 'writer' ? row[1] : undefined;
    },
    knownImage(file, stamp) {
      const row = rowOf(file);
      if (row?.[0] !== 'image' || row[1] !== IMAGE_FACTS_VERSION) return undefined;
      const [, , size, mtimeMs, ctimeMs, digest, width, height] = row;
      return sameStamp([size, mtimeMs, ctimeMs], stamp) ? { digest, width, height } : undefined;
    },
    close: () => table.close(),
    async save(files, images, writer, { partial = false } = {}) {
      const added = new Map<string, ArticleRow | ImageRow | WriterRow>();
      const live = new Set<string>([WRITER_ROW]);
      for (const file of files) {
        const known = fileStamps.get(file);
        if (!known) continue;
        live.add(file.path);
        // A file known unchanged has its row already; one that was read gets its row (again).
        if (known.key !== undefined && options.trust) continue;
        const { stamp } = known;
        added.set(file.path, [stamp.size, stamp.mtimeMs, stamp.ctimeMs, known.key ?? contentKey(file)]);
      }
      for (const { path, stamp, facts, read } of images) {
        live.add(path);
        if (!read && options.trust) continue;
        const { size, mtimeMs, ctimeMs } = stamp;
        added.set(path, [
          'image',
          IMAGE_FACTS_VERSION,
          size,
          mtimeMs,
          ctimeMs,
          facts.digest,
          facts.width,
          facts.height,
        ]);
      }
      // Written only when it changed (a publish that reads nothing and writes nothing leaves the
      // table as it was), and after the rows it vouches for: a save is not one transaction. (A
      // table saved afresh is written in key order, but its header goes last and vouches for all.)
      const recorded = table.previous.get(WRITER_ROW);
      if (recorded?.[0] !== 'writer' || recorded[1] !== writer) added.set(WRITER_ROW, ['writer', writer]);
      await table.save(added, partial ? undefined : live);
    },
  };
}
