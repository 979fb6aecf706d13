// A publish takes the keys KV holds from what this machine's last publish left (its listing
// snapshot) while no other writer has been since, and lists KV again after one: a publish from
// elsewhere, or one cut short, puts a writer token of its own first (src/publish/node/listing-snapshot.ts).
import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStore } from '../../src/publish/node/kv-store';
import {
  commitPublish,
  newWriterToken,
  openListingSnapshot,
  putWriterToken,
  rememberedListing,
} from '../../src/publish/node/listing-snapshot';
import { openLocalWorker } from '../../src/publish/node/local-worker';
import type { PublishPlan, StoredKeys } from '../../src/publish/plan';
import { articleKey, writerTokenKey } from '../../src/storage/keys';
import { scratchCheckout } from './checkout';
import { CONFIG, runPublish } from './command';

const SAMPLE = 'content/articles/2022/01/675904-russia-no-new-talks-ukraine.md';
const SNAPSHOT = 'state/mirrorwire-listing.jsonl';
const NOT_LISTED = /keys as this machine's last publish left them \(KV not listed\)/;

let dir: string;
let epoch = 1_767_225_600;

/** A publish of every article: the listing stands in for KV's there (an edit by key reads none). */
function publish(...args: string[]) {
  epoch += 3600;
  return runPublish(['--persist-to', 'state', '--config', CONFIG, '--every-article', ...args], {
    cwd: dir,
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
}

/** The dry run's plan: what it would upload, write, retire and delete. */
const planned = (stdout: string) =>
  stdout.split('\n').filter((line) => /^ {2}(upload|write|retire|delete) /.test(line));

async function retitle(title: string) {
  const path = join(dir, SAMPLE);
  await writeFile(path, (await readFile(path, 'utf8')).replace(/^title: .*$/m, `title: ${title}`));
}

/** Another writer at work: it puts its token, then a value of its own. */
async function writeElsewhere(key: string, value: string) {
  const worker = await openLocalWorker({ configPath: CONFIG, persistTo: join(dir, 'state') });
  try {
    await localStore(worker).put([
      { key: writerTokenKey(), value: '{"by":"elsewhere"}', metadata: { hash: 'elsewhere', gen: 0 } },
      { key, value, metadata: { hash: 'elsewhere', gen: 999 } },
    ]);
  } finally {
    await worker.dispose();
  }
}

beforeAll(async () => {
  dir = await scratchCheckout('mirrorwire-listing-', [675904, 675738]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the last publish's listing", () => {
  it('stands in for listing KV, and plans exactly what a listing plans', async () => {
    const first = await publish('--local');
    expect(first.status).toBe(0);
    expect(first.stdout).not.toMatch(NOT_LISTED);
    await retitle('Russia says no new talks with Ukraine are planned');
    const edit = await publish('--local');
    expect(edit.stdout).toMatch(NOT_LISTED);
    expect(edit.stdout).toMatch(/ [1-9]\d* to write/);

    await retitle('Russia rules out new talks with Ukraine');
    const trusted = await publish('--dry-run');
    expect(trusted.stdout).toMatch(NOT_LISTED);
    await rename(join(dir, SNAPSHOT), join(dir, `${SNAPSHOT}.aside`));
    const listed = await publish('--dry-run');
    expect(listed.stdout).not.toMatch(NOT_LISTED);
    expect(planned(trusted.stdout).length).toBeGreaterThan(5);
    // The writer token is written too, before anything else: the dry run says so.
    expect(planned(trusted.stdout).find((line) => line.startsWith('  write '))).toBe(
      `  write ${writerTokenKey()}`,
    );
    expect(planned(trusted.stdout)).toEqual(planned(listed.stdout));
    await rename(join(dir, `${SNAPSHOT}.aside`), join(dir, SNAPSHOT));
    // --repair always lists.
    expect((await publish('--dry-run', '--repair')).stdout).not.toMatch(NOT_LISTED);
  });

  it('is not trusted once another writer has been, or when its last publish did not commit', async () => {
    // From where the test above left KV: its last publish committed, and is trusted.
    await writeElsewhere(articleKey(675738), 'written elsewhere');
    const after = await publish('--dry-run');
    expect(after.stdout).not.toMatch(NOT_LISTED);
    // Listed, KV's odd value is seen and put right.
    expect(planned(after.stdout)).toContain(`  write ${articleKey(675738)}`);
    expect((await publish('--local')).status).toBe(0);
    expect((await publish('--dry-run')).stdout).toMatch(NOT_LISTED);

    // A publish killed while it recorded its changes leaves them without a commit.
    await appendFile(join(dir, SNAPSHOT), `${JSON.stringify(['delete', articleKey(675738)])}\n`);
    expect((await publish('--dry-run')).stdout).not.toMatch(NOT_LISTED);
  });

  it('is not committed by a publish that another writer ran beside', async () => {
    // A publish that writes commits again what the test above left uncommitted.
    await retitle('Russia and Ukraine, no new talks planned');
    expect((await publish('--local')).status).toBe(0);
    const worker = await openLocalWorker({ configPath: CONFIG, persistTo: join(dir, 'state') });
    try {
      const store = localStore(worker);
      const snapshot = openListingSnapshot(join(dir, SNAPSHOT));
      const nothing = { phases: [], deletes: [], retire: [], unchanged: 0 } as unknown as PublishPlan;
      const elsewhere = newWriterToken();
      /** Whether a publish starting now takes its keys from the snapshot. */
      const trusted = async () => {
        const said: string[] = [];
        await rememberedListing(store, snapshot, {
          trust: true,
          progress: (line) => said.push(line),
        }).listKeys();
        return said.some((line) => NOT_LISTED.test(line));
      };
      expect(await trusted()).toBe(true);
      // Another writer begins between this publish's plan and its first write (the cron, say).
      const early = rememberedListing(store, snapshot, { trust: true, progress: () => {} });
      await early.listKeys();
      await store.put([elsewhere]);
      const token = newWriterToken();
      const unchanged = await putWriterToken(store, early.seen, token);
      expect(unchanged).toBe(false);
      await commitPublish(snapshot, store, early.seen, nothing, token, unchanged);
      expect(await trusted()).toBe(false);
      // Or puts its token after this publish's, as the cron does once its writes are done.
      await retitle('Russia rules out new talks with Ukraine, for now');
      expect((await publish('--local')).status).toBe(0);
      // That publish committed again: the same snapshot, asked again, reads what it left.
      expect(await trusted()).toBe(true);
      const late = rememberedListing(store, snapshot, { trust: true, progress: () => {} });
      await late.listKeys();
      const ours = newWriterToken();
      expect(await putWriterToken(store, late.seen, ours)).toBe(true);
      await store.put([elsewhere]);
      await commitPublish(snapshot, store, late.seen, nothing, ours, true);
      expect(await trusted()).toBe(false);
    } finally {
      await worker.dispose();
    }
  });

  it('is read ahead of the content, but a broken article is still what a publish reports first', async () => {
    // A snapshot that cannot be read (here a folder in its place) and an article that cannot be
    // published: the article's problem, with its file and line, as when the snapshot was read later.
    await rm(join(dir, SNAPSHOT), { force: true });
    await mkdir(join(dir, SNAPSHOT));
    const broken = 'content/articles/broken-listing.md';
    await writeFile(
      join(dir, broken),
      '---\nid: 900002\ntitle: Broken\nsection: russia\npublished: soon\n---\nBody.\n',
    );
    try {
      const run = await publish('--local');
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`${broken}:\\d+: `));
      expect(run.stderr).toContain('nothing was written');
      expect(run.stderr).not.toContain('EISDIR');
    } finally {
      await rm(join(dir, broken), { force: true });
      await rm(join(dir, SNAPSHOT), { recursive: true, force: true });
    }
  });
});

describe('the snapshot file', () => {
  it('reads back every key across the chunks it is read in, and nothing after an append cut short', async () => {
    const path = join(dir, 'chunks', 'listing.jsonl');
    // Over 2 MB of short lines, read a chunk at a time, with keys of several bytes a character:
    // some characters fall across a chunk's end.
    const base = new Map(
      Array.from({ length: 30_000 }, (_, i) => [
        `list:v3:tag:${'گزارش'.repeat(1 + (i % 7))}-${i}`,
        { hash: i.toString(16).padStart(64, '0'), gen: i % 5 },
      ]),
    );
    // And one line longer than several chunks: read in pieces, joined once.
    base.set('list:v3:long', { hash: 'f'.repeat(3 * 2 ** 20), gen: 1 });
    const state = { token: 'token', manifest: 'manifest' };
    await openListingSnapshot(path).commit(base, [], [], state);
    expect((await stat(path)).size).toBeGreaterThan(5 * 2 ** 20);
    expect(await openListingSnapshot(path).trusted(state)).toEqual(base);
    // A later publish's first line, cut short right after the commit: that publish never committed
    // (a reader that passed over a line it cannot parse would trust the commit before it).
    await appendFile(path, '["put","list:v3:tag:y","ab');
    expect(await openListingSnapshot(path).trusted(state)).toBeUndefined();
  });

  it("gives its last commit from the file's end, and takes an edit by key's changes after it", async () => {
    const path = join(dir, 'by-key', 'listing.jsonl');
    const first = { token: 'one', manifest: 'm1' };
    const base = new Map([
      ['a', { hash: 'a1', gen: 1 }],
      ['b', { hash: 'b1', gen: 1 }],
    ]);
    expect(await openListingSnapshot(path).lastCommit()).toBeUndefined();
    await openListingSnapshot(path).commit(base, [], [], first);
    expect(await openListingSnapshot(path).lastCommit()).toEqual(first);
    const second = { token: 'two', manifest: 'm2' };
    await openListingSnapshot(path).append(
      first,
      [{ key: 'a', metadata: { hash: 'a2', gen: 2 } }],
      ['b'],
      second,
    );
    expect(await openListingSnapshot(path).lastCommit()).toEqual(second);
    // The whole file agrees: what a publish of every article then trusts.
    expect(await openListingSnapshot(path).trusted(second)).toEqual(new Map([['a', { hash: 'a2', gen: 2 }]]));
    // Appended after a state it was not planned against: refused, the file left as it was.
    await expect(
      openListingSnapshot(path).append(first, [], [], { token: 'three', manifest: 'm3' }),
    ).rejects.toThrow(/no longer ends in the commit/);
    expect(await openListingSnapshot(path).lastCommit()).toEqual(second);
    // A publish's changes cut short after the commit: no last commit.
    await appendFile(path, '["put","c","c1",3]\n');
    expect(await openListingSnapshot(path).lastCommit()).toBeUndefined();
  });

  it('takes the writes as a plan gives them, appends only the changes, and rewrites each key once', async () => {
    const path = join(dir, 'rewrites', 'listing.jsonl');
    const lines = async () => (await readFile(path, 'utf8')).trimEnd().split('\n').slice(1);
    // Writes as commitPublish passes them: an iterable of the plan's phases, gone over more than once.
    const phases = (...writes: [string, string][]) => ({
      *[Symbol.iterator]() {
        for (const [key, hash] of writes) yield { key, metadata: { hash, gen: 2 } };
      },
    });
    const first = { token: 'one', manifest: 'm1' };
    const base = new Map([
      ['a', { hash: 'a1', gen: 1 }],
      ['b', { hash: 'b1', gen: 1 }],
      ['c', { hash: 'c1', gen: 1 }],
    ]);
    await openListingSnapshot(path).commit(base, phases(), [], first);
    // A trusted state is added to: the changes alone, then a commit.
    const second = { token: 'two', manifest: 'm2' };
    const snapshot = openListingSnapshot(path);
    const trusted = await snapshot.trusted(first);
    expect(trusted).toEqual(base);
    await snapshot.commit(trusted as StoredKeys, phases(['b', 'b2'], ['d', 'd2']), ['c'], second);
    expect(await lines()).toEqual([
      '["put","a","a1",1]',
      '["put","b","b1",1]',
      '["put","c","c1",1]',
      '["commit","one","m1"]',
      '["put","b","b2",2]',
      '["put","d","d2",2]',
      '["delete","c"]',
      '["commit","two","m2"]',
    ]);
    // A listed base (not the trusted one) is rewritten: a key replaced or deleted is not kept twice.
    const third = { token: 'three', manifest: 'm3' };
    const listed = new Map([
      ['a', { hash: 'a1', gen: 1 }],
      ['b', { hash: 'b2', gen: 2 }],
      ['d', { hash: 'd2', gen: 2 }],
    ]);
    await openListingSnapshot(path).commit(listed, phases(['b', 'b3'], ['e', 'e3']), ['d'], third);
    expect(await lines()).toEqual([
      '["put","a","a1",1]',
      '["put","b","b3",2]',
      '["put","e","e3",2]',
      '["commit","three","m3"]',
    ]);
    // A generator's writes would be counted, then found empty when their lines are written.
    const once = (function* () {
      yield { key: 'f', metadata: { hash: 'f4', gen: 3 } };
    })();
    await expect(openListingSnapshot(path).commit(listed, once, [], first)).rejects.toThrow(
      /read more than once/,
    );
    expect(await openListingSnapshot(path).trusted(third)).toEqual(
      new Map([
        ['a', { hash: 'a1', gen: 1 }],
        ['b', { hash: 'b3', gen: 2 }],
        ['e', { hash: 'e3', gen: 2 }],
      ]),
    );
  });
});
