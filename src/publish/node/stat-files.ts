// The stamps of an archive's files, taken in a worker thread. `statSync` blocks the thread that
// calls it (100,000 article files take 0.5–0.9 s), and the publish has work of its own that needs
// none of them (reading the listing of what KV holds, listing-snapshot.ts): done meanwhile, on
// another core.
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** What says a file is unchanged since it was last read: its size and its modification and change times. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * Below this many files, starting a worker (65–100 ms here, under load) costs about what the
 * stats it takes over do (5–8 µs a file), and the listing read meanwhile is as short.
 */
export const STAT_WORKER_MIN_FILES = 5000;

// Plain CommonJS, evaluated: the worker loads no module of ours. Each file's size, mtimeMs and
// ctimeMs go back in one transferred buffer; NaN marks a file its stat failed for.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const stamps = new Float64Array(workerData.length * 3).fill(NaN);
workerData.forEach((path, index) => {
  try {
    const info = statSync(path);
    stamps.set([info.size, info.mtimeMs, info.ctimeMs], index * 3);
  } catch {}
});
parentPort.postMessage(stamps, [stamps.buffer]);
`;

/** A file's stamp, stat-ed here. */
export function fileStampOf(path: string): FileStamp {
  const { size, mtimeMs, ctimeMs } = statSync(path);
  return { size, mtimeMs, ctimeMs };
}

/** The stamps of many files from a worker thread (size, mtimeMs, ctimeMs each); undefined if it could not run. */
export function statInWorker(paths: readonly string[]): Promise<Float64Array | undefined> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      // No `node` options of the publish's (its TypeScript loader): the worker's code needs none.
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: paths, execArgv: [] });
    } catch {
      resolve(undefined);
      return;
    }
    worker.once('message', (stamps: Float64Array) => resolve(stamps));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
}

/**
 * Every path's stamp, in order, as `statSync` gives it: taken in a worker thread while `meanwhile`
 * runs here, with at least `minFiles` paths (with fewer, here, after it). A file whose stat failed
 * there, or every file if the worker could not run, is stat-ed again here, so a missing file
 * throws as `statSync` does.
 */
export async function statFiles(
  paths: readonly string[],
  meanwhile?: () => unknown,
  minFiles = STAT_WORKER_MIN_FILES,
): Promise<FileStamp[]> {
  const taking = paths.length >= minFiles ? statInWorker(paths) : undefined;
  let stamps: Float64Array | undefined;
  try {
    await meanwhile?.();
  } finally {
    // However `meanwhile` ends, the worker is waited for: it stops by itself once done.
    stamps = await taking;
  }
  return paths.map((path, index) => {
    const size = stamps?.[index * 3];
    if (stamps === undefined || size === undefined || Number.isNaN(size)) return fileStampOf(path);
    return { size, mtimeMs: stamps[index * 3 + 1] as number, ctimeMs: stamps[index * 3 + 2] as number };
  });
}
