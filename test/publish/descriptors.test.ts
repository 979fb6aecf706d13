// `npm run publish` under a descriptor limit, through its real entry point in a child process (a
// shell sets the limit): its own file, so that it runs beside cli.test.ts.
import { rm } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { syntheticCheckout } from './checkout';
import { CONFIG, scriptCommand, spawnCommand } from './command';

// More files than descriptors allowed, and several full batches for the local writer (300 articles
// make about 1,500 records, batches are 500): enough to fail when files or writes are all opened at
// once, small enough to stay quick.
it('publishes an archive of 300 files with 256 file descriptors (ulimit -n 256)', async () => {
  // One photo, so that images are opened, encoded and uploaded under the limit too: each photo
  // costs about a second of CPU to draw and more to encode, and a second one opens nothing new.
  const archive = await syntheticCheckout('mirrorwire-fds-', { count: 300, images: 1 });
  try {
    const [node, args] = scriptCommand('src/publish/node/cli.ts', [
      '--local',
      '--persist-to',
      'state',
      '--config',
      CONFIG,
    ]);
    const command = [node, ...args].map((word) => `'${word}'`).join(' ');
    const run = await spawnCommand('bash', ['-c', `ulimit -n 256 && exec ${command}`], { cwd: archive });
    expect(run.stderr).not.toMatch(/EMFILE|Too many open files|\n\s+at /);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/300 files, 300 read/);
    expect(run.stdout).toMatch(/300 articles valid/);
    expect(run.stdout).toMatch(/[1-9]\d* renditions of 1 to upload/);
    expect(run.stdout).toMatch(/done, content version/);
  } finally {
    await rm(archive, { recursive: true, force: true });
  }
});
