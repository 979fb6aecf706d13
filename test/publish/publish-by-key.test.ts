// The publish command takes a few articles edited in place by key (src/publish/node/publish-by-key.ts):
// found by the article folders' digests, planned from the group index, the record memo and a few
// reads of KV. Each edit is published twice, from copies of one state: by key, and by the publish
// of every article (the copy's folder digests removed, so no edit by key is taken there). KV must
// end up the same, key for key and byte for byte, and the dry runs must plan the same writes. The
// state an edit by key leaves must serve the next one, and what it cannot take is declined, with
// its reason, and published whole.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWalk } from '../../src/publish/node/folder-digests';
import { readContent, shown } from '../../src/publish/node/read-content';
import { writerTokenKey } from '../../src/storage/keys';
import { withNotice } from '../support/notice';
import { searchAnswers } from '../support/search-answers';
import { articleFiles, publishClock, rewrite, syntheticCheckout } from './checkout';
import { CONFIG, runPublish } from './command';
import { readKvEntries } from './local-state';

const clock = publishClock();
const BY_KEY = /edit by key: \d+ groups made again; (\d+) to write/;
const DECLINED = /not an edit by key \((.*)\): every article is published/;

let archive: string;
let files: string[];

beforeAll(async () => {
  archive = await syntheticCheckout('mirrorwire-publish-by-key-', { count: 60, images: 0 });
  files = await articleFiles(archive);
  const first = await publish('state');
  expect(first.status, first.stderr).toBe(0);
  expect(first.stdout).toMatch(DECLINED);
  clock.later();
});

afterAll(() => rm(archive, { recursive: true, force: true }));

const publish = (persistTo: string, ...args: string[]) =>
  runPublish(['--local', '--persist-to', persistTo, '--config', CONFIG, ...args], {
    cwd: archive,
    env: clock.env(),
  });

/** KV as a publish left it, but for the writer token (a fresh value per publish, by design). */
async function kvOf(state: string) {
  const entries = await readKvEntries(join(archive, state));
  entries.delete(writerTokenKey());
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A dry run's planned lines, but for the writer token's. */
const plannedLines = (stdout: string) =>
  [...stdout.matchAll(/^ {2}(write|delete) (\S+)$/gm)]
    .map((match) => `${match[1]} ${match[2]}`)
    .filter((line) => line !== `write ${writerTokenKey()}`)
    .sort();

/**
 * Edits the content, then publishes it into the state (by key, or declined with `declined`) and into
 * a copy made before the edit, left to publish every article: both must plan and store the same.
 */
async function publishBothWays(edit: () => Promise<void>, declined?: RegExp) {
  await rm(join(archive, 'whole'), { recursive: true, force: true });
  await cp(join(archive, 'state'), join(archive, 'whole'), { recursive: true });
  await rm(join(archive, 'whole/mirrorwire-folders.json'));
  await edit();
  // The dry runs of an edit by key and of every article plan the same.
  if (!declined) {
    const dryByKey = await publish('state', '--dry-run');
    expect(dryByKey.stdout).toMatch(BY_KEY);
    const dryWhole = await publish('whole', '--dry-run');
    expect(plannedLines(dryByKey.stdout)).toEqual(plannedLines(dryWhole.stdout));
  }
  const byKey = await publish('state');
  const whole = await publish('whole');
  expect(byKey.status, byKey.stderr).toBe(0);
  expect(whole.status, whole.stderr).toBe(0);
  if (declined) {
    expect(byKey.stdout).not.toMatch(BY_KEY);
    expect(DECLINED.exec(byKey.stdout)?.[1]).toMatch(declined);
  } else {
    expect(Number(BY_KEY.exec(byKey.stdout)?.[1])).toBeGreaterThan(10);
  }
  expect(whole.stdout).not.toMatch(BY_KEY);
  expect(await kvOf('state')).toEqual(await kvOf('whole'));
}

it('writes corrections by key, and KV ends as the publish of every article leaves it, edit after edit', async () => {
  // A middle article's title (a closed bucket, an archive, the related teasers of newer ones), the
  // newest article's body (the home list, the feeds, the news sitemap) and another's summary.
  const [middle, newest, other] = [files[40] ?? '', files.at(-1) ?? '', files[5] ?? ''];
  await publishBothWays(async () => {
    await rewrite(middle, (text) => text.replace(/^title: "/m, 'title: "Corrected: '));
    await rewrite(newest, (text) => `${text}\nA paragraph added by the desk.\n`);
    await rewrite(other, (text) => text.replace('\n---\n\n', '\n---\n\nRevised: '));
  });
  // The state the edit by key left (its listing's commit, the group index, the file table, the
  // folders' digests, the memo) serves the next edit, of one of the same articles and another.
  await publishBothWays(async () => {
    await rewrite(middle, (text) => text.replace('title: "Corrected: ', 'title: "Amended: '));
    await rewrite(files[12] ?? '', (text) => `${text}\nA closing line.\n`);
  });
  // A correction notice: `updated` moves to it, past every other article's, and the API's
  // `modified` scope, the sitemaps' dates and the OPML list's follow, by key.
  await publishBothWays(() =>
    rewrite(
      files[20] ?? '',
      withNotice(new Date(clock.now().getTime() - 60_000), 'An earlier version misspelt a name.'),
    ),
  );
  // And the publish of every article after them, which updates the search index from what the
  // memo holds of it: the middle title back as it was published first, its words found again
  // where they were and no longer where the edits put them, as a first publish finds them.
  // And the summary edited by key in the first round only: named since in the state's one piece.
  await rewrite(middle, (text) => text.replace('title: "Amended: ', 'title: "'));
  await rewrite(other, (text) => text.replace('\n---\n\nRevised: ', '\n---\n\n'));
  const after = await publish('state', '--every-article');
  expect(after.status, after.stderr).toBe(0);
  const fresh = await publish('fresh');
  expect(fresh.status, fresh.stderr).toBe(0);
  // Their values: the generations in their metadata are each state's own.
  const searchParts = async (state: string) =>
    Object.entries(await kvOf(state)).flatMap(([key, { value }]) =>
      key.startsWith('search:') ? [[key, value]] : [],
    );
  expect(await searchParts('state')).toEqual(await searchParts('fresh'));
});

it('declines, with its reason, what it cannot take by key, which the publish of every article takes', async () => {
  await publishBothWays(
    () =>
      rewrite(files[20] ?? '', (text) =>
        text.replace(/^published: (\d{4})/m, (_, year) => `published: ${+year - 1}`),
      ),
    /publication date changed/,
  );
  await publishBothWays(() => rm(files[10] ?? ''), /has \d+ files, not \d+|has no article file left/);
  await publishBothWays(
    () =>
      writeFile(
        join(archive, 'content/articles/added.md'),
        `---\nid: 1999999\ntitle: "A new report"\nsection: news\npublished: 2026-01-02T09:00:00Z\n---\n\nIt is new.\n`,
      ),
    /is a new (file|folder of articles)/,
  );
  await publishBothWays(async () => {
    await rewrite(join(archive, 'content/site.yaml'), (text) => `${text}\n# A comment.\n`);
    await rewrite(files[30] ?? '', (text) => text.replace(/^title: "/m, 'title: "Retitled: '));
  }, /site\.yaml/);
  await publishBothWays(
    () => rewrite(files[33] ?? '', (text) => text.replace(/^id: \d+$/m, 'id: 1999998')),
    /claims another id/,
  );
  // Nothing but site.yaml: no article file changed.
  await publishBothWays(
    () => rewrite(join(archive, 'content/site.yaml'), (text) => `${text}\n# Another comment.\n`),
    /no article file changed/,
  );
});

it('walks the folders in a worker to the very digests the publish of every article records', async () => {
  const content = join(archive, 'content');
  const read = await readContent(content);
  expect(read.articleFolders.size).toBeGreaterThan(3);
  const root = join(content, 'articles');
  const walked = await startWalk(root, shown(root), read.articleFolders);
  if ('declined' in walked) throw new Error(walked.declined);
  expect(walked.folders).toEqual(read.articleFolders);
  expect(walked.moved).toEqual([]);
  // A file touched: its folder's digest moves, and its files come back with their stamps.
  const file = files[7] ?? '';
  await writeFile(file, await readFile(file, 'utf8'));
  const touched = await startWalk(root, shown(root), read.articleFolders);
  if ('declined' in touched) throw new Error(touched.declined);
  expect(touched.moved.map(({ found }) => found.path)).toContain(file);
});

it('stops a broken edited file with its line, writing nothing', async () => {
  const file = files[30] ?? '';
  const before = await readFile(file, 'utf8');
  await writeFile(file, before.replace(/^section: .*$/m, 'section: nowhere'));
  const kv = await kvOf('state');
  const run = await publish('state');
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/section/);
  expect(run.stderr).toMatch(/nothing was written/);
  expect(await kvOf('state')).toEqual(kv);
  await writeFile(file, before);
});

it('corrects by key an article older than the search index’s cut in fresh parts alone, found as a first publish finds it', async () => {
  // A newer article, 3,000 ids on: the cut moves past every article before it, whose postings are
  // then settled (the publish of every article, for a new file, builds the index whole).
  const model = await readFile(files[0] ?? '', 'utf8');
  const newer = join(archive, 'content/articles/2026/01/1003001-a-later-report.md');
  await mkdir(dirname(newer), { recursive: true });
  await writeFile(
    newer,
    model
      .replace(/^id: .*$/m, 'id: 1003001')
      .replace(/^title: .*$/m, 'title: "A later report"')
      .replace(/^published: .*$/m, 'published: 2026-01-02T08:00:00Z')
      .replace(/^updated: .*\n/m, ''),
  );
  const added = await publish('state');
  expect(added.status, added.stderr).toBe(0);
  expect(added.stdout).toMatch(DECLINED);
  const searchEntries = async (state: string) =>
    Object.entries(await kvOf(state)).flatMap(([key, { value }]) =>
      key.startsWith('search:') ? [[key, value] as [string, string]] : [],
    );
  const before = new Map(await searchEntries('state'));
  // An older article's title corrected, by key and by the publish of every article alike.
  await publishBothWays(() =>
    rewrite(files[33] ?? '', (text) => text.replace(/^title: "/m, 'title: "Xylophonic quasar, ')),
  );
  const after = await searchEntries('state');
  const rewritten = after.filter(([key, value]) => before.get(key) !== value).map(([key]) => key);
  expect(rewritten.length).toBeGreaterThan(0);
  expect(rewritten.filter((key) => !key.includes(':fresh:'))).toEqual([]);
  // What a first publish of the same content stores answers every word alike, though it holds the
  // correction in settled parts.
  const first = await publish('first');
  expect(first.status, first.stderr).toBe(0);
  const firstEntries = await searchEntries('first');
  expect(searchAnswers(after)).toEqual(searchAnswers(firstEntries));
  expect(searchAnswers(after).get('xylophonic')?.length).toBe(1);
  expect(after).not.toEqual(firstEntries);
});
