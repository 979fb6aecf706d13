// What /proc says of the processes a test started (Linux only): their state and their children, for
// the tests that stop a publish by a signal and require nothing it started to outlive it.
import type { ChildProcessByStdio } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** What /proc says of a process: its command, state and parent; undefined once it is gone. */
export async function processInfo(
  pid: number,
): Promise<{ command: string; state: string; parent: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid …"; the command may hold spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const [state = '', parent = ''] = stat.slice(close + 2).split(' ');
    return { command: stat.slice(stat.indexOf('(') + 1, close), state, parent: Number(parent) };
  } catch {
    return undefined;
  }
}

/** The processes whose parent is `pid` and whose command line `matches`. */
export async function childrenOf(pid: number, matches: (commandLine: string) => boolean): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  for (const each of pids) {
    if ((await processInfo(each))?.parent !== pid) continue;
    const commandLine = await readFile(`/proc/${each}/cmdline`, 'utf8').catch(() => '');
    if (matches(commandLine.replaceAll('\0', ' '))) found.push(each);
  }
  return found;
}

/** Whether `pid` is a live process (a zombie, dead and not yet reaped, is not). */
export async function alive(pid: number): Promise<boolean> {
  const info = await processInfo(pid);
  return info !== undefined && info.state !== 'Z';
}

/** Resolves once the process has printed `text` on its standard output; rejects if it ends first. */
export function untilPrinted(
  child: ChildProcessByStdio<null, Readable, null>,
  text: string,
  before: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes(text)) resolve();
    });
    child.on('exit', () => reject(new Error(`the process ended before ${before}`)));
  });
}
