// scripts/run-bundled.mjs, the way `npm run publish` and the other commands start: a TypeScript
// entry bundled once and run, built again whenever a source it was built from changes.
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnCommand } from './command';

const LAUNCHER = join(ROOT, 'scripts/run-bundled.mjs');
const BUNDLES = join(ROOT, '.wrangler/bundles');

let dir: string;
let entry: string;
let helper: string;

const launch = (...args: string[]) =>
  spawnCommand(process.execPath, [LAUNCHER, entry, ...args], { cwd: dir });

/** The bundle built for this file's entry: the one whose record names the entry among its sources. */
async function bundleOfEntry(): Promise<string> {
  for (const name of await readdir(BUNDLES)) {
    if (!name.endsWith('.json')) continue;
    const record = JSON.parse(await readFile(join(BUNDLES, name), 'utf8')) as { inputs: object };
    if (entry in record.inputs) return join(BUNDLES, name.replace(/\.json$/, '.mjs'));
  }
  throw new Error(`no bundle names ${entry}`);
}

beforeAll(async () => {
  // Its real path, as esbuild records sources (macOS's temporary folder is behind a link).
  dir = await realpath(await mkdtemp(join(tmpdir(), 'mirrorwire-bundled-')));
  entry = join(dir, 'entry.ts');
  helper = join(dir, 'helper.ts');
  await writeFile(
    entry,
    [
      "import { here, word } from './helper.ts';",
      "import { where } from './lib';",
      "const answer: string = [word, here, where, process.argv.slice(2).join(',')].join(' ');",
      'console.log(answer);',
      'process.exitCode = 3;',
    ].join('\n'),
  );
  await writeFile(helper, "export const word = 'first';\nexport const here = import.meta.url;\n");
  await mkdir(join(dir, 'lib'));
  // Answers from its own folder and file, as a module run by itself would.
  await writeFile(
    join(dir, 'lib/index.ts'),
    [
      "import { basename } from 'node:path';",
      'const own = basename(import.meta.dirname) === "lib" && basename(import.meta.filename) === "index.ts";',
      "export const where = own ? 'own-folder' : 'bundle-folder';",
    ].join('\n'),
  );
});

afterAll(async () => {
  const bundle = await bundleOfEntry().catch(() => undefined);
  if (bundle) await rm(bundle.replace(/\.mjs$/, '.json'), { force: true });
  if (bundle) await rm(bundle, { force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('run-bundled', () => {
  it('runs the entry with its arguments and exit code, each module knowing its own file', async () => {
    const run = await launch('--a', 'b');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(`first ${pathToFileURL(helper).href} own-folder --a,b\n`);
  });

  it('runs the same bundle again while no source changed, and builds it again when one did', async () => {
    const bundle = await bundleOfEntry();
    const built = (await stat(bundle)).mtimeMs;
    expect((await launch()).stdout).toMatch(/^first /);
    expect((await stat(bundle)).mtimeMs).toBe(built);
    await writeFile(helper, "export const word = 'second';\nexport const here = import.meta.url;\n");
    expect((await launch()).stdout).toMatch(/^second /);
  });

  it('builds a bundle gone or changed since its record again', async () => {
    const bundle = await bundleOfEntry();
    await writeFile(bundle, 'console.log("tampered");\n');
    expect((await launch()).stdout).toMatch(/^second /);
    await rm(bundle);
    expect((await launch()).stdout).toMatch(/^second /);
  });

  it('builds it again when a file added beside the sources changes what an import finds', async () => {
    expect((await launch()).stdout).toContain(' own-folder ');
    // `./lib` was lib/index.ts; a lib.ts beside it is what it names now.
    await writeFile(join(dir, 'lib.ts'), "export const where = 'lib.ts';\n");
    expect((await launch()).stdout).toContain(' lib.ts ');
  });

  it("stops with esbuild's message, running nothing, on a source it cannot build", async () => {
    await writeFile(helper, 'export const word = ;\n');
    const run = await launch();
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/\[ERROR\] Unexpected ";"[\s\S]*helper\.ts:1:\d+/);
  });
});
