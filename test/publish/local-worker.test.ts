// The local worker a local publish writes through (src/publish/node/local-worker.ts): Miniflare in a
// thread of its own, reached over HTTP. A call must succeed however long the publish was busy since
// the last one, and a publish stopped by a signal must not leave its workerd running.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localKv } from '../../src/publish/node/local-kv';
import { openLocalWorker } from '../../src/publish/node/local-worker';
import { scratchCheckout } from './checkout';
import { CONFIG, runPublish, scriptCommand, spawnCommand } from './command';

const SAMPLE_IDS = [675904];

let dir: string;

beforeAll(async () => {
  dir = await scratchCheckout('mirrorwire-local-worker-', SAMPLE_IDS);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Blocks this thread for `ms` without yielding: what a long synchronous stretch of building does. */
function busyFor(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The pids of `pid`'s child processes whose command is workerd. */
async function workerdChildren(pid: number): Promise<number[]> {
  const { stdout } = await spawnCommand('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { cwd: dir });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command?.startsWith('workerd'))
    .map(([child]) => Number(child));
}

/** Whether `pid` is a live process (a zombie, dead and not yet reaped, is not). */
async function alive(pid: number): Promise<boolean> {
  const { stdout } = await spawnCommand('ps', ['-o', 'stat=', '-p', String(pid)], { cwd: dir });
  const state = stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

describe('the local worker', () => {
  it('answers a call made after the publish was busy for longer than an idle connection lasts', async () => {
    const state = await mkdtemp(join(tmpdir(), 'mirrorwire-local-worker-state-'));
    const worker = await openLocalWorker({ configPath: CONFIG, persistTo: state });
    try {
      const kv = localKv(worker);
      await kv.put('ARTICLES', [{ key: 'probe', value: 'written first' }]);
      expect(await kv.get('ARTICLES', 'probe')).toBe('written first');
      // workerd closes a connection left idle for 5 s; a timer could not have run meanwhile.
      busyFor(5_500);
      await kv.put('ARTICLES', [{ key: 'probe', value: 'written after the wait' }]);
      expect(await kv.get('ARTICLES', 'probe')).toBe('written after the wait');
    } finally {
      await worker.dispose();
      await rm(state, { recursive: true, force: true });
    }
  });

  it('leaves no workerd behind when a publish is stopped by SIGTERM', async () => {
    const env = { ...process.env, SOURCE_DATE_EPOCH: '1767225600' };
    const args = ['--local', '--persist-to', 'state', '--config', CONFIG];
    // Into an existing state, so the worker starts as the command begins.
    expect((await runPublish(args, { cwd: dir, env })).status).toBe(0);
    const [command, commandArgs] = scriptCommand('src/publish/node/cli.ts', args);
    const child = spawn(command, commandArgs, { cwd: dir, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const pid = child.pid ?? 0;
    let runtimes: number[] = [];
    for (let tries = 0; runtimes.length === 0 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      runtimes = await workerdChildren(pid);
    }
    expect(runtimes.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(128 + 15);
    const stillRunning = async () => (await Promise.all(runtimes.map(alive))).some(Boolean);
    for (let tries = 0; (await stillRunning()) && tries < 40; tries++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stillRunning()).toBe(false);
  });
});
