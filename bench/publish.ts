// `npm run bench:publish -- --articles N`: the publish command timed as a child process on a synthetic
// archive with photos (first publish, one edit, one correction, one new article) with peak RSS and
// keys written; the same first publish to the deployed namespace's APIs, played by local stand-ins;
// and Debian's `hugo` building the same articles in the same run when it is installed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePublicKey, encodeSecretKey, generateSecretKey } from '../src/mirrors/minisign';
import { KV_BINDING } from '../src/publish/node/kv-store';
import { kvNamespacesOf } from '../src/publish/node/local-kv';
import { bucketNameOf, IMAGES_BINDING } from '../src/publish/node/local-r2';
import { manifestKey, writerTokenKey } from '../src/storage/keys';
import { startKvRestStandIn } from '../test/support/kv-rest-standin';
import { withNotice } from '../test/support/notice';
import { startR2S3StandIn } from '../test/support/r2-s3-standin';
import { standInEnv } from '../test/support/standin-env';
import { comparePlacedByKey, type PublishedArchive } from './placed-by-key';
import { markdownTable, median, quantile } from './stats';

const USAGE = `Usage: npm run bench:publish -- --articles N [--images N] [--reuse] [--no-hugo] [--no-remote] [--remote-only]
       npm run bench:publish -- --edits N,M [--rounds R] [--notices]
       npm run bench:publish -- --placed-by-key N,M [--rounds R]

  --articles N  synthetic articles (default 10000)
  --images N    distinct photos they share (default 300)
  --reuse       keep an archive already written for this N (the synthesis is not timed anyway)
  --no-hugo     skip the hugo comparison even when hugo is installed
  --no-remote   skip the first publish through the deployed namespace's APIs (their stand-ins
                hold every value in this process's memory: about 70 KB an article)
  --remote-only the first publish to the stand-ins alone, which check every value and keep only
                those a publish reads back (its writer token, the manifest): for an archive whose
                local state would not fit the disk (Miniflare keeps a second copy of every value
                beside the publish's scratch file); no edits and no hugo
  --edits N,M   the one-article edit of two archives published before with --articles N and
                --articles M, side by side: R rounds (--rounds, default 6), the two sizes in
                alternating order, one title toggled before each publish; each size's wall and
                CPU time (median, range), and M's edit over N's per round (median, range)
  --notices     with --edits: a correction notice added before each publish instead, to
                another article each time, spread through the archive (its \`updated\` moves past
                every other article's)
  --placed-by-key N,M  what an edit by key does for the placed groups of the same edit, in this
                process, at both sizes side by side: R rounds (--rounds); the archives must have
                been published by this code (--edits leaves them so)`;

const BENCH_DIR = '.bench/publish';
const TIME = '/usr/bin/time';

interface Measured {
  seconds: number;
  /** User and system CPU time of the command and the children it waited for, from GNU time. */
  cpuSeconds?: number;
  /** Peak resident set of the largest process (a local publish: the publish or a Miniflare workerd), from GNU time. */
  maxRssMiB?: number;
  stdout: string;
  stderr: string;
}

/** Where a measured command runs, and with what environment (the caller's by default). */
type RunOptions = { cwd?: string; env?: NodeJS.ProcessEnv };

/** Runs a command, under `/usr/bin/time -v` when it exists, and measures its wall time and peak RSS. */
function measure(command: string, args: string[], options: RunOptions = {}): Promise<Measured> {
  const timed = existsSync(TIME);
  const [file, argv] = timed ? [TIME, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        // Its last progress lines too: a long run stopped early still says how far it got.
        const progress = stdout.split('\n').slice(-40).join('\n');
        reject(
          new Error(`${command} ${args.join(' ')} exited with ${code}:\n${progress}\n${stderr.slice(-4000)}`),
        );
        return;
      }
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
      resolve({
        seconds,
        ...(rss && { maxRssMiB: Number(rss) / 1024 }),
        ...(user && system && { cpuSeconds: Number(user) + Number(system) }),
        stdout,
        stderr,
      });
    });
  });
}

/** One of the repository's commands, started as `npm run` starts it (scripts/run-bundled.mjs). */
const command = (script: string, args: string[], options: RunOptions = {}) =>
  measure(process.execPath, [resolve('scripts/run-bundled.mjs'), script, ...args], options);

interface PublishRun extends Measured {
  /** The publish's own Node process at its peak, from its "done" progress line. */
  publishRssMiB?: number;
  keys: number;
  /** How the publish took it: by key, or why not (its "not an edit by key" line). */
  way: string;
  renditions: number;
  /** Encoding and uploading the renditions, from the publish's own progress lines. */
  imageSeconds: number;
}

/** The elapsed seconds a progress line (`publish: [12.3 s, 456 MiB] …`) matching `pattern` carries. */
function elapsedAt(stdout: string, pattern: RegExp): number | undefined {
  const line = stdout.split('\n').find((each) => pattern.test(each));
  const value = line && /^publish: \[([\d.]+) s,/.exec(line)?.[1];
  return value ? Number(value) : undefined;
}

/**
 * Each bench starts with empty rendition caches (the encoded photos a publish keeps under
 * node_modules/.cache by default): a cache warmed by an earlier run would hide the encoding.
 */
const withRenditionCache = (cache: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({
  ...env,
  MIRRORWIRE_RENDITION_CACHE: cache,
});

async function publish(content: string, state: string, renditions: string): Promise<PublishRun> {
  const run = await command(
    'src/publish/node/cli.ts',
    ['--local', '--content', content, '--persist-to', state],
    {
      env: withRenditionCache(renditions),
    },
  );
  return publishRun(run);
}

function publishRun(run: Measured): PublishRun {
  const keys = Number(/ (\d+) to write \(/.exec(run.stdout)?.[1] ?? Number.NaN);
  const peak = /peak resident (\d+) MiB/.exec(run.stdout)?.[1];
  const renditions = Number(/, (\d+) renditions of \d+ to upload/.exec(run.stdout)?.[1] ?? 0);
  // What the photos add once the records are planned: they are encoded beside the build (a child
  // process), then awaited and uploaded before the first write.
  const uploadStarted = elapsedAt(run.stdout, / to write \(/);
  const uploadEnded = elapsedAt(run.stdout, /image renditions uploaded/);
  const imageSeconds =
    uploadStarted !== undefined && uploadEnded !== undefined ? uploadEnded - uploadStarted : 0;
  const declined = /not an edit by key \((.*)\)/.exec(run.stdout)?.[1];
  const way = /edit by key: /.test(run.stdout)
    ? 'by key'
    : `every article (${declined ?? 'no edit by key tried'})`;
  return { ...run, ...(peak && { publishRssMiB: Number(peak) }), keys, way, renditions, imageSeconds };
}

const STANDIN_TOKEN = 'bench-standin-token-not-a-secret';
const STANDIN_ACCOUNT = 'bench-account';
const STANDIN_ACCESS_KEY_ID = 'bench-standin-access-key-id';
const STANDIN_SECRET_ACCESS_KEY = 'bench-standin-secret-access-key-not-a-secret';

/**
 * The first publish as production runs it, `--remote`: bulk writes to the Workers KV API and the
 * photos to R2's S3 API, both played by the test suite's stand-ins on 127.0.0.1 (they answer at
 * once: Cloudflare's round trips are not in this time, while the stand-ins' own parsing shares the
 * machine). The same articles, from a folder of their own so that the remote publish's local files
 * (`.wrangler/publish-cache`) are not this checkout's; site.yaml names a key made for this run.
 */
async function publishToStandIns(content: string, root: string, readBackOnly = false): Promise<PublishRun> {
  const dir = resolve(root, 'remote');
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'content'), { recursive: true });
  const key = await generateSecretKey();
  const site = await readFile(join(content, 'site.yaml'), 'utf8');
  await writeFile(
    join(dir, 'content/site.yaml'),
    site.replace(/^signing_key: .*$/m, `signing_key: ${encodePublicKey(key)}`),
  );
  for (const folder of ['articles', 'images'])
    await symlink(resolve(content, folder), join(dir, 'content', folder));
  const config = resolve('wrangler.toml');
  const namespaceId = (await kvNamespacesOf(config))[KV_BINDING];
  const bucket = await bucketNameOf(config, IMAGES_BINDING);
  if (!namespaceId || !bucket) throw new Error(`${config} names no ${KV_BINDING} namespace or images bucket`);
  const kv = await startKvRestStandIn({
    token: STANDIN_TOKEN,
    accountId: STANDIN_ACCOUNT,
    namespaceId,
    // With readBackOnly, only the values a publish reads back (its writer token, the manifest):
    // the others are checked and dropped, so the stand-in's memory and work do not grow with them.
    ...(readBackOnly && { keepValue: (name: string) => name === writerTokenKey() || name === manifestKey() }),
  });
  // Both stand-ins are closed however the run ends, or the bench would never exit.
  const r2 = await startR2S3StandIn({
    accessKeyId: STANDIN_ACCESS_KEY_ID,
    secretAccessKey: STANDIN_SECRET_ACCESS_KEY,
    bucket,
  }).catch(async (error: unknown) => {
    await kv.close();
    throw error;
  });
  try {
    const run = await command(
      resolve('src/publish/node/cli.ts'),
      ['--remote', '--config', config, '--content', 'content'],
      {
        cwd: dir,
        // Nothing of the caller's environment that reaches a real account or worker (standInEnv).
        env: withRenditionCache(join(dir, 'renditions'), {
          ...standInEnv(),
          CLOUDFLARE_API_BASE_URL: kv.baseUrl,
          CLOUDFLARE_API_TOKEN: STANDIN_TOKEN,
          CLOUDFLARE_ACCOUNT_ID: STANDIN_ACCOUNT,
          R2_S3_ENDPOINT: r2.endpoint,
          R2_ACCESS_KEY_ID: STANDIN_ACCESS_KEY_ID,
          R2_SECRET_ACCESS_KEY: STANDIN_SECRET_ACCESS_KEY,
          MIRRORWIRE_SIGNING_KEY: encodeSecretKey(key),
        }),
      },
    );
    return publishRun(run);
  } finally {
    await Promise.allSettled([kv.close(), r2.close()]);
  }
}

/** Every article file of the archive, sorted (oldest first: synth names folders by date). */
async function articleFiles(content: string): Promise<string[]> {
  const names = await readdir(join(content, 'articles'), { recursive: true });
  return names
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(content, 'articles', name));
}

/**
 * The same articles as a Hugo site: each file copied under its section's folder (Hugo takes the
 * section from the folder and the date from `published`), with templates as small as ours are
 * complete: an article page, paginated lists of 10, and Hugo's own RSS for home, sections and tags.
 */
async function writeHugoSite(files: readonly string[], site: string): Promise<void> {
  await rm(site, { recursive: true, force: true });
  await mkdir(join(site, 'layouts/_default'), { recursive: true });
  await writeFile(
    join(site, 'hugo.toml'),
    [
      'baseURL = "https://www.presstv.ir/"',
      'title = "Press TV"',
      'paginate = 10',
      'disableKinds = ["sitemap"]',
      '[frontmatter]',
      '  date = ["published", ":default"]',
      '  lastmod = ["updated", "published", ":default"]',
      '[taxonomies]',
      '  tag = "tags"',
      '  author = "author"',
    ].join('\n'),
  );
  const page = (body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>${body}</body></html>`;
  await writeFile(
    join(site, 'layouts/_default/single.html'),
    page('<h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time>{{ .Content }}'),
  );
  await writeFile(
    join(site, 'layouts/_default/list.html'),
    page(
      '<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}{{ with .Paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}',
    ),
  );
  const made = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const section = /^section: (\S+)$/m.exec(text)?.[1] ?? 'news';
    const dir = join(site, 'content', section);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await cp(file, join(dir, file.slice(file.lastIndexOf('/') + 1)));
  }
}

const seconds = (value: number) => `${value.toFixed(1)} s`;
const mib = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value)} MiB`);

const TABLE_HEADER = [
  'run',
  'wall time',
  'of which images',
  'peak RSS (publish)',
  'peak RSS (largest process)',
  'KV keys written',
  'renditions uploaded',
];

function printTable(count: number, images: string, rows: string[][]): void {
  console.log(
    `\n${count} articles, ${images} photos (wall time includes starting Node and the bundled command):\n`,
  );
  console.log(markdownTable(TABLE_HEADER, rows));
}

/** Where the memory goes: the publish's own progress lines carry its resident set at each stage. */
function printStages(run: PublishRun, log: string): void {
  console.log(`\nfirst publish, resident memory by stage (${log}):`);
  for (const pattern of [
    /files read/,
    /articles valid/,
    /records built/,
    /to upload/,
    /uploaded$/,
    /manifest written/,
  ]) {
    const line = run.stdout.split('\n').find((each) => pattern.test(each));
    if (line) console.log(`  ${line.replace(/^publish: /, '')}`);
  }
}

/** The median and range of `values`, as `median (min–max)`, each by `format`. */
function spread(values: readonly number[], format: (value: number) => string): string {
  return `${format(median(values))} (${format(quantile(values, 0))}–${format(quantile(values, 1))})`;
}

/**
 * A correction notice dated a second ago, in place of any the file has: the article's `updated`
 * moves to it (the one-article run's correction, and --edits --notices).
 */
async function addNotice(file: string): Promise<void> {
  await writeFile(file, withNotice(new Date(Date.now() - 1_000))(await readFile(file, 'utf8')));
}

/** Adds " (corrected)" to the file's title, or takes it away: each publish has one edit to make. */
async function toggleTitle(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const toggled = / \(corrected\)"$/m.test(text)
    ? text.replace(/^title: "(.*) \(corrected\)"$/m, 'title: "$1"')
    : text.replace(/^title: "(.*)"$/m, 'title: "$1 (corrected)"');
  if (toggled === text) throw new Error(`${file} has no title line to correct`);
  await writeFile(file, toggled);
}

/**
 * The archives `--articles N` published for each size, and the article file an edit corrects (the
 * middle one); undefined, having said so, if one is missing.
 */
async function publishedArchives(sizes: readonly number[]): Promise<PublishedArchive[] | undefined> {
  const archives: PublishedArchive[] = [];
  for (const count of sizes) {
    const root = join(BENCH_DIR, String(count));
    const content = join(root, 'content');
    const state = join(root, 'state');
    if (!existsSync(join(content, 'site.yaml')) || !existsSync(state)) {
      console.error(
        `bench:publish: no published archive of ${count}: run npm run bench:publish -- --articles ${count}`,
      );
      return undefined;
    }
    const files = await articleFiles(content);
    const middle = files[Math.floor(files.length / 2)];
    if (!middle) throw new Error(`${content} has no articles`);
    archives.push({ count, content, state, renditions: join(root, 'renditions'), middle, files });
  }
  return archives;
}

/**
 * The flat-edit target measured as it is stated: the same edit at two archive sizes, side by side
 * in one run, so that the machine's load changes both alike. Each archive's state must have been
 * published by `--articles N` before; the first publish of each here is a warm-up (the code may
 * have changed since, and then every record is built again) and is not counted.
 */
async function compareEdits(
  sizes: readonly number[],
  rounds: number,
  what: 'title' | 'notice',
): Promise<number> {
  const published = await publishedArchives(sizes);
  if (!published) return 2;
  const archives = published.map((archive) => ({ ...archive, runs: [] as PublishRun[], noticed: 0 }));
  const edit = async (archive: (typeof archives)[number]) => {
    if (what === 'title') await toggleTitle(archive.middle);
    else {
      // Another article each time, spread through the archive (fractions 0.05, 0.42, 0.79, 0.26, …
      // of its files, oldest first): each moves from its place in the \`modified\` scope to the
      // newest end, and a few such places decline (a run cut by length, a cut of its own).
      const at = Math.floor(archive.files.length * (0.05 + ((archive.noticed++ * 0.37) % 0.9)));
      await addNotice(archive.files[at] ?? archive.middle);
    }
    return publish(archive.content, archive.state, archive.renditions);
  };
  for (const archive of archives) {
    console.log(`bench:publish: warming ${archive.count} (one edit, not counted)`);
    await edit(archive);
  }
  const loadAtStart = loadavg()[0] ?? 0;
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? archives : [...archives].reverse();
    for (const archive of order) {
      const run = await edit(archive);
      archive.runs.push(run);
      console.log(
        `bench:publish: round ${round}, ${archive.count} articles: ${seconds(run.seconds)}, ${run.keys} keys written, ${run.way}`,
      );
    }
  }
  const [small, large] = archives;
  if (!small || !large) throw new Error('two sizes are compared');
  const rows = archives.map((archive) => {
    const cpu = archive.runs.flatMap((run) => (run.cpuSeconds === undefined ? [] : [run.cpuSeconds]));
    const keys = archive.runs.map((run) => run.keys);
    return [
      `${archive.count}`,
      spread(
        archive.runs.map((run) => run.seconds),
        seconds,
      ),
      cpu.length > 0 ? spread(cpu, seconds) : '—',
      `${Math.min(...keys)}–${Math.max(...keys)}`,
    ];
  });
  const header = ['articles', 'wall, median (range)', 'CPU, median (range)', 'keys written'];
  const load = `load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`;
  const edited = what === 'title' ? 'one title toggled' : 'one old article corrected with a notice';
  console.log(`\n${edited}, ${rounds} rounds, the two sizes in alternating order (${load}):\n`);
  console.log(markdownTable(header, rows));
  const ratios = large.runs.map((run, i) => run.seconds / (small.runs[i]?.seconds ?? Number.NaN));
  console.log(
    `\nedit at ${large.count} / edit at ${small.count}, per round: ${spread(ratios, (value) => `${value.toFixed(2)}×`)}`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      articles: { type: 'string', default: '10000' },
      images: { type: 'string', default: '300' },
      reuse: { type: 'boolean', default: false },
      'no-hugo': { type: 'boolean', default: false },
      'no-remote': { type: 'boolean', default: false },
      'remote-only': { type: 'boolean', default: false },
      edits: { type: 'string' },
      'placed-by-key': { type: 'string' },
      rounds: { type: 'string', default: '6' },
      notices: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const compared = values.edits ?? values['placed-by-key'];
  if (compared !== undefined) {
    const sizes = compared.split(',').map(Number);
    const rounds = Number(values.rounds);
    const valid = (n: number) => Number.isInteger(n) && n >= 1;
    const both = values.edits !== undefined && values['placed-by-key'] !== undefined;
    const notices = values.notices && values.edits === undefined;
    if (values.help || both || notices || sizes.length !== 2 || !sizes.every(valid) || !valid(rounds)) {
      console.error(USAGE);
      return values.help ? 0 : 2;
    }
    if (values.edits !== undefined) return compareEdits(sizes, rounds, values.notices ? 'notice' : 'title');
    const archives = await publishedArchives(sizes);
    return archives ? comparePlacedByKey(archives, rounds) : 2;
  }
  const count = Number(values.articles);
  if (values.help || !Number.isInteger(count) || count < 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const root = join(BENCH_DIR, String(count));
  const content = join(root, 'content');
  const state = join(root, 'state');
  if (!(values.reuse && existsSync(join(content, 'site.yaml')))) {
    console.log(`bench:publish: writing ${count} synthetic articles and ${values.images} photos`);
    await command('src/publish/node/synth.ts', [
      '--count',
      String(count),
      '--images',
      values.images,
      '--out',
      content,
    ]);
  }
  const renditions = join(root, 'renditions');
  await rm(state, { recursive: true, force: true });
  await rm(renditions, { recursive: true, force: true });
  const files = await articleFiles(content);
  const rows: string[][] = [];

  const row = (name: string, run: PublishRun) => [
    name,
    seconds(run.seconds),
    seconds(run.imageSeconds),
    mib(run.publishRssMiB),
    mib(run.maxRssMiB),
    `${run.keys}`,
    `${run.renditions}`,
  ];
  if (values['remote-only']) {
    console.log('bench:publish: first publish through the deployed APIs alone (stand-ins, values dropped)');
    const remote = await publishToStandIns(content, root, true);
    await writeFile(join(root, 'first-publish-remote.log'), remote.stdout);
    printTable(count, values.images, [row('first publish, --remote to stand-ins', remote)]);
    printStages(remote, join(root, 'first-publish-remote.log'));
    return 0;
  }
  console.log('bench:publish: first publish');
  const first = await publish(content, state, renditions);
  await writeFile(join(root, 'first-publish.log'), first.stdout);
  rows.push(row('first publish', first));
  // The same articles before any edit, published as production publishes them.
  let remote: PublishRun | undefined;
  if (!values['no-remote']) {
    console.log('bench:publish: first publish through the deployed APIs (stand-ins on 127.0.0.1)');
    remote = await publishToStandIns(content, root);
    await writeFile(join(root, 'first-publish-remote.log'), remote.stdout);
    rows.push(row('first publish, --remote to stand-ins', remote));
  }

  // An editor corrects the title of an article in the middle of the archive.
  const edited = files[Math.floor(files.length / 2)];
  if (!edited) throw new Error('the archive has no articles');
  const text = await readFile(edited, 'utf8');
  await writeFile(edited, text.replace(/^title: "(.*)"$/m, 'title: "$1 (corrected)"'));
  console.log('bench:publish: one-article edit');
  const edit = await publish(content, state, renditions);
  rows.push(row('one article edited', edit));

  // An editor corrects an old article with a notice: `updated` moves to the notice's time, which
  // reorders the API's `modified` scope (the title edit above moves nothing). The notice is made
  // afresh on each run, so an archive kept with --reuse is corrected again.
  const old = files[Math.floor(files.length / 10)];
  if (!old) throw new Error('the archive has no articles');
  await addNotice(old);
  console.log('bench:publish: one old article corrected, with a notice');
  const correction = await publish(content, state, renditions);
  rows.push(row('one old article corrected, with a notice', correction));

  // A new article, newest of all, in the edited one's section, with a photo already uploaded.
  const id = Math.max(...files.map((file) => Number(/\/(\d+)-[^/]*\.md$/.exec(file)?.[1] ?? 0))) + 1;
  const section = /^section: (\S+)$/m.exec(text)?.[1] ?? 'news';
  await mkdir(join(content, 'articles/2026/01'), { recursive: true });
  await writeFile(
    join(content, `articles/2026/01/${id}-new-article.md`),
    [
      '---',
      `id: ${id}`,
      'title: "A new article arrives"',
      `section: ${section}`,
      'published: 2026-01-01T12:00:00Z',
      'image:',
      '  src: images/synth-1.jpg',
      '  alt: "A photo"',
      'tags: [Energy]',
      '---',
      '',
      'The newest story of the archive, published on its own.',
      '',
    ].join('\n'),
  );
  console.log('bench:publish: one new article');
  const added = await publish(content, state, renditions);
  rows.push(row('one new article', added));

  let hugo: Measured | undefined;
  const hugoFound = await measure('hugo', ['version']).then(
    (run) => run.stdout.trim(),
    () => undefined,
  );
  if (hugoFound && !values['no-hugo']) {
    const site = join(root, 'hugo');
    await writeHugoSite(await articleFiles(content), site);
    console.log(`bench:publish: ${hugoFound}`);
    hugo = await measure('hugo', ['--quiet', '--destination', 'public'], { cwd: site });
    rows.push([
      'hugo build (same articles)',
      seconds(hugo.seconds),
      '—',
      mib(hugo.maxRssMiB),
      mib(hugo.maxRssMiB),
      '—',
      '—',
    ]);
  }

  printTable(count, values.images, rows);
  printStages(first, join(root, 'first-publish.log'));
  if (hugo) {
    const ratio = (value: number) => `${(value / (hugo?.seconds ?? 1)).toFixed(1)}×`;
    // Hugo resizes no images here: the comparison without the image work is the like-for-like one.
    console.log(
      `\nfirst publish / hugo build: ${ratio(first.seconds)} (${ratio(first.seconds - first.imageSeconds)} without the images)`,
    );
    if (remote)
      console.log(
        `first publish --remote / hugo build: ${ratio(remote.seconds)} (${ratio(remote.seconds - remote.imageSeconds)} without the images)`,
      );
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
