// Each folder of article files as a digest of its files' names and stamps (size, modification and
// change times), and how many there are. A publish records them (node/changed-files.ts) with the
// files it read; an edit by key walks the folders again, in a worker thread, and looks up in the
// file table the files of a folder whose digest moved alone, rather than every file of the archive.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
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

/**
 * A folder's digest from one line per file (`name NUL size NUL mtimeMs NUL ctimeMs`), sorted here.
 * Self-contained, with `sha256` given: the walking worker runs this very function's source.
 */
function digestOfLines(lines: string[], sha256: (text: string) => string): string {
  return sha256(lines.sort().join('\n'));
}

/** A file's line in its folder's digest (digestOfLines); the worker writes the same. */
const lineOf = (name: string, stamp: FileStamp) =>
  `${name}\u0000${stamp.size}\u0000${stamp.mtimeMs}\u0000${stamp.ctimeMs}`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The digests of the folders of `files` (read-content.ts listFiles), each with its stamp (`stamps[i]`). */
export function folderDigestsOf(
  files: readonly Pick<Found, 'shown'>[],
  stamps: readonly FileStamp[],
): Map<string, FolderDigest> {
  const lines = new Map<string, string[]>();
  for (const [at, file] of files.entries()) {
    const folder = folderOf(file.shown);
    const name = folder === '' ? file.shown : file.shown.slice(folder.length + 1);
    const line = lineOf(name, stamps[at] as FileStamp);
    const held = lines.get(folder);
    if (held) held.push(line);
    else lines.set(folder, [line]);
  }
  const digests = new Map<string, FolderDigest>();
  for (const [folder, held] of lines)
    digests.set(folder, { digest: digestOfLines(held, sha256), files: held.length });
  return digests;
}

/** An article file of a folder whose digest moved: as read-content.ts finds it, and its stamp. */
export interface WalkedFile {
  found: Found;
  stamp: FileStamp;
}

/** The folders now, and the files of those whose digest is not `recorded`'s; or why they cannot be walked so. */
export type Walked = { folders: Map<string, FolderDigest>; moved: WalkedFile[] } | { declined: string };

// Plain CommonJS, evaluated: the worker loads no module of ours but digestOfLines' own source. It
// walks the folders synchronously (no promise per entry), stats every article file, and sends back
// each folder's digest and the files of the folders whose digest moved. A symbolic link, or an
// article name that is not a regular file, is left to the publish of every article (read-content.ts
// follows links and reports what it cannot read).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { createHash } = require('node:crypto');
const digestOfLines = ${digestOfLines.toString()};
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const { root, shownRoot, recorded } = workerData;
// A name below a folder as read-content.ts shows it: the working directory's own folder is ''.
const below = (folder, name) => (folder === '' ? name : folder + '/' + name);
const folders = [];
const moved = [];
let declined;
const walk = (dir, shown, under) => {
  const lines = [];
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (declined) return;
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) declined = path + ' is a symbolic link';
    else if (entry.isDirectory()) walk(path, below(shown, entry.name), below(under, entry.name));
    else if (entry.name.endsWith('.md')) {
      if (!entry.isFile()) declined = path + ' is not a regular file';
      else {
        const info = statSync(path);
        const stamp = [info.size, info.mtimeMs, info.ctimeMs];
        lines.push(entry.name + '\\u0000' + stamp.join('\\u0000'));
        files.push([entry.name, path, stamp]);
      }
    }
  }
  if (lines.length === 0) return;
  const digest = digestOfLines(lines, sha256);
  folders.push([shown, digest, lines.length]);
  if (recorded[shown] !== digest)
    for (const [name, path, stamp] of files)
      moved.push([path, below(shown, name), below(under, name), stamp]);
};
try {
  walk(root, shownRoot, '');
} catch (error) {
  declined = String(error);
}
parentPort.postMessage(declined ? { declined } : { folders, moved });
`;

type WorkerAnswer =
  | { declined: string }
  | {
      folders: [folder: string, digest: string, files: number][];
      moved: [path: string, shown: string, under: string, stamp: [number, number, number]][];
    };

/**
 * The article folders under `root` (shown as `shownRoot`) walked in a worker thread, started now:
 * every folder's digest, and the files of those whose digest is not `recorded`'s.
 */
export function startWalk(root: string, shownRoot: string, recorded: FolderDigests): Promise<Walked> {
  const answer = new Promise<WorkerAnswer>((resolve) => {
    let worker: Worker;
    const digests = Object.fromEntries([...recorded].map(([folder, { digest }]) => [folder, digest]));
    try {
      // No `node` options of the publish's (its TypeScript loader): the worker's code needs none.
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { root, shownRoot, recorded: digests },
        execArgv: [],
      });
    } catch (error) {
      resolve({ declined: `the folders cannot be walked (${error})` });
      return;
    }
    worker.once('message', (message: WorkerAnswer) => resolve(message));
    worker.once('error', (error) => resolve({ declined: `the folders cannot be walked (${error})` }));
    worker.once('exit', () => resolve({ declined: 'the folders cannot be walked' }));
  });
  return answer.then((walked) =>
    'declined' in walked
      ? walked
      : {
          folders: new Map(walked.folders.map(([folder, digest, files]) => [folder, { digest, files }])),
          moved: walked.moved.map(([path, shown, under, [size, mtimeMs, ctimeMs]]) => ({
            found: { path, shown, under },
            stamp: { size, mtimeMs, ctimeMs },
          })),
        },
  );
}
