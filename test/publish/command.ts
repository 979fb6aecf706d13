// Two ways to run the publish command on real files. `spawnPublish` runs `cli.ts` in a child
// process, bundled (scripts/run-bundled.mjs), exactly as `npm run publish` does: the tests that
// prove the real command works (exit code, output streams, a descriptor limit) use it. `runPublish` calls the same command
// (publish-command.ts) in this process, in the given folder and environment, with its output
// captured: the tests about what a publish does use it, and skip a Node start-up and a fresh
// import of everything per run.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { vi } from 'vitest';
import { publishCommand } from '../../src/publish/node/publish-command';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CONFIG = join(ROOT, 'wrangler.toml');

/**
 * Writes `dir`/other.toml, the configuration with another ARTICLES namespace (its id `fill`
 * repeated), for a second namespace published from the same folder; returns its path.
 */
export async function otherNamespaceConfig(dir: string, fill: string): Promise<string> {
  const id = fill.repeat(32);
  const config = join(dir, 'other.toml');
  const text = (await readFile(CONFIG, 'utf8')).replace(/(binding = "ARTICLES"\nid = ")0{32}"/, `$1${id}"`);
  if (!text.includes(id)) throw new Error(`${CONFIG} names no ARTICLES namespace to replace`);
  await writeFile(config, text);
  return config;
}
const LAUNCHER = join(ROOT, 'scripts/run-bundled.mjs');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The working directory (the editor's checkout). */
  cwd: string;
  /** The whole environment the command sees (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `command` with `args` in a child process and collects its output; asynchronous, so servers
 * in this process keep answering and the other files of this worker go on meanwhile.
 */
export function spawnCommand(
  command: string,
  args: readonly string[],
  { cwd, env = process.env }: RunOptions,
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

/** The command line that runs a script of the repository bundled, as `npm run` does. */
export function scriptCommand(script: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, [LAUNCHER, join(ROOT, script), ...args]];
}

/** Runs a script of the repository in a child process, bundled. */
export function spawnScript(script: string, args: readonly string[], options: RunOptions): Promise<Run> {
  return spawnCommand(...scriptCommand(script, args), options);
}

/** `npm run publish -- …args` in a child process, as an editor runs it. */
export function spawnPublish(args: readonly string[], options: RunOptions): Promise<Run> {
  return spawnScript('src/publish/node/cli.ts', args, options);
}

let running = false;

/**
 * `npm run publish -- …args` in this process: the working directory and the environment are the
 * command's for the duration of the run, and what it prints is captured, not shown. An exception
 * that escapes the command is what Node would make of it: exit code 1 and the stack on stderr.
 * One run at a time (the working directory is the process's).
 */
export async function runPublish(
  args: readonly string[],
  { cwd, env = process.env }: RunOptions,
): Promise<Run> {
  if (running) throw new Error('runPublish: one run at a time');
  running = true;
  const out: string[] = [];
  const err: string[] = [];
  const capture =
    (into: string[]) =>
    (...values: unknown[]) => {
      into.push(`${format(...values)}\n`);
    };
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(capture(out)),
    vi.spyOn(console, 'info').mockImplementation(capture(out)),
    vi.spyOn(console, 'warn').mockImplementation(capture(err)),
    vi.spyOn(console, 'error').mockImplementation(capture(err)),
  ];
  const previousDir = process.cwd();
  const previousEnv = process.env;
  let status: number;
  try {
    process.chdir(cwd);
    process.env = { ...env };
    status = await publishCommand([...args]);
  } catch (error) {
    err.push(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    status = 1;
  } finally {
    process.env = previousEnv;
    process.chdir(previousDir);
    for (const spy of spies) spy.mockRestore();
    running = false;
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}
