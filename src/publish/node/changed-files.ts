// Which article files changed since this machine's last publish, for an edit by key: the article
// folders walked and their files stat-ed in a worker thread (no file read), each folder's digest
// (folder-digests.ts) compared with the one that publish recorded, and only the files of a folder
// whose digest moved looked up in the file table. A file the table knows by another stamp is edited; one it does not
// know is new, and a folder with fewer files lost one: either is not an edit by key. The digests
// are kept in a small JSON file beside the file table, with the writer token they were recorded
// with (FileTable.recordedWith): they vouch for nothing once another state of KV was published.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unlessAbsent } from './absent-file';
import type { FileTable } from './compile-cache';
import {
  type FolderDigest,
  type FolderDigests,
  startWalk,
  type Walked,
  type WalkedFile,
} from './folder-digests';
import { shown } from './read-content';

const FORMAT = 1;

/** The folders' digests as a publish left them, and the writer token KV held then. */
export interface RecordedFolders {
  writer: string | null;
  folders: FolderDigests;
}

/** The digests recorded at `path`, or undefined when there are none this code can read. */
export async function readRecordedFolders(path: string): Promise<RecordedFolders | undefined> {
  const text = await unlessAbsent(readFile(path, 'utf8'));
  if (text === undefined) return undefined;
  try {
    const stored = JSON.parse(text) as {
      format: number;
      writer: string | null;
      folders: [string, string, number][];
    };
    if (stored.format !== FORMAT) return undefined;
    return {
      writer: stored.writer,
      folders: new Map(stored.folders.map(([folder, digest, files]) => [folder, { digest, files }])),
    };
  } catch {
    return undefined;
  }
}

/** Records the folders' digests (once a publish's writes succeeded), replacing the file whole. */
export async function saveRecordedFolders(path: string, recorded: RecordedFolders): Promise<void> {
  const folders = [...recorded.folders].map(([folder, { digest, files }]) => [folder, digest, files]);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify({ format: FORMAT, writer: recorded.writer, folders }));
  await rename(temporary, path);
}

/** An article file found changed: where it is and its stamp when stat-ed. */
export type ChangedFile = WalkedFile;

/** The article files edited since the last publish, and every folder's digest now; or why not. */
export type ArticleChanges =
  | { edited: ChangedFile[]; folders: Map<string, FolderDigest> }
  | { declined: string };

/** The article folders' walk, begun for an edit by key: the digests it is compared with, and the walk. */
export interface ArticleWalk {
  recorded: RecordedFolders;
  walking: Promise<Walked>;
}

/**
 * Reads the digests recorded at `foldersPath` and starts walking the article folders under
 * `contentDir` in a worker thread: as early as the command can, since the walk is what an edit by
 * key spends in proportion to the archive (about 0.7 s at 100,000 files here), and it runs beside
 * the command's own start. Undefined, and no walk begun, unless digests were recorded with
 * `writer`, the writer token the file table was recorded with (FileTable.recordedWith).
 */
export async function beginArticleWalk(
  contentDir: string,
  foldersPath: string,
  writer: string | null | undefined,
): Promise<ArticleWalk | undefined> {
  if (typeof writer !== 'string') return undefined;
  const recorded = await readRecordedFolders(foldersPath);
  if (recorded?.writer !== writer) return undefined;
  const root = join(contentDir, 'articles');
  return { recorded, walking: startWalk(root, shown(root), recorded.folders) };
}

/**
 * The article files that changed since the publish that recorded `walk.recorded` (its digests)
 * and `table` (its files' stamps and keys), once the walk and `meanwhile` (run here) are done.
 */
export async function changedArticleFiles(
  walk: ArticleWalk,
  table: Pick<FileTable, 'unchanged' | 'previousKey'>,
  meanwhile: () => unknown,
): Promise<ArticleChanges> {
  const recorded = walk.recorded.folders;
  let walked: Walked;
  try {
    await meanwhile();
  } finally {
    // However `meanwhile` ends, the walk is waited for: its worker stops by itself once done.
    walked = await walk.walking;
  }
  if ('declined' in walked) return walked;
  const { folders } = walked;
  for (const folder of recorded.keys())
    if (!folders.has(folder)) return { declined: `${folder} has no article file left` };
  for (const [folder, now] of folders) {
    const before = recorded.get(folder);
    if (!before) return { declined: `${folder} is a new folder of articles` };
    if (before.digest !== now.digest && before.files !== now.files)
      return { declined: `${folder} has ${now.files} files, not ${before.files}` };
  }
  const edited: ChangedFile[] = [];
  for (const file of walked.moved) {
    if (table.unchanged(file.found.shown, file.stamp) !== undefined) continue;
    if (table.previousKey(file.found.shown) === undefined)
      return { declined: `${file.found.shown} is a new file` };
    edited.push(file);
  }
  return { edited, folders };
}
