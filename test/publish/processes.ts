// What /proc says of the processes a test started (Linux only): their state and their children, for
// the tests that stop a publish by a signal and require nothing it started to outlive it.
import { readdir, readFile } from 'node:fs/promises';

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
