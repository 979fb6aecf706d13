// Where the tests' scratch files go: Miniflare's storage for each workerd (KV, R2, the edge cache)
// and the publish tests' checkouts and local states all live under the system's temporary folder.
// Every KV or R2 write there is a file of its own, and on a disk its creation and sync cost more
// than the write itself; on a memory file system the same suite takes about a third less CPU.
import { statfsSync } from 'node:fs';

/** Linux's shared-memory file system, a tmpfs on every common distribution and CI image. */
const MEMORY_FOLDER = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
/** Room for a few local states at once, with a wide margin (a container's default is 64 MiB). */
const MIN_FREE_BYTES = 1024 ** 3;

/**
 * Points TMPDIR at a memory file system when there is one with room to spare, unless TMPDIR is
 * already set. Called while the config loads, so that workerd, Vitest's workers and every spawned
 * command inherit it.
 */
export function scratchInMemory(): void {
  if (process.env.TMPDIR || process.platform !== 'linux') return;
  try {
    const fs = statfsSync(MEMORY_FOLDER);
    if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= MIN_FREE_BYTES) process.env.TMPDIR = MEMORY_FOLDER;
  } catch {
    // No such folder: the default temporary folder serves.
  }
}
