// One publish at a time per local state. A publish's local files (the compile cache, the file
// table, the record memo and, with --local, Miniflare's KV and images) are one state: two publishes
// at once interleave their writes and saves, and one of them fails halfway with an error from the
// storage underneath (an images upload, in the run that showed it). So a publish holds a lock file
// beside that folder, naming its process; one left by a process that is gone (a publish killed with
// -9) is taken over. Not proper-lockfile: it judges a lock stale by a time refreshed on a timer,
// which a build keeping the event loop busy for minutes would starve, losing the lock mid-publish.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';

/**
 * The lock file of a folder of local state: beside it, so that a refused publish creates no folder;
 * named as the folder was given, or by its full path when that names no folder of its own (`.`).
 */
export function lockPathOf(folder: string): string {
  const trimmed = folder.replace(/\/+$/, '');
  return ['', '.', '..'].includes(basename(trimmed)) ? `${resolve(folder)}.lock` : `${trimmed}.lock`;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

export class PublishLockedError extends Error {
  override readonly name = 'PublishLockedError';
  constructor(
    readonly path: string,
    holder: Holder | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid} on ${holder.host}, since ${holder.since}`
      : 'a lock file that cannot be read';
    super(
      `another publish is using this state (${who}): wait for it to end; if no publish is running, remove ${path}`,
    );
  }
}

function readHolder(path: string): Holder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string'
      ? (value as Holder)
      : undefined;
  } catch {
    // Half written (read between its creation and its write) or damaged: held, as far as we can tell.
    return undefined;
  }
}

/** Whether the holder may still be running: a process on another machine cannot be asked. */
function mayBeRunning(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: running, as another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const sameHolder = (a: Holder, b: Holder) => a.pid === b.pid && a.host === b.host && a.since === b.since;

/**
 * Takes the lock at `path` or throws PublishLockedError. A lock whose process is gone is moved
 * aside (a rename: of several publishes taking it over at once, one moves it) and taken.
 */
export function lockPublish(path: string): { release(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const mine: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (;;) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (holder === undefined || mayBeRunning(holder)) throw new PublishLockedError(path, holder);
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    // Another publish may have taken the stale lock over between our read and our rename: what was
    // moved is then its live lock, put back where it was (a link fails rather than overwrite).
    const moved = readHolder(aside);
    if (moved !== 'gone' && !(moved && sameHolder(moved, holder))) {
      try {
        linkSync(aside, path);
      } catch (error) {
        // Taken by a third meanwhile: held either way.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        rmSync(aside, { force: true });
      }
      throw new PublishLockedError(path, moved);
    }
    rmSync(aside, { force: true });
  }
  return {
    release() {
      const holder = readHolder(path);
      if (holder !== 'gone' && holder && sameHolder(holder, mine)) rmSync(path, { force: true });
    },
  };
}
