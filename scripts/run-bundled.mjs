// `node scripts/run-bundled.mjs ENTRY.ts [args…]`: runs one of the repository's TypeScript commands
// (the publish command above all) as a single module bundled by esbuild, its packages left as
// imports. Node loading the same sources one by one through tsx's loader spent about 0.7 s of every
// start answering the loader thread (docs/publishing-measured.md, "A publish's start"). The bundle
// is kept under .wrangler/bundles beside a record of the SHA-256 of every source it was built
// from, and is built again when any of them, esbuild or this file differs: a command never runs
// code older than its sources.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLES = join(ROOT, '.wrangler', 'bundles');
const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.js': 'js', '.mjs': 'js' };

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** What built a bundle besides its sources: esbuild's version and this file (esbuild is loaded only to build). */
async function builderOf() {
  const { version } = createRequire(import.meta.url)('esbuild/package.json');
  return sha256(`${version}\u0000${await readFile(fileURLToPath(import.meta.url))}`);
}

/** The sources' hashes now, by path; undefined for a source that is gone. */
async function hashesOf(paths) {
  return Promise.all(paths.map((path) => readFile(path).then(sha256, () => undefined)));
}

/** Whether the bundle is there as built, from exactly the sources and builder there are now. */
async function builtBundle(bundle, record, builder) {
  let built;
  try {
    built = JSON.parse(await readFile(record, 'utf8'));
  } catch {
    return false;
  }
  if (built.builder !== builder) return false;
  const [bundleHash] = await hashesOf([bundle]);
  if (bundleHash !== built.bundle) return false;
  const paths = Object.keys(built.inputs);
  const now = await hashesOf(paths);
  return paths.every((path, i) => now[i] === built.inputs[path]);
}

/**
 * Each source keeps its own `import.meta.url` (a module finds files beside it by it: the code's
 * fingerprint, the image encoder's child), which the bundle would otherwise answer with its own.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(m?ts|tsx|m?js)$/ }, async ({ path }) => ({
      contents: (await readFile(path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(path).href),
      ),
      loader: LOADERS[extname(path)],
    }));
  },
};

async function build(entry, bundle, record, builder) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    outfile: bundle,
    metafile: true,
    logLevel: 'error',
    plugins: [ownUrl],
  });
  const [output] = result.outputFiles;
  const paths = Object.keys(result.metafile.inputs).map((input) => resolve(ROOT, input));
  const hashes = await hashesOf(paths);
  const inputs = Object.fromEntries(paths.map((path, i) => [path, hashes[i]]));
  // Written aside and renamed into place, the bundle before its record: a command started meanwhile
  // (tests start several) finds either the old pair or the new bundle, never a torn file.
  const suffix = `.${process.pid}.tmp`;
  await mkdir(BUNDLES, { recursive: true });
  try {
    await writeFile(bundle + suffix, output.contents);
    await rename(bundle + suffix, bundle);
    await writeFile(record + suffix, JSON.stringify({ builder, bundle: sha256(output.contents), inputs }));
    await rename(record + suffix, record);
  } finally {
    await rm(bundle + suffix, { force: true });
    await rm(record + suffix, { force: true });
  }
}

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('Usage: node scripts/run-bundled.mjs ENTRY.ts [args…]');
  process.exit(2);
}
const entry = resolve(script);
// One bundle per entry file: named after it, and after its path so that two checkouts' differ.
const name = `${basename(entry, extname(entry))}-${sha256(entry).slice(0, 12)}`;
const bundle = join(BUNDLES, `${name}.mjs`);
const record = join(BUNDLES, `${name}.json`);
const builder = await builderOf();
if (!(await builtBundle(bundle, record, builder))) {
  try {
    await build(entry, bundle, record, builder);
  } catch {
    // esbuild has printed what it could not build.
    process.exit(1);
  }
}
// The command reads its arguments as if it had been started itself.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(bundle).href);
