// `npm run publish` under a descriptor limit, through its real entry point in a child process (a
// shell sets the limit): its own file, so that it runs beside cli.test.ts.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './command';

const CLI = join(ROOT, 'src/publish/node/cli.ts');

// More files than descriptors allowed, and several full batches for the local writer (300 articles
// make about 2,300 records, batches are 500): enough to fail when files or writes are all opened at
// once, small enough to stay quick.
it('publishes an archive of 300 files with 256 file descriptors (ulimit -n 256)', async () => {
  const archive = await mkdtemp(join(tmpdir(), 'mirrorwire-fds-'));
  try {
    const synth = spawnSync(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        join(ROOT, 'src/publish/node/synth.ts'),
        '--count',
        '300',
        // A few photos: enough to open images too, few enough to encode well within the time allowed.
        '--images',
        '5',
        '--out',
        join(archive, 'content'),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(synth.status).toBe(0);
    await cp(join(ROOT, 'public'), join(archive, 'public'), { recursive: true });
    const command = [
      process.execPath,
      '--import',
      import.meta.resolve('tsx'),
      CLI,
      '--local',
      '--persist-to',
      'state',
      '--config',
      join(ROOT, 'wrangler.toml'),
    ]
      .map((word) => `'${word}'`)
      .join(' ');
    const run = spawnSync('bash', ['-c', `ulimit -n 256 && exec ${command}`], {
      cwd: archive,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).not.toMatch(/EMFILE|Too many open files|\n\s+at /);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/300 files, 300 read/);
    expect(run.stdout).toMatch(/300 articles valid/);
    expect(run.stdout).toMatch(/done, content version/);
  } finally {
    await rm(archive, { recursive: true, force: true });
  }
});
