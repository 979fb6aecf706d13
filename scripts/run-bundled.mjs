// `node scripts/run-bundled.mjs ENTRY.ts [args…]`: runs one of the repository's TypeScript commands
// (the publish command above all) as a single module bundled by esbuild, its packages left as
// imports. Node loading the same sources one by one through tsx's loader spent about 0.7 s of every
// start answering the loader thread (docs/publishing-measured.md, "A publish's start").
//
// The bundle is kept under .wrangler/bundles beside a record of what it was built from, and built
// again when any of it differs, so that a command never runs code older than its sources:
// - every source's SHA-256, taken from the very text esbuild bundled (a file saved during a build
//   leaves a record that no longer matches);
// - the names in every folder holding a source (a file added beside them can change what an
//   import resolves to), and every tsconfig.json esbuild may have read for them;
// - esbuild's version, this file, and the bundle's own SHA-256.
// A symbolic link repointed elsewhere, with no name or text changed, goes unnoticed.
// `NODE_OPTIONS=--enable-source-maps` shows a stack trace in the sources rather than the bundle.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLES = join(ROOT, '.wrangler', 'bundles');
const SCRIPTS = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.js': 'js', '.mjs': 'js' };

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** What built a bundle besides its sources: esbuild's version and this file (esbuild is loaded only to build). */
async function builderOf() {
  const { version } = createRequire(import.meta.url)('esbuild/package.json');
  return sha256(`${version}\u0000${await readFile(fileURLToPath(import.meta.url))}`);
}

/** Each file's hash now, by path; null for a file that is not there. */
async function hashesOf(paths) {
  return Promise.all(paths.map((path) => readFile(path).then(sha256, () => null)));
}

/** Each folder's names now, hashed; null for a folder that is not there. */
async function listingsOf(dirs) {
  return Promise.all(
    dirs.map((dir) =>
      readdir(dir).then(
        (names) => sha256(names.sort().join('\u0000')),
        () => null,
      ),
    ),
  );
}

/** Every tsconfig.json esbuild may read for a source in `dirs`: in each, and in each folder above it. */
function tsconfigsOf(dirs) {
  const found = new Set();
  for (let dir of dirs) {
    for (;;) {
      found.add(join(dir, 'tsconfig.json'));
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return [...found].sort();
}

/** Whether each entry of `recorded` (path → hash or null) matches `now`'s answer for its paths. */
async function matches(recorded, now) {
  const paths = Object.keys(recorded ?? {});
  const current = await now(paths);
  return paths.length > 0 && paths.every((path, i) => current[i] === recorded[path]);
}

/** Whether the bundle is there as built, from exactly the sources, folders and builder there are now. */
async function builtBundle(bundle, record, builder) {
  let built;
  try {
    built = JSON.parse(await readFile(record, 'utf8'));
  } catch {
    return false;
  }
  if (built.builder !== builder) return false;
  const [bundleHash] = await hashesOf([bundle]);
  return (
    bundleHash === built.bundle &&
    (await matches(built.inputs, hashesOf)) &&
    (await matches(built.folders, listingsOf)) &&
    (await matches(built.tsconfigs, hashesOf))
  );
}

/**
 * Loads every source itself: to hash the text esbuild is given, and so that each source keeps its
 * own `import.meta.url`, `dirname` and `filename` (a module finds files beside it by them: the
 * code's fingerprint, the image encoder's child), which the bundle would otherwise answer with its
 * own. `import.meta.resolve` is refused: the bundle's folder would answer it.
 */
function sourcesPlugin(loaded) {
  return {
    name: 'sources',
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: 'file' }, async ({ path }) => {
        const bytes = await readFile(path);
        loaded.set(path, sha256(bytes));
        const loader = SCRIPTS[extname(path)];
        if (!loader) return { contents: bytes, loader: 'default' };
        const text = bytes.toString('utf8');
        if (/\bimport\.meta\.resolve\b/.test(text))
          return {
            errors: [{ text: 'import.meta.resolve would resolve from the bundle, not from this file' }],
          };
        const meta = {
          url: pathToFileURL(path).href,
          dirname: dirname(path),
          filename: path,
        };
        const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, name) =>
          JSON.stringify(meta[name]),
        );
        return { contents, loader };
      });
    },
  };
}

async function build(entry, bundle, record, builder) {
  const esbuild = await import('esbuild');
  const loaded = new Map();
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
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
    plugins: [sourcesPlugin(loaded)],
  });
  const output = result.outputFiles.find((file) => file.path === bundle);
  const map = result.outputFiles.find((file) => file.path === `${bundle}.map`);
  const paths = Object.keys(result.metafile.inputs).map((input) => resolve(ROOT, input));
  const inputs = Object.fromEntries(paths.map((path) => [path, loaded.get(path) ?? null]));
  const dirs = [...new Set(paths.map((path) => dirname(path)))].sort();
  const folderHashes = await listingsOf(dirs);
  const tsconfigPaths = tsconfigsOf(dirs);
  const tsconfigHashes = await hashesOf(tsconfigPaths);
  const built = {
    builder,
    bundle: sha256(output.contents),
    inputs,
    folders: Object.fromEntries(dirs.map((dir, i) => [dir, folderHashes[i]])),
    tsconfigs: Object.fromEntries(tsconfigPaths.map((path, i) => [path, tsconfigHashes[i]])),
  };
  // Written aside and renamed into place, the bundle before its record: a command started meanwhile
  // (tests start several) finds either the old pair or the new bundle, never a torn file.
  const suffix = `.${process.pid}.tmp`;
  await mkdir(BUNDLES, { recursive: true });
  try {
    if (map) {
      await writeFile(`${bundle}.map${suffix}`, map.contents);
      await rename(`${bundle}.map${suffix}`, `${bundle}.map`);
    }
    await writeFile(bundle + suffix, output.contents);
    await rename(bundle + suffix, bundle);
    await writeFile(record + suffix, JSON.stringify(built));
    await rename(record + suffix, record);
  } finally {
    for (const path of [`${bundle}.map`, bundle, record]) await rm(path + suffix, { force: true });
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
  } catch (error) {
    // A source esbuild could not build: it has said where and why.
    if (Array.isArray(error?.errors)) process.exit(1);
    throw error;
  }
}
// The command reads its arguments as if it had been started itself.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(bundle).href);
