// The publish command on real files in a temporary folder, against a real local KV store
// (the same miniflare state `wrangler dev` serves), as an editor runs it. The first publish goes
// through `npm run publish`'s real entry point in a child process; the others call the same command
// in this process (./command.ts). The descriptor limit has a file of its own (descriptors.test.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchCheckout } from './checkout';
import { CONFIG, type Run, runPublish, spawnPublish } from './command';
import { readKvAndBucketKeys, readKvValues, readKv as readLocalKv } from './local-state';

const SAMPLE = 'content/articles/2022/01/675904-russia-no-new-talks-ukraine.md';

/**
 * The articles of the checkout: every Russia article (an edit of SAMPLE changes the "more from"
 * teasers of the newer two), a science one (the section the key-limit test renames) and the draft.
 * A publish of six files proves what one of sixteen proves, in under half the records.
 */
const ARTICLES = [675768, 675904, 675991, 676048, 675752, 676063];
const PUBLISHED = ARTICLES.length - 1;

let dir: string;

/** The publish command in this process, on the temporary checkout and its local state. */
function publish(...args: string[]): Promise<Run> {
  return runPublish(['--persist-to', 'state', '--config', CONFIG, ...args], { cwd: dir });
}

/** The local state as `wrangler dev` serves it, through wrangler's own platform proxy: KV's keys and values, R2's keys. */
async function readThroughWrangler(): Promise<{ kv: Map<string, string>; images: string[] }> {
  // Imported here alone: wrangler costs seconds to import, and the other reads go through local-state.ts.
  const { getPlatformProxy } = await import('wrangler');
  const proxy = await getPlatformProxy<{ ARTICLES: KVNamespace; IMAGES: R2Bucket }>({
    configPath: CONFIG,
    persist: { path: join(dir, 'state', 'v3') },
  });
  try {
    const kv = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await proxy.env.ARTICLES.list(cursor ? { cursor } : {});
      // A list page is at most 1,000 keys, a bulk read at most 100.
      const names = page.keys.map((key) => key.name);
      for (let start = 0; start < names.length; start += 100) {
        const values = await proxy.env.ARTICLES.get(names.slice(start, start + 100), 'text');
        for (const [name, value] of values) kv.set(name, value ?? '');
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    const images: string[] = [];
    let after: string | undefined;
    do {
      const page = await proxy.env.IMAGES.list(after ? { cursor: after } : {});
      images.push(...page.objects.map((object) => object.key));
      after = page.truncated ? page.cursor : undefined;
    } while (after);
    return { kv, images };
  } finally {
    await proxy.dispose();
  }
}

/** The local KV state as last read, while no publish has run since: a test reads it instead of reading it again. */
let lastRead: Map<string, string> | undefined;

/** Every key and value in this checkout's local KV state. */
async function readKv(): Promise<Map<string, string>> {
  lastRead = await readLocalKv(join(dir, 'state'));
  return lastRead;
}

/** The local KV state as the previous test left it and read it, which it asserted no publish changed. */
function stateAsLastRead(): Map<string, string> {
  if (!lastRead) throw new Error('no state read yet');
  return lastRead;
}

/** A few values of this checkout's local KV state, null where there is none. */
function readKeys(...keys: string[]): Promise<Map<string, string | null>> {
  return readKvValues(join(dir, 'state'), keys);
}

async function writeArticle(path: string, text: string) {
  await writeFile(join(dir, path), text);
}

beforeAll(async () => {
  dir = await scratchCheckout('mirrorwire-cli-', ARTICLES);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The progress lines the record builders print as each finishes: name, records built, records kept. */
function builderLines(stdout: string): [name: string, built: number, kept: number][] {
  return [...stdout.matchAll(/records: ([a-z-]+), (\d+) built, (\d+) kept unchanged/g)].map((match) => [
    match[1] ?? '',
    Number(match[2]),
    Number(match[3]),
  ]);
}

describe('npm run publish', () => {
  it('publishes content/ into local KV: articles, indexes and the manifest, without drafts', async () => {
    const run = await spawnPublish(['--persist-to', 'state', '--config', CONFIG, '--local'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${PUBLISHED} articles valid (1 drafts skipped`);
    // A line as each builder finishes; with the change log's pages and the manifest, they are every record built.
    const builders = builderLines(run.stdout);
    expect(builders.map(([name]) => name).slice(0, 2)).toEqual(['articles', 'lists']);
    expect(builders.every(([, , kept]) => kept === 0)).toBe(true);
    const built = Number(/(\d+) records built/.exec(run.stdout)?.[1]);
    const pages = Number(/to write \((\d+) changes,/.exec(run.stdout)?.[1]);
    expect(builders.reduce((sum, [, count]) => sum + count, 0) + pages + 1).toBe(built);
    const local = await readKvAndBucketKeys(join(dir, 'state'));
    const kv = local.kv;
    lastRead = kv;
    // What wrangler dev serves is what the other tests read back (local-state.ts), images included.
    const served = await readThroughWrangler();
    expect(served.kv).toEqual(kv);
    expect(served.images.sort()).toEqual(local.images.sort());
    // Six renditions of each published article's photo; none of the draft's.
    expect(served.images).toHaveLength(PUBLISHED * 6);
    expect(kv.has('site:v1')).toBe(true);
    expect(kv.has('list:v3:home')).toBe(true);
    expect(kv.has('article:v1:676063')).toBe(false);
    const sample = JSON.parse(kv.get('article:v1:675904') ?? '{}');
    expect(sample.guid).toBe('tag:presstv.ir,2022-01-18:675904');
    expect(sample.bodyHtml).toContain(
      '<h2>Russia calls on US to abandon plans to provide more weapons to Ukraine</h2>',
    );
  });

  it('writes nothing when nothing changed', async () => {
    // As the first test read it: nothing has run since.
    const before = stateAsLastRead();
    const memo = await readFile(join(dir, 'state/mirrorwire-records.mdb'));
    const run = await publish('--local');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 to write .* 0 to delete/);
    // The articles' own records were kept as they were, not built (the site's feeds are built each time).
    const builders = new Map(builderLines(run.stdout).map(([name, built, kept]) => [name, { built, kept }]));
    for (const name of ['articles', 'api-articles', 'term-pages', 'search'])
      expect(builders.get(name), name).toEqual({ built: 0, kept: expect.any(Number) });
    expect(builders.get('articles')?.kept).toBe(2 * PUBLISHED);
    expect(await readKv()).toEqual(before);
    // Nor does it add to what the next publish reads: the record memo is as it was.
    expect(await readFile(join(dir, 'state/mirrorwire-records.mdb'))).toEqual(memo);
  });

  it('stops on a broken article with path, line and reason, and leaves KV as it was', async () => {
    // As the test before read it, after a publish that wrote nothing.
    const before = stateAsLastRead();
    const broken = 'content/articles/broken.md';
    await writeArticle(
      broken,
      [
        '---',
        'id: 900001',
        'title: Broken',
        'section: russia',
        'published: yesterday',
        '---',
        'Body.',
        '',
      ].join('\n'),
    );
    const edited = (await readFile(join(dir, SAMPLE), 'utf8')).replace(
      'Russia says no new talks',
      'Changed headline',
    );
    await writeArticle(SAMPLE, edited);
    try {
      const run = await publish('--local');
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${broken}:5: published: must be an ISO 8601 date-time with offset`);
      expect(run.stderr).toContain('nothing was written');
      expect(await readKv()).toEqual(before);
    } finally {
      await unlink(join(dir, broken));
    }
  });

  it('sanitises hostile HTML in a body at publish time', async () => {
    const hostile = 'content/articles/hostile.md';
    await writeArticle(
      hostile,
      [
        '---',
        'id: 900002',
        'title: Hostile markup',
        'section: science',
        'published: 2022-03-21T10:00:00Z',
        'summary: A test of hostile markup.',
        '---',
        '<script>alert(1)</script><p onmouseover="alert(2)">Hover</p>',
        '<a href="javascript:alert(3)">link</a><iframe src="https://evil.example/"></iframe>',
        '<style>body{display:none}</style>',
        '',
      ].join('\n'),
    );
    try {
      expect((await publish('--local')).status).toBe(0);
      const body: string = JSON.parse(
        (await readKeys('article:v1:900002')).get('article:v1:900002') ?? '{}',
      ).bodyHtml;
      expect(body).toContain('Hover');
      expect(body).not.toMatch(/<script|onmouseover|javascript:|<iframe|<style|display:none/i);
    } finally {
      await unlink(join(dir, hostile));
    }
  });

  it('plans a one-article edit as that article plus the indexes it appears in, and --dry-run writes nothing', async () => {
    expect((await publish('--local')).status).toBe(0);
    const before = await readKv();
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await writeArticle(
      SAMPLE,
      text.replace(/^title: .*$/m, 'title: Russia rules out new Ukraine talks for now'),
    );

    const dryRun = await publish('--dry-run');
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toContain('write article:v1:675904');
    expect(dryRun.stdout).toContain('dry run, nothing written');
    expect(await readKv()).toEqual(before);

    expect((await publish('--local')).status).toBe(0);
    const after = await readKv();
    const changed = [...after.keys()].filter((key) => after.get(key) !== before.get(key)).sort();
    // Of the article records: the article and the two newer Russia articles whose "more from" lists
    // show it. Everything else written is an index that lists it (pages, feeds, sitemaps, API, change log).
    expect(changed.filter((key) => key.startsWith('article:'))).toEqual([
      'article:v1:675904',
      'article:v1:675991',
      'article:v1:676048',
    ]);
    // Their pages, rendered at publish time, change with them and only with them.
    expect(changed.filter((key) => key.startsWith('page:'))).toEqual([
      'page:v1:article:675904',
      'page:v1:article:675991',
      'page:v1:article:676048',
    ]);
    expect(changed).toEqual(
      expect.arrayContaining(['list:v3:home', 'list:v3:section:russia:head', 'site:v1']),
    );
    expect(changed).toContain('api:v1:article:675904');
    // The writer token (writer:v1) changes with every publish that writes anything.
    for (const key of changed)
      expect(key).toMatch(/^(article|page|list|feed|seo|api|changes|site|search|writer):/);
    const untouchedArticles = [...after.keys()].filter(
      (k) => k.startsWith('api:v1:article:') && !changed.includes(k),
    );
    expect(untouchedArticles.length).toBe(PUBLISHED - 1);
  });

  it('deletes the record of an article that is removed or turned into a draft', async () => {
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await writeArticle(SAMPLE, text.replace('section: russia', 'section: russia\ndraft: true'));
    expect((await publish('--local')).status).toBe(0);
    const kv = await readKeys('article:v1:675904', 'page:v1:article:675904', 'list:v3:home');
    expect(kv.get('article:v1:675904')).toBeNull();
    expect(kv.get('page:v1:article:675904')).toBeNull();
    expect(kv.get('list:v3:home')).toMatch(/^\{/);
    expect(kv.get('list:v3:home')).not.toContain('675904');
  });

  it('plans the same with its compile cache and record memo damaged, warning, and mends them', async () => {
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await writeArticle(SAMPLE, text.replace(/^draft: true\n/m, '').replace(/^title: .*$/m, 'title: Mended'));
    const planned = (run: Run) =>
      run.stdout.split('\n').filter((line) => /^ {2}(write|delete|retire) /.test(line));
    const intact = await publish('--dry-run');
    expect(intact.status).toBe(0);
    expect(planned(intact).length).toBeGreaterThan(0);
    // Overwritten with text, and cut short inside a page: neither is whole, and neither may crash the publish.
    await writeFile(join(dir, 'state/mirrorwire-records.mdb'), 'not a database '.repeat(1000));
    const compiled = await readFile(join(dir, 'state/mirrorwire-compiled.mdb'));
    await writeFile(join(dir, 'state/mirrorwire-compiled.mdb'), compiled.subarray(0, compiled.length - 1000));
    const damaged = await publish('--dry-run');
    expect(damaged.status).toBe(0);
    expect(damaged.stderr).toContain('ignoring the record memo');
    expect(damaged.stderr).toContain('ignoring the compile cache');
    expect(planned(damaged)).toEqual(planned(intact));
    // The real publish rebuilds them; the next one finds everything unchanged again.
    expect((await publish('--local')).status).toBe(0);
    const again = await publish('--local');
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/0 to write .* 0 to delete/);
    expect(again.stdout).toMatch(/[1-9]\d* known unchanged without building/);
  });
});

describe('limits: --dry-run refuses what the real publish could not write', () => {
  const front = (id: number, extra: string[] = []) => [
    '---',
    `id: ${id}`,
    'title: At the limits',
    'section: russia',
    'published: 2022-03-21T10:00:00Z',
    ...extra,
    '---',
  ];

  it('refuses a tag too long for its storage key (90 Cyrillic letters) with path:line', async () => {
    const path = 'content/articles/long-tag.md';
    await writeArticle(
      path,
      [...front(900010, [`tags: [Russia, ${'Ж'.repeat(90)}]`]), 'Body.', ''].join('\n'),
    );
    try {
      const run = await publish('--dry-run');
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^${path}:6: tags\\.1: .*100 bytes`, 'm'));
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await unlink(join(dir, path));
    }
  });

  it('refuses a 30 MB article with path:line, not a stack trace', async () => {
    const path = 'content/articles/huge.md';
    await writeArticle(path, [...front(900011), 'word '.repeat(6_000_000), ''].join('\n'));
    try {
      const run = await publish('--dry-run');
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^${path}:1: .*28\\.6 MiB.*160 KiB`, 'm'));
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await unlink(join(dir, path));
    }
  });

  it('refuses a record whose key KV would refuse, naming the key, before writing anything', async () => {
    const site = join(dir, 'content/site.yaml');
    const original = await readFile(site, 'utf8');
    const slug = 'a'.repeat(600);
    await writeFile(
      site,
      original.replace(/slug: science\b/, `slug: ${slug}`).replaceAll('section: science', `section: ${slug}`),
    );
    const articles = join(dir, 'content/articles');
    const edited = new Map<string, string>();
    for (const path of await readdir(articles, { recursive: true })) {
      if (!path.endsWith('.md')) continue;
      const text = await readFile(join(articles, path), 'utf8');
      if (!text.includes('section: science')) continue;
      edited.set(path, text);
      await writeFile(join(articles, path), text.replace('section: science', `section: ${slug}`));
    }
    try {
      const before = await readKv();
      for (const mode of ['--dry-run', '--local']) {
        const run = await publish(mode);
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/^publish: \S*section:a{20}\S*: the key is \d+ bytes.*at most 512/m);
        expect(run.stderr).toContain('nothing was written');
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
      expect(await readKv()).toEqual(before);
    } finally {
      await writeFile(site, original);
      for (const [path, text] of edited) await writeFile(join(articles, path), text);
    }
  });
});

describe('reading content/', () => {
  const articleText = (id: number) =>
    [
      '---',
      `id: ${id}`,
      `title: Linked article ${id}`,
      'section: science',
      'published: 2022-03-21T10:00:00Z',
      '---',
      'Body.',
      '',
    ].join('\n');

  it('follows symbolic links to article files and folders', async () => {
    await mkdir(join(dir, 'elsewhere/folder'), { recursive: true });
    await writeFile(join(dir, 'elsewhere/file-target.md'), articleText(900020));
    await writeFile(join(dir, 'elsewhere/folder/in-folder.md'), articleText(900021));
    await symlink('../../elsewhere/file-target.md', join(dir, 'content/articles/linked.md'));
    await symlink('../../elsewhere/folder', join(dir, 'content/articles/linked-folder'));
    try {
      const run = await publish('--dry-run');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('write article:v1:900020');
      expect(run.stdout).toContain('write article:v1:900021');
    } finally {
      await unlink(join(dir, 'content/articles/linked.md'));
      await unlink(join(dir, 'content/articles/linked-folder'));
    }
  });

  it('names a file as seen from where the command runs, inside the content folder too', async () => {
    const broken = join(dir, 'content/articles/2022/broken.md');
    await writeFile(broken, articleText(900030).replace('section: science', 'section: nowhere'));
    const from = async (cwd: string, content: string) => {
      const run = await runPublish(
        [
          '--dry-run',
          '--local',
          '--persist-to',
          join(dir, 'state'),
          '--config',
          CONFIG,
          '--content',
          content,
        ],
        { cwd },
      );
      expect(run.status).toBe(1);
      return run.stderr;
    };
    try {
      expect(await from(dir, 'content')).toMatch(/^content\/articles\/2022\/broken\.md:\d+: /m);
      expect(await from(dir, join(dir, 'content'))).toMatch(/^content\/articles\/2022\/broken\.md:\d+: /m);
      expect(await from(join(dir, 'content/articles'), '..')).toMatch(/^2022\/broken\.md:\d+: /m);
      expect(await from(join(dir, 'content/articles/2022'), '../..')).toMatch(/^broken\.md:\d+: /m);
    } finally {
      await unlink(broken);
    }
  });

  it('refuses a symbolic link loop and a link to nothing, naming each, instead of skipping them', async () => {
    await symlink('..', join(dir, 'content/articles/2022/loop'));
    await symlink('nowhere.md', join(dir, 'content/articles/dangling.md'));
    try {
      const run = await publish('--dry-run');
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^content\/articles\/2022\/loop:1: .*loop/m);
      expect(run.stderr).toMatch(/^content\/articles\/dangling\.md:1: .*nowhere\.md.*does not exist/m);
      expect(run.stderr).toContain('nothing was written');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await unlink(join(dir, 'content/articles/2022/loop'));
      await unlink(join(dir, 'content/articles/dangling.md'));
    }
  });
});

describe('one publish at a time per state', () => {
  it('refuses a state another publish holds, writing nothing, and takes over the lock of one that is gone', async () => {
    const lock = join(dir, 'state.lock');
    await writeArticle(
      SAMPLE,
      (await readFile(join(dir, SAMPLE), 'utf8')).replace(/^title: (.*)$/m, 'title: "Locked $1"'),
    );
    const before = await readKv();
    // A publish still running: a live process of this machine named in the lock file.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const exited = once(holder, 'exit');
    const since = '2026-12-02T20:00:00.000Z';
    try {
      await writeFile(lock, JSON.stringify({ pid: holder.pid, host: hostname(), since }));
      const refused = await publish('--local');
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        `publish: another publish is using this state (held by process ${holder.pid}, since ${since}): wait for it to end; if no publish is running, remove state.lock; nothing was written.`,
      );
      expect(await readKv()).toEqual(before);
      expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: holder.pid });
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    // The same lock once its process is gone, as a publish killed with -9 leaves it.
    const run = await publish('--local');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse((await readKv()).get('article:v1:675904') ?? '{}').title).toMatch(/^Locked /);
    expect(existsSync(lock)).toBe(false);
  });
});
