// The lock that keeps two publishes out of one local state (src/publish/node/publish-lock.ts), on real
// files and real processes: who is refused, what is taken over, and what a release leaves alone.
// cli.test.ts proves the command refuses a held state and writes nothing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LockFileError,
  lockPathOf,
  lockPublish,
  PublishLockedError,
} from '../../src/publish/node/publish-lock';

let dir: string;
let n = 0;
/** A lock path of its own for each test. */
const fresh = () => join(dir, `state-${++n}.lock`);

const holderOf = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

/** A process of this machine that runs until killed. */
async function liveProcess() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return child;
}

/** The pid of a process that has ended. */
async function endedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

const onLinux = existsSync('/proc/self/stat');
const startOf = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-lock-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the publish lock', () => {
  it('sits beside the state folder, or inside one given as . or ..', () => {
    expect(lockPathOf('state')).toBe('state.lock');
    expect(lockPathOf('.wrangler/state/')).toBe('.wrangler/state.lock');
    expect(lockPathOf('/srv/site/state')).toBe('/srv/site/state.lock');
    expect(lockPathOf('.')).toBe('mirrorwire-publish.lock');
    expect(lockPathOf('./')).toBe('mirrorwire-publish.lock');
    expect(lockPathOf('..')).toBe('../mirrorwire-publish.lock');
    expect(lockPathOf('a/..')).toBe('mirrorwire-publish.lock');
  });

  it('is held until released, refusing another meanwhile, and then taken again', async () => {
    const path = fresh();
    const lock = lockPublish(path);
    expect(await holderOf(path)).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockPublish(path)).toThrow(PublishLockedError);
    expect(() => lockPublish(path)).toThrow(`held by process ${process.pid}, since `);
    lock.release();
    expect(existsSync(path)).toBe(false);
    lockPublish(path).release();
    expect(existsSync(path)).toBe(false);
  });

  it('leaves a lock it does not hold when released', async () => {
    const path = fresh();
    const lock = lockPublish(path);
    const other = { pid: 1, host: hostname(), since: '2026-01-01T00:00:00.000Z' };
    await writeFile(path, JSON.stringify(other));
    lock.release();
    expect(await holderOf(path)).toEqual(other);
  });

  it('refuses a lock file it cannot read, empty or garbled, and one from another machine', async () => {
    for (const text of ['', '{"pid":', '{"pid":"12","host":"x","since":"y"}']) {
      const path = fresh();
      await writeFile(path, text);
      expect(() => lockPublish(path)).toThrow('held by a lock file that cannot be read');
      expect(await readFile(path, 'utf8')).toBe(text);
    }
    const path = fresh();
    await writeFile(path, JSON.stringify({ pid: await endedPid(), host: 'newsroom-2', since: 'then' }));
    expect(() => lockPublish(path)).toThrow(/held by process \d+ on newsroom-2, since then/);
  });

  it('takes over the lock of a process that has ended, or of one from before a reboot', async () => {
    const ended = fresh();
    await writeFile(ended, JSON.stringify({ pid: await endedPid(), host: hostname(), since: 'then' }));
    lockPublish(ended).release();
    expect(existsSync(ended)).toBe(false);

    const live = await liveProcess();
    try {
      const rebooted = fresh();
      const before = { pid: live.pid, host: hostname(), since: 'then', boot: 'another-boot' };
      await writeFile(rebooted, JSON.stringify(before));
      const lock = lockPublish(rebooted);
      expect(await holderOf(rebooted)).toMatchObject({ pid: process.pid });
      lock.release();
      // Without a boot id to compare, a live process holds it.
      const held = fresh();
      await writeFile(held, JSON.stringify({ pid: live.pid, host: hostname(), since: 'then' }));
      expect(() => lockPublish(held)).toThrow(`held by process ${live.pid}, since then`);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it.skipIf(!onLinux)(
    'takes over the lock of a process killed and not yet waited for (a zombie)',
    async () => {
      // A shell starts a process that ends at once, then becomes a sleep that never waits for it.
      const parent = spawn('sh', ['-c', `"${process.execPath}" -e "" & echo $!; exec sleep 20`], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        const [line] = (await once(parent.stdout, 'data')) as [Buffer];
        const pid = Number(line.toString().trim());
        const state = async () => (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.[0];
        for (let tries = 0; (await state()) !== 'Z' && tries < 200; tries++)
          await new Promise((resolve) => setTimeout(resolve, 25));
        expect(await state()).toBe('Z');
        const zombie = fresh();
        await writeFile(
          zombie,
          JSON.stringify({ pid, host: hostname(), since: 'then', start: await startOf(pid) }),
        );
        lockPublish(zombie).release();
        expect(existsSync(zombie)).toBe(false);
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );

  it.skipIf(!onLinux)('takes over a lock whose pid another process has been given since', async () => {
    const live = await liveProcess();
    try {
      const pid = live.pid ?? 0;
      const start = await startOf(pid);
      const same = fresh();
      await writeFile(same, JSON.stringify({ pid, host: hostname(), since: 'then', start }));
      expect(() => lockPublish(same)).toThrow(PublishLockedError);
      const reused = fresh();
      await writeFile(reused, JSON.stringify({ pid, host: hostname(), since: 'then', start: `${start}0` }));
      lockPublish(reused).release();
      expect(existsSync(reused)).toBe(false);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('lets one publish at a time take a stale lock over, and clears a takeover left behind', async () => {
    const path = fresh();
    await writeFile(path, JSON.stringify({ pid: await endedPid(), host: hostname(), since: 'then' }));
    await writeFile(`${path}.takeover`, '');
    expect(() => lockPublish(path)).toThrow('held by a publish taking over a stale lock');
    expect(existsSync(`${path}.takeover`)).toBe(true);
    // One left by a process killed while it took over, seconds ago.
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.takeover`, old, old);
    expect(() => lockPublish(path)).toThrow(PublishLockedError);
    expect(existsSync(`${path}.takeover`)).toBe(false);
    lockPublish(path).release();
    expect(existsSync(path)).toBe(false);
  });

  it('says so in one line when the lock file cannot be made', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    expect(() => lockPublish(join(file, 'state.lock'))).toThrow(LockFileError);
    expect(() => lockPublish(join(file, 'state.lock'))).toThrow(
      /^cannot create the lock file .*a-file\/state\.lock: /,
    );
  });
});
