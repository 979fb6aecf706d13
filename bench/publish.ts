// `npm run bench:publish -- --articles N`: the publish command timed as a child process on a synthetic
// archive with photos (first publish, one edit, one new article) with peak RSS and keys written, and
// Debian's `hugo` building the same articles in the same run when it is installed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: npm run bench:publish -- --articles N [--images N] [--reuse] [--no-hugo]

  --articles N  synthetic articles (default 10000)
  --images N    distinct photos they share (default 300)
  --reuse       keep an archive already written for this N (the synthesis is not timed anyway)
  --no-hugo     skip the hugo comparison even when hugo is installed`;

const BENCH_DIR = '.bench/publish';
const TIME = '/usr/bin/time';

interface Measured {
  seconds: number;
  /** Peak resident set of the largest process (a local publish: the publish or a Miniflare workerd), from GNU time. */
  maxRssMiB?: number;
  stdout: string;
  stderr: string;
}

/** Runs a command, under `/usr/bin/time -v` when it exists, and measures its wall time and peak RSS. */
function measure(command: string, args: string[], options: { cwd?: string } = {}): Promise<Measured> {
  const timed = existsSync(TIME);
  const [file, argv] = timed ? [TIME, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-4000)}`));
        return;
      }
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      resolve({ seconds, ...(rss && { maxRssMiB: Number(rss) / 1024 }), stdout, stderr });
    });
  });
}

const tsx = (script: string, args: string[]) =>
  measure(process.execPath, ['--import', 'tsx', script, ...args]);

interface PublishRun extends Measured {
  /** The publish's own Node process at its peak, from its "done" progress line. */
  publishRssMiB?: number;
  keys: number;
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

async function publish(content: string, state: string): Promise<PublishRun> {
  const run = await tsx('src/publish/node/cli.ts', ['--local', '--content', content, '--persist-to', state]);
  const keys = Number(/ (\d+) to write \(/.exec(run.stdout)?.[1] ?? Number.NaN);
  const peak = /peak resident (\d+) MiB/.exec(run.stdout)?.[1];
  const renditions = Number(/, (\d+) renditions of \d+ to upload/.exec(run.stdout)?.[1] ?? 0);
  const uploadStarted = elapsedAt(run.stdout, /renditions of \d+ to upload/);
  const uploadEnded = elapsedAt(run.stdout, /image renditions uploaded/);
  const imageSeconds =
    uploadStarted !== undefined && uploadEnded !== undefined ? uploadEnded - uploadStarted : 0;
  return { ...run, ...(peak && { publishRssMiB: Number(peak) }), keys, renditions, imageSeconds };
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

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      articles: { type: 'string', default: '10000' },
      images: { type: 'string', default: '300' },
      reuse: { type: 'boolean', default: false },
      'no-hugo': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
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
    await tsx('src/publish/node/synth.ts', [
      '--count',
      String(count),
      '--images',
      values.images,
      '--out',
      content,
    ]);
  }
  await rm(state, { recursive: true, force: true });
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
  console.log('bench:publish: first publish');
  const first = await publish(content, state);
  await writeFile(join(root, 'first-publish.log'), first.stdout);
  rows.push(row('first publish', first));

  // An editor corrects the title of an article in the middle of the archive.
  const edited = files[Math.floor(files.length / 2)];
  if (!edited) throw new Error('the archive has no articles');
  const text = await readFile(edited, 'utf8');
  await writeFile(edited, text.replace(/^title: "(.*)"$/m, 'title: "$1 (corrected)"'));
  console.log('bench:publish: one-article edit');
  const edit = await publish(content, state);
  rows.push(row('one article edited', edit));

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
  const added = await publish(content, state);
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

  const header = [
    'run',
    'wall time',
    'of which images',
    'peak RSS (publish)',
    'peak RSS (largest process)',
    'KV keys written',
    'renditions uploaded',
  ];
  const table = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  console.log(`\n${count} articles, ${values.images} photos (wall time includes starting Node and tsx):\n`);
  console.log(table);
  // Where the memory goes: the publish's own progress lines carry its resident set at each stage.
  console.log(`\nfirst publish, resident memory by stage (${join(root, 'first-publish.log')}):`);
  for (const pattern of [
    /files read/,
    /articles valid/,
    /records built/,
    /to upload/,
    /uploaded$/,
    /manifest written/,
  ]) {
    const line = first.stdout.split('\n').find((each) => pattern.test(each));
    if (line) console.log(`  ${line.replace(/^publish: /, '')}`);
  }
  if (hugo) {
    const ratio = (value: number) => `${(value / (hugo?.seconds ?? 1)).toFixed(1)}×`;
    // Hugo resizes no images here: the comparison without the image work is the like-for-like one.
    console.log(
      `\nfirst publish / hugo build: ${ratio(first.seconds)} (${ratio(first.seconds - first.imageSeconds)} without the images)`,
    );
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
