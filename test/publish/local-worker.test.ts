// The local worker a local publish writes through (src/publish/node/local-worker.ts): Miniflare in a
// thread of its own, reached over HTTP. A call must succeed however long the publish was busy since
// the last one, and a process stopped by a signal must not leave its workerd running.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localKv } from '../../src/publish/node/local-kv';
import { openLocalWorker } from '../../src/publish/node/local-worker';
import { CONFIG, scriptCommand } from './command';
import { alive, childrenOf, untilPrinted } from './processes';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-local-worker-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Blocks this thread for `ms` without yielding: what a long synchronous stretch of building does. */
function busyFor(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the local worker', () => {
  it('answers a call made after the publish was busy for longer than an idle connection lasts', async () => {
    const worker = await openLocalWorker({ configPath: CONFIG, persistTo: join(dir, 'busy') });
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
    }
  });

  it('runs several at once in one thread, each disposed once however often asked, and leaves no hooks', async () => {
    const open = (name: string) => openLocalWorker({ configPath: CONFIG, persistTo: join(dir, name) });
    // The exit and signal hooks are there while any is open, once, and gone after the last.
    const hooks = process.listenerCount('SIGTERM');
    const [first, second] = await Promise.all([open('first'), open('second')]);
    try {
      expect(process.listenerCount('SIGTERM')).toBe(hooks + 1);
      await localKv(first).put('ARTICLES', [{ key: 'probe', value: 'first' }]);
      await localKv(second).put('ARTICLES', [{ key: 'probe', value: 'second' }]);
      await first.dispose();
      // A second dispose must not count the first worker out again, which would take the
      // second's runtime and hooks with it.
      await first.dispose();
      expect(await localKv(second).get('ARTICLES', 'probe')).toBe('second');
      expect(process.listenerCount('SIGTERM')).toBe(hooks + 1);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
    expect(process.listenerCount('SIGTERM')).toBe(hooks);
    const again = await open('first');
    try {
      expect(await localKv(again).get('ARTICLES', 'probe')).toBe('first');
      expect(process.listenerCount('SIGTERM')).toBe(hooks + 1);
    } finally {
      await again.dispose();
    }
    expect(process.listenerCount('SIGTERM')).toBe(hooks);
  });

  // Processes are found through /proc, which only Linux has.
  it.skipIf(process.platform !== 'linux')('leaves no workerd behind when stopped by SIGTERM', async () => {
    const [command, args] = scriptCommand('test/publish/hold-local-worker.ts', [join(dir, 'held')]);
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let runtimes: number[] = [];
    try {
      await untilPrinted(child, 'ready', 'it was ready');
      runtimes = await childrenOf(child.pid ?? 0, (command) => /(^|\/)workerd /.test(command));
      expect(runtimes.length).toBeGreaterThan(0);
      child.kill('SIGTERM');
      const code = await exited;
      const stillRunning = async () => (await Promise.all(runtimes.map(alive))).some(Boolean);
      for (let tries = 0; (await stillRunning()) && tries < 40; tries++) await pause(50);
      expect(await stillRunning()).toBe(false);
      // Stopped the way a signal stops a command: the exit code says which.
      expect(code).toBe(128 + 15);
    } finally {
      child.kill('SIGKILL');
      for (const pid of runtimes) if (await alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
