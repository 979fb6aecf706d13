// `npm run publish -- --preview`: drafts into a local state of their own, and never to Cloudflare.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchCheckout } from './checkout';
import { CONFIG, runPublish } from './command';

let dir: string;

beforeAll(async () => {
  // The draft and one published article: a preview includes the one, and keeps the other.
  dir = await scratchCheckout('mirrorwire-preview-', [676063, 675904]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('publish --preview', () => {
  // In this process: remote.test.ts shows a refusal through the real entry point, as a shell sees it.
  it('is refused with --remote before anything is read, even with credentials', async () => {
    const run = await runPublish(['--config', CONFIG, '--remote', '--preview'], {
      cwd: dir,
      env: {
        ...process.env,
        CLOUDFLARE_API_TOKEN: 'token',
        CLOUDFLARE_ACCOUNT_ID: 'account',
        CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4',
      },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--preview .* cannot be used with --remote/);
    expect(run.stdout).toBe('');
  });

  it('publishes the drafts into its own local state, not the one npm start serves', async () => {
    const run = await runPublish(['--config', CONFIG, '--local', '--preview'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/2 articles valid \(1 drafts included for the preview/);
    expect(await readdir(join(dir, '.wrangler'))).toEqual(['preview']);
  });
});
