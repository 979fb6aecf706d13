// A correction that moves nothing (a title, a summary, a body) is published in place: the groups of
// records that do not list the edited article are kept as KV holds them, without naming their
// inputs or asking the record memo. The corrections are published twice, from copies of one state:
// in place, and with the file table and the memo removed, so every group is built and diffed as on
// a first look; KV must end up the same, key for key and byte for byte. Then what must take the
// usual way does. (The plans of corrections that move `updated`, over enough articles to cut the
// API's scopes into several buckets, are compared in test/integration/edit-in-place.test.ts.)
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writerTokenKey } from '../../src/storage/keys';
import { withNotice } from '../support/notice';
import { articleFiles, rewrite, syntheticCheckout } from './checkout';
import { CONFIG, otherNamespaceConfig, runPublish } from './command';
import { readKvEntries } from './local-state';

const ENV = { ...process.env, SOURCE_DATE_EPOCH: '1767500000' };
const IN_PLACE = /kept as stored, unlooked-up: (\d+) article\(s\) edited in place/;

let archive: string;
let files: string[];

beforeAll(async () => {
  // Sixty articles: several buckets per section, two feed archives, enough tags to share.
  archive = await syntheticCheckout('mirrorwire-edit-in-place-', { count: 60, images: 0 });
  files = await articleFiles(archive);
  const first = await publish('state');
  expect(first.status, first.stderr).toBe(0);
});

afterAll(() => rm(archive, { recursive: true, force: true }));

const publish = (persistTo: string) =>
  runPublish(['--local', '--persist-to', persistTo, '--config', CONFIG], { cwd: archive, env: ENV });

/** KV as a publish left it, but for the writer token (a fresh value per publish, by design). */
async function kvOf(state: string) {
  const entries = await readKvEntries(join(archive, state));
  entries.delete(writerTokenKey());
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Edits the content, then publishes it into the state in place and into a copy made before the
 * edit, left to build every group: both must plan and store the same.
 */
async function publishBothWays(edit: () => Promise<void>, inPlace: number) {
  await rm(join(archive, 'whole'), { recursive: true, force: true });
  await cp(join(archive, 'state'), join(archive, 'whole'), { recursive: true });
  // Without them, every file is read and every group is named and looked up: the usual publish.
  await rm(join(archive, 'whole/mirrorwire-files.mdb'));
  await rm(join(archive, 'whole/mirrorwire-records.mdb'));
  await edit();
  const patched = await publish('state');
  const whole = await publish('whole');
  expect(patched.status, patched.stderr).toBe(0);
  expect(whole.status, whole.stderr).toBe(0);
  expect(IN_PLACE.exec(patched.stdout)?.[1]).toBe(String(inPlace));
  expect(whole.stdout).not.toMatch(IN_PLACE);
  // Each builder's progress line counts the keys it kept, those it kept while cutting its groups
  // included: together, every key known unchanged.
  for (const run of [patched, whole]) {
    const keptByBuilders = [...run.stdout.matchAll(/records: [a-z-]+, \d+ built, (\d+) kept unchanged/g)]
      .map((match) => Number(match[1]))
      .reduce((sum, kept) => sum + kept, 0);
    expect(keptByBuilders).toBe(Number(/(\d+) known unchanged without building/.exec(run.stdout)?.[1]));
  }
  const planOf = (stdout: string) => /\d+ to write .*/.exec(stdout)?.[0];
  expect(planOf(patched.stdout)).toBeDefined();
  expect(planOf(patched.stdout)).toBe(planOf(whole.stdout));
  expect(await kvOf('state')).toEqual(await kvOf('whole'));
}

/** Edits the content and publishes it: the usual way, never in place. */
async function publishTheUsualWay(edit: () => Promise<void>) {
  await edit();
  const run = await publish('state');
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/\d+ to write/);
  expect(run.stdout).not.toMatch(IN_PLACE);
}

it('publishes corrections in place, and KV ends as a whole build leaves it', async () => {
  // A middle article's title (it is in a closed bucket, an archive and the related teasers of
  // newer ones) and another's first paragraph, which is its summary, each corrected with a notice:
  // two dates moved, which an edit by key does not take (it takes one, test/publish/edit-by-key.test.ts);
  // and the newest article's body (the home list and the feeds show it).
  const [middle, newest, other] = [files[40] ?? '', files.at(-1) ?? '', files[5] ?? ''];
  await publishBothWays(async () => {
    await rewrite(middle, (text) =>
      withNotice(new Date('2026-01-03T12:00:00Z'))(text.replace(/^title: "/m, 'title: "Corrected: ')),
    );
    await rewrite(newest, (text) => `${text}\nA paragraph added by the desk.\n`);
    await rewrite(other, (text) =>
      withNotice(new Date('2026-01-03T12:30:00Z'))(text.replace('\n---\n\n', '\n---\n\nRevised: ')),
    );
  }, 3);
});

it('takes the usual way when an article moves (re-dated) or a file is deleted', async () => {
  await publishTheUsualWay(() =>
    rewrite(files[20] ?? '', (text) =>
      text.replace(/^published: (\d{4})/m, (_, year) => `published: ${+year - 1}`),
    ),
  );
  await publishTheUsualWay(() => rm(files[10] ?? ''));
});

it('is not taken for a namespace published from these files while another was', async () => {
  // Two namespaces published from one folder (two configurations): a publish to one that finds
  // nothing to write still records the files as read, and must not let the other, whose listing
  // record is still trusted, take an edit it never received for one it did.
  const config = await otherNamespaceConfig(archive, 'a');
  const into = (persistTo: string, configPath: string) =>
    runPublish(['--local', '--persist-to', persistTo, '--config', configPath], { cwd: archive, env: ENV });
  const file = files[50] ?? '';
  const before = await readFile(file, 'utf8');
  const corrected = before.replace(/^title: "/m, 'title: "Twice corrected: ');
  expect(corrected).not.toBe(before);
  await writeFile(file, corrected);
  expect((await into('shared', config)).status).toBe(0);
  await writeFile(file, before);
  expect((await into('shared', CONFIG)).status).toBe(0);
  await writeFile(file, corrected);
  const other = await into('shared', config);
  expect(other.stdout, other.stderr).toMatch(/0 to write/);
  const main = await into('shared', CONFIG);
  expect(main.status, main.stderr).toBe(0);
  expect(main.stdout).not.toMatch(IN_PLACE);
  const id = /^id: (\d+)$/m.exec(corrected)?.[1];
  const stored = (await readKvEntries(join(archive, 'shared'))).get(`article:v1:${id}`);
  expect(stored?.value).toContain('Twice corrected: ');
});

it('is not taken by a preview, whose scheduled articles stop being drafts as time passes', async () => {
  // Due a week after the first preview: the second, a fortnight later, must show it published.
  const scheduled = join(archive, 'content/articles/scheduled.md');
  await writeFile(
    scheduled,
    [
      '---',
      'id: 9900001',
      'title: "A budget vote next week"',
      'section: news',
      'published: 2026-01-11T09:00:00Z',
      '---',
      '',
      'The vote is due.',
      '',
    ].join('\n'),
  );
  const preview = (epoch: string) =>
    runPublish(['--local', '--preview', '--persist-to', 'preview', '--config', CONFIG], {
      cwd: archive,
      env: { ...ENV, SOURCE_DATE_EPOCH: epoch },
    });
  expect((await preview('1767500000')).status).toBe(0);
  const draftOf = async () =>
    (await readKvEntries(join(archive, 'preview'))).get('article:v1:9900001')?.value.includes('"draft":true');
  expect(await draftOf()).toBe(true);
  const later = await preview('1768700000');
  expect(later.status, later.stderr).toBe(0);
  expect(await draftOf()).toBe(false);
  await rm(scheduled);
});
