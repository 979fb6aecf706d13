// A scratch copy of the repository's content/ and public/, as an editor's checkout, for the tests
// that run the publish command on real files.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { CONFIG, ROOT, runPublish, spawnScript } from './command';

/**
 * A temporary folder with content/ and public/ copied in. With `articles`, only the article files
 * of those ids are kept: a publish of a few articles proves what it proves of fifteen, in a tenth
 * of the records and image renditions.
 */
export async function scratchCheckout(prefix: string, articles?: readonly number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(join(ROOT, 'content'), join(dir, 'content'), { recursive: true });
  await cp(join(ROOT, 'public'), join(dir, 'public'), { recursive: true });
  if (articles) {
    const folder = join(dir, 'content/articles');
    for (const path of await readdir(folder, { recursive: true })) {
      if (!path.endsWith('.md')) continue;
      const id = Number(/^id: (\d+)$/m.exec(await readFile(join(folder, path), 'utf8'))?.[1]);
      if (!articles.includes(id)) await rm(join(folder, path));
    }
  }
  return dir;
}

/**
 * A temporary folder with a synthetic archive (`npm run content:synth`: `count` articles sharing
 * `images` photos) as content/, and the repository's public/.
 */
export async function syntheticCheckout(
  prefix: string,
  { count, images }: { count: number; images: number },
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const synth = await spawnScript(
    'src/publish/node/synth.ts',
    ['--count', String(count), '--images', String(images), '--out', join(dir, 'content')],
    { cwd: ROOT },
  );
  if (synth.status !== 0) throw new Error(`content:synth failed: ${synth.stderr}`);
  await cp(join(ROOT, 'public'), join(dir, 'public'), { recursive: true });
  return dir;
}

/** The article files of a checkout, sorted by path. */
export async function articleFiles(checkout: string): Promise<string[]> {
  const folder = join(checkout, 'content/articles');
  return (await readdir(folder, { recursive: true }))
    .filter((path) => path.endsWith('.md'))
    .sort()
    .map((path) => join(folder, path));
}

/** Rewrites a file by `change`, which must change it. */
export async function rewrite(file: string, change: (text: string) => string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const changed = change(text);
  expect(changed).not.toBe(text);
  await writeFile(file, changed);
}

/**
 * When a test's publishes happen (SOURCE_DATE_EPOCH): the first at one time, and every one after
 * `later()` an hour on, as a desk's edits come after its first publish (the settling window after
 * the search index's layout was set has passed by then).
 */
export function publishClock(first = 1767500000) {
  let epoch = first;
  return {
    env: (): NodeJS.ProcessEnv => ({ ...process.env, SOURCE_DATE_EPOCH: String(epoch) }),
    now: () => new Date(epoch * 1000),
    later() {
      epoch += 3600;
    },
  };
}

/**
 * A synthetic archive of `count` articles (no photos), published once into its `state` folder
 * before the file's tests (removed after them), by a clock that then moves on (publishClock);
 * `publish` runs the command into that state again, and requires it to succeed.
 */
export function publishedSynthetic(prefix: string, count = 60) {
  const clock = publishClock();
  const synthetic = {
    archive: '',
    state: '',
    clock,
    async publish(...args: string[]) {
      const run = await runPublish(
        ['--local', '--persist-to', synthetic.state, '--config', CONFIG, ...args],
        {
          cwd: synthetic.archive,
          env: clock.env(),
        },
      );
      expect(run.status, run.stderr).toBe(0);
      return run;
    },
  };
  beforeAll(async () => {
    synthetic.archive = await syntheticCheckout(prefix, { count, images: 0 });
    synthetic.state = join(synthetic.archive, 'state');
    await synthetic.publish();
    clock.later();
  });
  afterAll(() => rm(synthetic.archive, { recursive: true, force: true }));
  return synthetic;
}
