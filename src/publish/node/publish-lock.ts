// One publish at a time per local state. A publish's local files (the compile cache, the file
// table, the record memo and, with --local, Miniflare's KV and images) are one state: two publishes
// at once interleave their writes and saves, and one of them fails halfway with an error from the
// storage underneath (an images upload, in the run that showed it). So a publish holds a lock file
// beside that folder, naming its process; one left by a process that is gone (killed, or from
// before a reboot) is taken over. Not proper-lockfile: it judges a lock stale by a time refreshed
// on a timer, which a build keeping the event loop busy for minutes would starve, losing the lock
// mid-publish.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { messageOf } from '../../shared/error-message';

/**
 * The lock file of a folder of local state: beside it, so that a refused publish creates no state
 * folder; inside it when the folder is given as `.` or `..`, which exist and have no name of their own.
 */
export function lockPathOf(folder: string): string {
  const trimmed = folder.replace(/\/+$/, '');
  return ['', '.', '..'].includes(basename(trimmed))
    ? join(folder, 'mirrorwire-publish.lock')
    : `${trimmed}.lock`;
}

/** Who holds a lock: enough to tell, on this machine, whether that process still runs. */
interface Holder {
  pid: number;
  host: string;
  since: string;
  /** The kernel's boot id (Linux): a lock from before a reboot is stale whatever its pid. */
  boot?: string;
  /** The process's start time in clock ticks since boot (Linux): another process given the same pid has another. */
  start?: string;
}

type LockFile = Holder | 'unreadable' | 'absent';

export class PublishLockedError extends Error {
  override readonly name = 'PublishLockedError';
  constructor(path: string, holder: Holder | 'unreadable' | 'taking over') {
    const who =
      holder === 'unreadable'
        ? 'by a lock file that cannot be read'
        : holder === 'taking over'
          ? 'by a publish taking over a stale lock'
          : holder.host === hostname()
            ? `by process ${holder.pid}, since ${holder.since}`
            : `by process ${holder.pid} on ${holder.host}, since ${holder.since}`;
    super(
      `another publish is using this state (held ${who}): wait for it to end; if no publish is running, remove ${path}`,
    );
  }
}

/** The lock file cannot be made at all (a folder not writable, a full disk). */
export class LockFileError extends Error {
  override readonly name = 'LockFileError';
  constructor(path: string, cause: unknown) {
    super(`cannot create the lock file ${path}: ${messageOf(cause)}`);
  }
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readLock(path: string): LockFile {
  const text = readText(path);
  if (text === undefined) return existsSync(path) ? 'unreadable' : 'absent';
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return Number.isSafeInteger(value.pid) &&
      typeof value.host === 'string' &&
      typeof value.since === 'string'
      ? (value as Holder)
      : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

const bootId = () => readText('/proc/sys/kernel/random/boot_id')?.trim();

/** The fields of /proc/PID/stat (Linux) after the command name, which may hold spaces: from the third. */
function statFields(pid: number | 'self'): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Field 22 of /proc/PID/stat (Linux): the process's start time. */
const startTicks = (pid: number | 'self'): string | undefined => statFields(pid)?.[19];

/** Whether the holder may still be running: a process on another machine cannot be asked. */
function mayBeRunning(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  const boot = bootId();
  if (holder.boot !== undefined && boot !== undefined && holder.boot !== boot) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: running, as another user.
    if (errno(error) === 'ESRCH') return false;
  }
  const fields = statFields(holder.pid);
  // A process killed but not yet waited for by its parent (a zombie, or one being reaped) has ended.
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return false;
  const start = holder.start === undefined ? undefined : fields?.[19];
  return start === undefined || start === holder.start;
}

const sameHolder = (a: Holder, b: Holder) =>
  a.pid === b.pid && a.host === b.host && a.since === b.since && a.start === b.start;

/** A takeover left by a process killed in its few microseconds: older than this, it is removed. */
const STALE_TAKEOVER_MS = 10_000;

/**
 * Removes the lock if it still names the stale holder. Under a takeover file made exclusively, so
 * that of several publishes finding the same stale lock one removes it, and none removes the lock
 * another has made since (only a takeover removes a lock, and only this one runs).
 */
function takeOver(path: string, stale: Holder): void {
  const takeover = `${path}.takeover`;
  try {
    closeSync(openSync(takeover, 'wx'));
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw new LockFileError(takeover, error);
    const age = Date.now() - (statSync(takeover, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_TAKEOVER_MS) rmSync(takeover, { force: true });
    throw new PublishLockedError(path, 'taking over');
  }
  try {
    const now = readLock(path);
    if (typeof now === 'object' && sameHolder(now, stale)) rmSync(path, { force: true });
  } finally {
    rmSync(takeover, { force: true });
  }
}

/** Creates the lock file naming `mine`; false when it exists. A file left half written is removed. */
function create(path: string, mine: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw new LockFileError(path, error);
  }
  try {
    writeSync(fd, JSON.stringify(mine));
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw new LockFileError(path, error);
  }
  closeSync(fd);
  return true;
}

/**
 * Takes the lock at `path` or throws PublishLockedError (held by a process that may be running,
 * or unreadable) or LockFileError. A lock whose process is gone is taken over.
 */
export function lockPublish(path: string): { release(): void } {
  // Released by its full path, whatever the working directory is by then.
  const full = resolve(path);
  try {
    mkdirSync(dirname(full), { recursive: true });
  } catch (error) {
    throw new LockFileError(path, error);
  }
  const start = startTicks('self');
  const boot = bootId();
  const mine: Holder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(boot && { boot }),
    ...(start && { start }),
  };
  while (!create(full, mine)) {
    const holder = readLock(full);
    if (holder === 'absent') continue;
    if (holder === 'unreadable' || mayBeRunning(holder)) throw new PublishLockedError(path, holder);
    takeOver(full, holder);
  }
  return {
    release() {
      const holder = readLock(full);
      if (typeof holder === 'object' && sameHolder(holder, mine)) rmSync(full, { force: true });
    },
  };
}
