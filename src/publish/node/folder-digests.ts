// Each folder of article files as a digest of its files' names and stamps (size, modification and
// change times), and how many there are. A publish records them (node/changed-files.ts) with the
// files it read; an edit by key compares the folders as they are now, and looks up the files of a
// folder whose digest moved alone, rather than every file of the archive in the file table.

import { sha256HexSync } from './node-digest';
import type { Found } from './read-content';
import type { FileStamp } from './stat-files';

/** A folder's digest and its number of article files. */
export interface FolderDigest {
  digest: string;
  files: number;
}

/** Folder (as messages show it, relative to the working directory) → its digest. */
export type FolderDigests = ReadonlyMap<string, FolderDigest>;

/** The folder of a file's shown path: all of it before its name. */
export const folderOf = (shownPath: string) => shownPath.slice(0, Math.max(0, shownPath.lastIndexOf('/')));

/** The digests of the folders of `files` (read-content.ts listFiles), each with its stamp (`stamps[i]`). */
export function folderDigestsOf(
  files: readonly Pick<Found, 'shown'>[],
  stamps: readonly FileStamp[],
): Map<string, FolderDigest> {
  const lines = new Map<string, string[]>();
  for (const [at, file] of files.entries()) {
    const stamp = stamps[at] as FileStamp;
    const folder = folderOf(file.shown);
    const line = `${file.shown.slice(folder.length + 1)}\u0000${stamp.size}\u0000${stamp.mtimeMs}\u0000${stamp.ctimeMs}`;
    const held = lines.get(folder);
    if (held) held.push(line);
    else lines.set(folder, [line]);
  }
  const digests = new Map<string, FolderDigest>();
  for (const [folder, held] of lines)
    digests.set(folder, { digest: sha256HexSync(held.sort().join('\n')), files: held.length });
  return digests;
}
