// The publish command on real files in a temporary folder, against a real local KV store
// (the same miniflare state `wrangler dev` serves), as an editor runs it.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPlatformProxy } from 'wrangler';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/publish/node/cli.ts');
const SAMPLE = 'content/articles/2022/01/675904-russia-no-new-talks-ukraine.md';

let dir: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function publish(...args: string[]): Run {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      CLI,
      '--persist-to',
      'state',
      '--config',
      join(ROOT, 'wrangler.toml'),
      ...args,
    ],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every key and value in the local KV state. */
async function readKv(): Promise<Map<string, string>> {
  const proxy = await getPlatformProxy<{ ARTICLES: KVNamespace }>({
    configPath: join(ROOT, 'wrangler.toml'),
    persist: { path: join(dir, 'state', 'v3') },
  });
  try {
    const kv = proxy.env.ARTICLES;
    const entries = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await kv.list(cursor ? { cursor } : {});
      for (const key of page.keys) entries.set(key.name, (await kv.get(key.name, 'text')) ?? '');
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return entries;
  } finally {
    await proxy.dispose();
  }
}

async function writeArticle(path: string, text: string) {
  await writeFile(join(dir, path), text);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-cli-'));
  await cp(join(ROOT, 'content'), join(dir, 'content'), { recursive: true });
  await cp(join(ROOT, 'public'), join(dir, 'public'), { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run publish', () => {
  it('publishes content/ into local KV: articles, indexes and the manifest, without drafts', async () => {
    const run = publish('--local');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/15 articles valid \(1 drafts skipped/);
    const kv = await readKv();
    expect(kv.has('site:v1')).toBe(true);
    expect(kv.has('list:v2:home')).toBe(true);
    expect(kv.has('article:v1:676063')).toBe(false);
    const sample = JSON.parse(kv.get('article:v1:675904') ?? '{}');
    expect(sample.guid).toBe('tag:presstv.ir,2022-01-18:675904');
    expect(sample.bodyHtml).toContain(
      '<h2>Russia calls on US to abandon plans to provide more weapons to Ukraine</h2>',
    );
  });

  it('writes nothing when nothing changed', async () => {
    const before = await readKv();
    const run = publish('--local');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 to write .* 0 to delete/);
    expect(await readKv()).toEqual(before);
  });

  it('stops on a broken article with path, line and reason, and leaves KV as it was', async () => {
    const before = await readKv();
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
      const run = publish('--local');
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
      expect(publish('--local').status).toBe(0);
      const body: string = JSON.parse((await readKv()).get('article:v1:900002') ?? '{}').bodyHtml;
      expect(body).toContain('Hover');
      expect(body).not.toMatch(/<script|onmouseover|javascript:|<iframe|<style|display:none/i);
    } finally {
      await unlink(join(dir, hostile));
    }
  });

  it('plans a one-article edit as that article plus the indexes it appears in, and --dry-run writes nothing', async () => {
    expect(publish('--local').status).toBe(0);
    const before = await readKv();
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await writeArticle(
      SAMPLE,
      text.replace(/^title: .*$/m, 'title: Russia rules out new Ukraine talks for now'),
    );

    const dryRun = publish('--dry-run');
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toContain('write article:v1:675904');
    expect(dryRun.stdout).toContain('dry run, nothing written');
    expect(await readKv()).toEqual(before);

    expect(publish('--local').status).toBe(0);
    const after = await readKv();
    const changed = [...after.keys()].filter((key) => after.get(key) !== before.get(key)).sort();
    // Of the article records: the article and the two newer Russia articles whose "more from" lists
    // show it. Everything else written is an index that lists it (pages, feeds, sitemaps, API, change log).
    expect(changed.filter((key) => key.startsWith('article:'))).toEqual([
      'article:v1:675904',
      'article:v1:675991',
      'article:v1:676048',
    ]);
    expect(changed).toEqual(
      expect.arrayContaining(['list:v2:home', 'list:v2:section:russia:head', 'site:v1']),
    );
    expect(changed).toContain('api:v1:article:675904');
    for (const key of changed) expect(key).toMatch(/^(article|list|feed|seo|api|changes|site|search):/);
    const untouchedArticles = [...after.keys()].filter(
      (k) => k.startsWith('api:v1:article:') && !changed.includes(k),
    );
    expect(untouchedArticles.length).toBe(14);
  });

  it('deletes the record of an article that is removed or turned into a draft', async () => {
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await writeArticle(SAMPLE, text.replace('section: russia', 'section: russia\ndraft: true'));
    expect(publish('--local').status).toBe(0);
    const kv = await readKv();
    expect(kv.has('article:v1:675904')).toBe(false);
    expect(kv.get('list:v2:home')).not.toContain('675904');
  });
});
