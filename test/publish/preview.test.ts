// `npm run publish -- --preview`: drafts into a local state of their own, and never to Cloudflare.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/publish/node/cli.ts');

let dir: string;

function publish(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), CLI, '--config', join(ROOT, 'wrangler.toml'), ...args],
    { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-preview-'));
  await cp(join(ROOT, 'content'), join(dir, 'content'), { recursive: true });
  await cp(join(ROOT, 'public'), join(dir, 'public'), { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('publish --preview', () => {
  it('is refused with --remote before anything is read, even with credentials', () => {
    const run = publish(['--remote', '--preview'], {
      CLOUDFLARE_API_TOKEN: 'token',
      CLOUDFLARE_ACCOUNT_ID: 'account',
      CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--preview .* cannot be used with --remote/);
    expect(run.stdout).toBe('');
  });

  it('publishes the drafts into its own local state, not the one npm start serves', async () => {
    const run = publish(['--local', '--preview']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/16 articles valid \(1 drafts included for the preview/);
    expect(await readdir(join(dir, '.wrangler'))).toEqual(['preview']);
  });
});
