// The publish command remembers removed ids after their files are gone, and refuses a file that
// reuses one with its path and line, writing nothing: as an editor meets it.
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchCheckout } from './checkout';
import { CONFIG, runPublish } from './command';

const SAMPLE = 'content/articles/2022/01/675904-russia-no-new-talks-ukraine.md';

let dir: string;

function publish(epoch: number) {
  return runPublish(['--local', '--persist-to', 'state', '--config', CONFIG], {
    cwd: dir,
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
}

beforeAll(async () => {
  // The article whose id is reused, and one that stays: the site is never empty.
  dir = await scratchCheckout('mirrorwire-removal-', [675904, 675738]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a removed id reused', () => {
  it('is refused with path and line once its file is deleted, before anything is written', async () => {
    expect((await publish(1_767_225_600)).status).toBe(0);
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await unlink(join(dir, SAMPLE));
    expect((await publish(1_767_312_000)).status).toBe(0);

    await writeFile(
      join(dir, 'content/articles/reused.md'),
      text.replace(/^title: .*$/m, 'title: A new story'),
    );
    const run = await publish(1_767_398_400);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      [
        'content/articles/reused.md:2: id: 675904 was removed on 2026-01-02T00:00:00Z; a removed id is never reused',
        'publish: 1 problem(s); nothing was written.',
        '',
      ].join('\n'),
    );
    // Marked removed instead, the same file is accepted: it only restates the removal.
    await writeFile(join(dir, 'content/articles/reused.md'), text.replace('---\n', '---\nremoved: true\n'));
    expect((await publish(1_767_398_400)).status).toBe(0);
  });
});
