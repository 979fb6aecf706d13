// Reads content/ from disk for the pure compile step: the articles, and the images under
// content/images with their sizes and content hashes (the renditions publish plans for R2).
// Symbolic links are followed; a loop or a link to nothing is an error, never silently skipped.
// Files are opened a few at a time, so an archive of any size fits in a small descriptor limit.
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { imageSize } from 'image-size';
import { articleFileTooLarge, type ContentInput, type ImageSizes } from '../../content/compile';
import { ARTICLE_FILE_MAX_BYTES } from '../../content/limits';
import { ContentError, type Problem, type SourceFile } from '../../content/problems';
import { messageOf } from '../../shared/error-message';
import { sourcedGetter } from '../../shared/read-when-asked';
import { type ImagePlan, imageDigestInput, imageFormatOf, planImage, RENDITION_VERSION } from '../images';
import type { Parked, Parking } from '../record-store';
import { type FolderDigests, folderDigestsOf } from './folder-digests';
import { type FileStamp, fileStampOf, statFiles } from './stat-files';

/**
 * Files open at once: macOS allows 256 descriptors by default and Linux 1024, and the runtime
 * holds some of them; 32 reads in flight keep the disk as busy as more would.
 */
const READ_CONCURRENCY = 32;

const toPosix = (path: string) => path.split(sep).join('/');
/** A path as messages show it, and as the file table records it: relative to the working directory. */
export const shown = (path: string) => toPosix(relative(process.cwd(), path));

/** A file found: its path, as messages show it (relative to the working directory), and below the listed root. */
export interface Found {
  path: string;
  shown: string;
  under: string;
}

interface Listing {
  files: Found[];
  problems: Problem[];
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** What an entry is, through a symbolic link; a problem when the link leads nowhere. */
function kindOf(path: string, entry: Dirent): 'file' | 'folder' | 'other' | Problem {
  if (!entry.isSymbolicLink()) return entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
  try {
    const target = statSync(path);
    return target.isDirectory() ? 'folder' : target.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT' && code !== 'ELOOP') throw error;
    const reason =
      code === 'ELOOP'
        ? 'is a symbolic link that leads back to itself, never to a file'
        : `is a symbolic link to ${readlinkSync(path)}, which does not exist`;
    return { path: shown(path), line: 1, reason };
  }
}

/**
 * Every file under `root` whose name passes `accept`, sorted, following symbolic links. A folder
 * reached again inside itself (a link to an ancestor) is a loop: reported, not walked forever.
 * A file's shown path is its folder's and its name: working it out from the whole path (shown)
 * took a third of a second of every publish at 100,000 files. A folder's is worked out whole, as
 * it may be one the working directory is in (`..`); a file never is. Below the root, a path is
 * always its folder's and its name. Walked synchronously: an await per entry (a promise each)
 * made the walk of 100,000 files take 1.5 s, most of it collecting their garbage. Folders are
 * resolved by the system's own realpath (`.native`), as `fs.promises.realpath` did: Node's
 * JavaScript one keeps a name's case where the disk has another (macOS, Windows), and a loop
 * through such a link would be seen a level too late.
 */
function listFiles(root: string, accept: (name: string) => boolean): Listing {
  const listing: Listing = { files: [], problems: [] };
  const below = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);
  const walk = (dir: string, shownDir: string, underDir: string, ancestors: ReadonlySet<string>): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const shownPath = below(shownDir, entry.name);
      const kind = kindOf(path, entry);
      if (typeof kind === 'object') listing.problems.push(kind);
      else if (kind === 'folder') {
        const real = realpathSync.native(path);
        if (ancestors.has(real)) {
          listing.problems.push({
            path: shown(path),
            line: 1,
            reason: `is a symbolic link to ${shown(real)}, a folder that contains it: a loop`,
          });
        } else walk(path, shown(path), below(underDir, entry.name), new Set([...ancestors, real]));
      } else if (accept(entry.name)) {
        if (kind === 'file')
          listing.files.push({ path, shown: shownPath, under: below(underDir, entry.name) });
        else listing.problems.push({ path: shownPath, line: 1, reason: 'is not a regular file' });
      }
    }
  };
  walk(root, shown(root), '', new Set([realpathSync.native(root)]));
  listing.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return listing;
}

/** `fn` over `items` with at most `limit` calls in flight; results in the order of `items`. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async () => {
    for (const [index, item] of queue) results[index] = await fn(item, index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface ReadOptions {
  /**
   * The compile cache's key for a file last read with this stamp, if one is known: such a file is
   * not read (its text is read only if something asks for it).
   */
  unchanged?: (path: string, stamp: FileStamp) => string | undefined;
  /**
   * Keeps a file's text out of memory once read (spill-store.ts): an archive's texts are too many
   * to hold. Without it, texts stay in memory.
   */
  parking?: Parking;
  /**
   * What an image last read with this stamp was found to be, if known: such an image is not read
   * again (an archive's photos are gigabytes, and an edit must not read them all).
   */
  knownImage?: (path: string, stamp: FileStamp) => ImageFacts | undefined;
  /**
   * Work of the caller's that needs no file, run while the article files are stat-ed in a worker
   * thread (stat-files.ts), or before they are for a small archive: a large archive's stats then
   * cost it no time of its own.
   */
  meanwhile?: () => unknown;
  /** From how many article files the stats are taken in a worker thread (default STAT_WORKER_MIN_FILES). */
  statWorkerFrom?: number;
}

/**
 * What names how ImageFacts are made: the digest's input (RENDITION_VERSION) and this reading of
 * the size. Facts remembered under another are not trusted (compile-cache.ts FileTable).
 */
export const IMAGE_FACTS_VERSION = `${RENDITION_VERSION}:size-1`;

/** What publish takes from an image's bytes: their digest (imageDigestInput) and the displayed size. */
export interface ImageFacts {
  digest: string;
  width: number;
  height: number;
}

/** An image file as this publish found it: its stamp and facts, and whether its bytes were read. */
export interface ImageFile {
  /** As messages show it, relative to the working directory. */
  path: string;
  stamp: FileStamp;
  facts: ImageFacts;
  read: boolean;
}

/** The stamp of every article file read (or known unchanged), and the key it was known by. */
export const fileStamps = new WeakMap<SourceFile, { stamp: FileStamp; key?: string }>();

/** How a file is given its text (textKeeper). */
interface TextKeeper {
  /** The text just read: parked when the caller gave somewhere to park it. */
  read(file: SourceFile, text: string): SourceFile;
  /**
   * A file known unchanged, read from `path` only when its text is asked for (a compile-cache miss,
   * in a new generation), then kept like any text read, or a new generation would hold the whole
   * archive's sources.
   */
  unread(file: SourceFile, path: string): SourceFile;
}

/**
 * Gives files their text, read back when asked for through what each file keeps in a slot (its
 * parked place, or the path it is read from: read-when-asked.ts), not through a closure of its
 * own: about 100 bytes a file, held through the whole build.
 */
function textKeeper({ parking }: ReadOptions): TextKeeper {
  const parkedText = sourcedGetter<SourceFile, Parked>('text', (parked) =>
    (parking as Parking).unpark(parked),
  );
  const read = (file: SourceFile, text: string): SourceFile =>
    parking ? parkedText(file, parking.park(text)) : Object.assign(file, { text });
  // A file read on a miss: the copy that keeps its text, by the file it was asked of.
  const readOnMiss = new WeakMap<SourceFile, SourceFile>();
  const textOnDisk = sourcedGetter<SourceFile, string>('text', (path, file) => {
    let kept = readOnMiss.get(file);
    if (kept === undefined) {
      kept = read({ path: file.path } as SourceFile, readFileSync(path, 'utf8'));
      readOnMiss.set(file, kept);
    }
    return kept.text;
  });
  return { read, unread: (file, path) => textOnDisk(file, path) };
}

/**
 * An article file taken without reading it: a problem when it is too large to be valid, or the file
 * the cache knows by its stamp (its text read only if the cache misses); undefined when it must be read.
 */
function knownArticle(
  { path, shown: shownPath }: Found,
  stamp: FileStamp,
  options: ReadOptions,
  keepText: TextKeeper,
): SourceFile | Problem | undefined {
  if (stamp.size > ARTICLE_FILE_MAX_BYTES) return articleFileTooLarge(shownPath, stamp.size);
  const key = options.unchanged?.(shownPath, stamp);
  if (key === undefined) return undefined;
  const known = keepText.unread({ path: shownPath } as SourceFile, path);
  fileStamps.set(known, { stamp, key });
  return known;
}

/** An article's text, or a problem when it has grown too large to be valid since it was stat-ed. */
async function readArticle(
  { path, shown: shownPath }: Found,
  stamp: FileStamp,
  keepText: TextKeeper,
): Promise<SourceFile | Problem> {
  const file = await open(path);
  try {
    const { size } = await file.stat();
    if (size > ARTICLE_FILE_MAX_BYTES) return articleFileTooLarge(shownPath, size);
    const read = keepText.read({ path: shownPath } as SourceFile, await file.readFile('utf8'));
    fileStamps.set(read, { stamp });
    return read;
  } finally {
    await file.close();
  }
}

/** The content folder read from disk, with the plan of every image's renditions for the upload. */
export interface ContentOnDisk extends ContentInput {
  /** Each folder of article files with its digest (changed-files.ts): what an edit by key compares. */
  articleFolders: FolderDigests;
  imagePlans: ImagePlan[];
  /** Every readable image file, read or known unchanged (the file table records them). */
  imageFiles: ImageFile[];
}

/** EXIF orientations 5–8 turn the picture a quarter: the reader sees height as width. */
const QUARTER_TURNS = new Set([5, 6, 7, 8]);

/** What one image is, or why it cannot be used (a problem only if an article names it). */
async function readImage(
  { path, shown: shownPath }: Found,
  options: ReadOptions,
): Promise<ImageFile | { unreadable: string }> {
  if (!imageFormatOf(path)) return { unreadable: 'is not JPEG, PNG or WebP, the formats publish resizes' };
  const stamp = fileStampOf(path);
  const known = options.knownImage?.(shownPath, stamp);
  if (known) return { path: shownPath, stamp, facts: known, read: false };
  const bytes = await readFile(path);
  let size: { width: number; height: number };
  try {
    const read = imageSize(bytes);
    size = QUARTER_TURNS.has(read.orientation ?? 1)
      ? { width: read.height, height: read.width }
      : { width: read.width, height: read.height };
  } catch (error) {
    return {
      unreadable: `is not an image publish can read (${messageOf(error)})`,
    };
  }
  if (!(size.width > 0 && size.height > 0)) return { unreadable: 'has no width or height' };
  const digest = createHash('sha256').update(imageDigestInput(bytes)).digest('hex');
  return { path: shownPath, stamp, facts: { digest, ...size }, read: true };
}

/**
 * Every image under `contentDir/images`, by the name front matter uses (`images/675904.jpg`), with
 * the plan of its renditions. An image whose stamp is known (ReadOptions.knownImage) is not read.
 */
export async function readImages(contentDir: string, options: ReadOptions = {}) {
  const root = join(contentDir, 'images');
  const images = new Map<string, ImagePlan['asset'] | { unreadable: string }>();
  const plans: ImagePlan[] = [];
  const files: ImageFile[] = [];
  if (!existsSync(root)) return { images, plans, files, problems: [] };
  const listed = listFiles(root, () => true);
  const read = await mapLimited(listed.files, READ_CONCURRENCY, async (file) => ({
    source: `images/${file.under}`,
    result: await readImage(file, options),
  }));
  for (const { source, result } of read) {
    if ('unreadable' in result) {
      images.set(source, result);
      continue;
    }
    const { digest, width, height } = result.facts;
    const plan = planImage(source, digest, { width, height });
    images.set(source, plan.asset);
    plans.push(plan);
    files.push(result);
  }
  return { images, plans, files, problems: listed.problems };
}

/** An article's file, by its name (the walking worker of folder-digests.ts takes the same). */
const isArticleFile = (name: string) => name.endsWith('.md');

export async function readContent(contentDir: string, options: ReadOptions = {}): Promise<ContentOnDisk> {
  const sitePath = join(contentDir, 'site.yaml');
  const listed = listFiles(join(contentDir, 'articles'), isArticleFile);
  // Synchronous stats, in a worker thread for an archive: they hold no descriptor, and 100,000 of
  // them cost a third of the time they take through the thread pool.
  const stamps = await statFiles(
    listed.files.map((file) => file.path),
    options.meanwhile,
    options.statWorkerFrom,
  );
  const keepText = textKeeper(options);
  // The files known unchanged (all but one in an edit) are taken here, without a promise each;
  // only the rest are opened, a few at a time.
  const read = listed.files.map((file, index) =>
    knownArticle(file, stamps[index] as FileStamp, options, keepText),
  );
  const unread = read.flatMap((item, index) => (item === undefined ? [index] : []));
  await mapLimited(unread, READ_CONCURRENCY, async (index) => {
    read[index] = await readArticle(listed.files[index] as Found, stamps[index] as FileStamp, keepText);
  });
  const problems = [
    ...listed.problems,
    ...read.filter((item): item is Problem => item !== undefined && 'reason' in item),
  ];
  const articles = read.filter((item): item is SourceFile => item !== undefined && 'text' in item);
  const imageFiles = await readImages(contentDir, options);
  problems.push(...imageFiles.problems);
  if (problems.length > 0) throw new ContentError(problems.sort((a, b) => a.path.localeCompare(b.path)));
  const images: ImageSizes = imageFiles.images;
  return {
    site: { path: shown(sitePath), text: await readFile(sitePath, 'utf8') },
    articleFolders: folderDigestsOf(listed.files, stamps),
    articles,
    images,
    imagePlans: imageFiles.plans,
    imageFiles: imageFiles.files,
  };
}
