// `npm run publish -- --remote` on real files against a local stand-in for Cloudflare's KV REST API
// (the real API cannot be reached from tests): what it stores must equal a --local publish of the
// same content, through rate limits, server errors and timeouts, and a failure must never be taken
// for a missing value.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changesPageSchema } from '../../src/api/schemas';
import {
  bulkBatches,
  checkBaseUrl,
  createKvApi,
  KV_BULK_MAX_BYTES,
  KV_BULK_MAX_PAIRS,
  type KvApiSettings,
} from '../../src/publish/node/cloudflare-kv';
import { KV_BINDING, openRemoteStore } from '../../src/publish/node/kv-store';
import { kvNamespacesOf } from '../../src/publish/node/local-kv';
import { parseRetryAfter, retryDelay } from '../../src/publish/node/remote-retry';
import { storedWrite } from '../../src/publish/plan';
import { type Placed, PlacedRecordStore, placedFields } from '../../src/publish/record-store';
import { writerTokenKey } from '../../src/storage/keys';
import { type KvRestStandIn, type StoredValue, startKvRestStandIn } from '../support/kv-rest-standin';
import { standInEnv } from '../support/standin-env';
import { scratchCheckout } from './checkout';
import { CONFIG, type Run, runPublish, spawnPublish } from './command';
import { readKvEntries } from './local-state';

const SAMPLE = 'content/articles/2022/01/675904-russia-no-new-talks-ukraine.md';
/** Six articles of five sections: the transport carries their records as it would sixteen. */
const ARTICLES = [675712, 675738, 675752, 675768, 675904, 676012];
const TOKEN = 'standin-token-not-a-secret';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
// Publishes at a fixed time, so a remote and a local publish produce byte-identical records.
const EPOCH = '1767225600';

let dir: string;
let namespaceId: string;
let reference: Map<string, StoredValue>;
let standIn: KvRestStandIn | undefined;

/** The environment without anything that could reach a real account, plus fast retries. */
function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...standInEnv(),
    SOURCE_DATE_EPOCH: EPOCH,
    MIRRORWIRE_RETRY_BASE_MS: '5',
    MIRRORWIRE_RETRY_ATTEMPTS: '4',
    MIRRORWIRE_REQUEST_TIMEOUT_MS: '1000',
    ...extra,
  };
}

function remoteEnv(target: KvRestStandIn, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return testEnv({
    CLOUDFLARE_API_BASE_URL: target.baseUrl,
    CLOUDFLARE_API_TOKEN: TOKEN,
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
    ...extra,
  });
}

/** The publish command in this process (./command.ts); the stand-in keeps answering meanwhile. */
function publish(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runPublish(['--config', CONFIG, ...args], { cwd: dir, env });
}

/** The stored entries in key order, but for the writer token: each publish puts a random one of its own. */
function sorted(entries: Map<string, StoredValue>): [string, StoredValue][] {
  return [...entries]
    .filter(([key]) => key !== writerTokenKey())
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function freshStandIn(): Promise<KvRestStandIn> {
  standIn = await startKvRestStandIn({ token: TOKEN, accountId: ACCOUNT, namespaceId, listPageSize: 25 });
  return standIn;
}

beforeAll(async () => {
  dir = await scratchCheckout('mirrorwire-remote-', ARTICLES);
  // These tests are about the transport: an unsigned mirror list needs no secret key.
  const site = join(dir, 'content/site.yaml');
  await writeFile(site, (await readFile(site, 'utf8')).replace(/^signing_key: .*\n/m, ''));
  // Nor are they about images, which go to R2 first (remote-images.test.ts): no article shows one here.
  for (const name of await readdir(join(dir, 'content/articles'), { recursive: true })) {
    if (!name.endsWith('.md')) continue;
    const path = join(dir, 'content/articles', name);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^image:\n(?: {2}.*\n)+/m, ''));
  }
  namespaceId = (await kvNamespacesOf(CONFIG))[KV_BINDING] ?? '';
  const local = await publish(['--local', '--persist-to', 'local-state'], testEnv());
  expect(local.stderr).toBe('');
  expect(local.status).toBe(0);
  reference = await readKvEntries(join(dir, 'local-state'));
  expect(reference.size).toBeGreaterThan(100);
});

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run publish -- --remote', () => {
  it('stores exactly what a local publish stores, through 429s, 500s, a partial write and a timeout', async () => {
    const target = await freshStandIn();
    target.inject({ op: 'list', times: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    target.inject({ op: 'get', key: 'site:v1', times: 2, fault: { kind: 'status', status: 500 } });
    // Bulk writes, one per phase here after the writer token's: the change log's hangs once, the
    // articles' first try stores all but one pair (reported in unsuccessful_keys), the indexes'
    // first try gets a 503.
    target.inject({ op: 'bulk-put', after: 1, times: 1, fault: { kind: 'hang' } });
    target.inject({ op: 'bulk-put', after: 3, times: 1, fault: { kind: 'partial' } });
    target.inject({ op: 'bulk-put', after: 5, times: 1, fault: { kind: 'status', status: 503 } });

    const run = await publish(['--remote'], remoteEnv(target));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(sorted(target.entries)).toEqual(sorted(reference));

    // Each fault was met and retried, and said so on the progress lines.
    expect(run.stdout).toMatch(/listing keys under "site:": HTTP 429.*; retry 1 of 3/);
    expect(run.stdout).toMatch(/reading "site:v1": HTTP 500.*; retry 2 of 3/);
    expect(run.stdout).toMatch(/writing changes:v1:0: no answer within [\d.]+ s; retry 1 of 3/);
    // The article phase: each article with its record and its page.
    const articleKeys = ARTICLES.length * 2;
    expect(run.stdout).toMatch(
      new RegExp(
        `writing ${articleKeys} keys, (?:article|page):.*: 1 key\\(s\\) not stored, first (?:article|page):.*; retry 1 of 3`,
      ),
    );
    expect(run.stdout).toMatch(/writing \d+ keys, .*: HTTP 503.*; retry 1 of 3/);
    expect(run.stdout).toContain(`articles written: ${articleKeys}/${articleKeys}`);
    expect(run.stdout).toMatch(/manifest written: 1\/1/);
    expect(run.stdout).toMatch(/done, content version/);
    // retry-after is honoured: the second listing came at least a second after the 429.
    const lists = target.log.filter((r) => r.op === 'list');
    const limited = lists.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    expect((lists[limited + 1]?.at ?? 0) - (lists[limited]?.at ?? 0)).toBeGreaterThanOrEqual(990);

    // A second publish of the same content finds everything stored (the hashes in metadata) and writes nothing.
    target.log.length = 0;
    const again = await publish(['--remote'], remoteEnv(target));
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/ 0 to write .* 0 to delete/);
    expect(target.log.filter((r) => r.op === 'bulk-put' || r.op === 'bulk-delete')).toEqual([]);
  });

  it('fails on a read that never succeeds, says which, and writes nothing', async () => {
    const target = await freshStandIn();
    for (const [key, stored] of reference) target.entries.set(key, stored);
    const before = sorted(target.entries);
    const text = await readFile(join(dir, SAMPLE), 'utf8');
    await writeFile(
      join(dir, SAMPLE),
      text.replace(/^title: .*$/m, 'title: An edit that must not be written'),
    );
    try {
      for (const key of ['changes:v1:0', 'site:v1']) {
        target.clearFaults();
        target.log.length = 0;
        target.inject({ op: 'get', key, times: Infinity, fault: { kind: 'status', status: 500 } });
        const run = await publish(['--remote'], remoteEnv(target));
        expect(run.status).toBe(1);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toContain(`reading "${key}" failed after 4 attempts: HTTP 500`);
        expect(run.stderr).toContain('nothing was written');
        expect(target.log.filter((r) => r.op === 'get' && r.key === key)).toHaveLength(4);
        expect(target.log.filter((r) => r.op === 'bulk-put' || r.op === 'bulk-delete')).toEqual([]);
        expect(sorted(target.entries)).toEqual(before);
      }
    } finally {
      await writeFile(join(dir, SAMPLE), text);
    }
  });

  it('finishes on a re-run after dying mid-write, with the records of an uninterrupted publish', async () => {
    const target = await freshStandIn();
    // Small batches, so the publish dies inside a phase, not between phases.
    const env = remoteEnv(target, { MIRRORWIRE_KV_BATCH_PAIRS: '20' });
    target.inject({ op: 'bulk-put', after: 3, times: Infinity, fault: { kind: 'status', status: 500 } });
    const first = await publish(['--remote'], env);
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(
      /writing .* failed after 4 attempts: HTTP 500.*; stopped after \d+ confirmed writes; .* running the same command again finishes the job\.$/m,
    );
    const stored = target.entries.size;
    expect(stored).toBeGreaterThan(0);
    expect(target.entries.has('site:v1')).toBe(false);

    target.clearFaults();
    const second = await publish(['--remote'], env);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    // The re-run skipped what the first run had stored.
    const planned = (run: Run) => Number(/ (\d+) to write/.exec(run.stdout)?.[1]);
    expect(planned(second)).toBeLessThan(planned(first));

    // Every record, the change log included, is what an uninterrupted publish stores: each change is
    // logged once (src/publish/changes.ts). Only the generation differs, the re-run being a later one.
    const withoutGeneration = (entries: Map<string, StoredValue>) =>
      sorted(entries).map(([key, { value, metadata }]) => {
        const hash = (metadata as { hash?: string } | undefined)?.hash;
        if (key !== 'site:v1') return [key, value, hash];
        const { gen: _gen, recent: _recent, ...manifest } = JSON.parse(value);
        return [key, manifest];
      });
    expect(withoutGeneration(target.entries)).toEqual(withoutGeneration(reference));
    const log = changesPageSchema.parse(
      JSON.parse(target.entries.get('changes:v1:0')?.value ?? '{}'),
    ).entries;
    expect(new Set(log.map((entry) => entry.id)).size).toBe(log.length);

    // And the publish has converged: one more run writes nothing.
    const third = await publish(['--remote'], env);
    expect(third.status).toBe(0);
    expect(third.stdout).toMatch(/ 0 to write .* 0 to delete/);
  });

  // The first through the real entry point: what a shell sees is an exit code and one line on
  // stderr. The second in this process: the same refusal, without another start of Node.
  it('refuses to start without a token or an account, before any request', async () => {
    const target = await freshStandIn();
    for (const missing of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID']) {
      const env = remoteEnv(target);
      delete env[missing];
      const run =
        missing === 'CLOUDFLARE_API_TOKEN'
          ? await spawnPublish(['--config', CONFIG, '--remote'], { cwd: dir, env })
          : await publish(['--remote'], env);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^publish: ${missing} must be set for --remote`)),
      ]);
      expect(run.stdout).toBe('');
    }
    expect(target.log).toEqual([]);
  });

  it('refuses a plain-http API base except on this machine', async () => {
    const run = await publish(
      ['--remote'],
      testEnv({
        CLOUDFLARE_API_BASE_URL: 'http://api.example.invalid/client/v4',
        CLOUDFLARE_API_TOKEN: TOKEN,
        CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
      }),
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^publish: CLOUDFLARE_API_BASE_URL must be https/);
    expect(() => checkBaseUrl('http://127.0.0.1:8788/client/v4')).not.toThrow();
    expect(() => checkBaseUrl('http://localhost/client/v4')).not.toThrow();
    expect(() => checkBaseUrl('http://127.0.0.1.example.com/')).toThrow(/must be https/);
    expect(checkBaseUrl('https://api.cloudflare.com/client/v4/')).toBe(
      'https://api.cloudflare.com/client/v4',
    );
  });
});

describe('the KV REST client', () => {
  function settings(target: KvRestStandIn, overrides: Partial<KvApiSettings> = {}): KvApiSettings {
    return {
      baseUrl: target.baseUrl,
      token: TOKEN,
      accountId: ACCOUNT,
      namespaceId,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 500 },
      concurrency: 2,
      batchPairs: KV_BULK_MAX_PAIRS,
      batchBytes: KV_BULK_MAX_BYTES,
      ...overrides,
    };
  }

  it('reads a missing key as null, but a missing namespace or a bad token as errors', async () => {
    const target = await freshStandIn();
    expect(await createKvApi(settings(target)).getValue('site:v1')).toBeNull();
    await expect(
      createKvApi(settings(target, { namespaceId: 'f'.repeat(32) })).getValue('site:v1'),
    ).rejects.toThrow(/reading "site:v1" failed: HTTP 404: namespace not found \(10013\)/);
    await expect(createKvApi(settings(target, { token: 'wrong' })).getValue('site:v1')).rejects.toThrow(
      /HTTP 403: Authentication error \(10000\)/,
    );
    // Errors that retrying cannot fix are not retried.
    expect(target.log).toHaveLength(3);
  });

  it('keeps at most the configured number of bulk requests in flight and reports progress', async () => {
    const target = await freshStandIn();
    const api = createKvApi(settings(target, { batchPairs: 10, concurrency: 2 }));
    const pairs = Array.from({ length: 95 }, (_, i) => ({
      key: `k:${i}`,
      value: `v${i}`,
      metadata: { hash: `${i}` },
    }));
    const progress: number[] = [];
    await api.putPairs(pairs, (done) => progress.push(done));
    expect(progress).toHaveLength(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(95);
    expect(target.log.filter((r) => r.op === 'bulk-put').map((r) => r.count)).toEqual([
      10, 10, 10, 10, 10, 10, 10, 10, 10, 5,
    ]);
    const listed = await api.listKeys('k:');
    expect(listed).toHaveLength(95);
    expect(listed.find((k) => k.name === 'k:7')?.metadata).toEqual({ hash: '7' });
    await api.deleteKeys(pairs.map((p) => p.key));
    expect(target.entries.size).toBe(0);
  });

  it('sends a body again, whole, after an answer cut off or none, and fills it again only once its request is done', async () => {
    const target = await freshStandIn();
    // Bodies of at most 300 bytes (about four pairs), two in flight: the first answer is cut off
    // after its headers, the third never comes; each is sent again while the other requests go on
    // with bodies filled again.
    target.inject({ op: 'bulk-put', times: 1, fault: { kind: 'cut' } });
    target.inject({ op: 'bulk-put', after: 2, times: 1, fault: { kind: 'hang' } });
    const retries: string[] = [];
    const api = createKvApi(settings(target, { batchBytes: 300, concurrency: 2 }), (line) =>
      retries.push(line),
    );
    const pairs = Array.from({ length: 60 }, (_, i) => ({
      key: `k:${i}`,
      value: `${i}`.repeat(1 + (i % 7)),
      metadata: { hash: `${i}` },
    }));
    await api.putPairs(pairs);
    const puts = target.log.filter((r) => r.op === 'bulk-put');
    expect(puts.map((r) => r.status).filter((status) => status !== 200)).toEqual(['cut', 'hang']);
    expect(puts.length).toBeGreaterThan(10);
    expect(retries).toEqual([
      expect.stringMatching(/^writing \d keys, k:0 … k:\d: network error \(ECONNRESET\); retry 1 of 2 in/),
      expect.stringMatching(/^writing \d keys, k:\d+ … k:\d+: no answer within [\d.]+ s; retry 1 of 2 in/),
    ]);
    expect([...target.entries].map(([key, { value }]) => [key, value]).sort()).toEqual(
      pairs.map(({ key, value }) => [key, value]).sort(),
    );
  });

  it("reads back what was written, a request cut inside a character's bytes included", async () => {
    standIn = await startKvRestStandIn({ token: TOKEN, accountId: ACCOUNT, namespaceId });
    const api = createKvApi(settings(standIn));
    // The page's request is written in several slices, cut inside a character's bytes.
    const pairs = [
      { key: 'k:page', value: '<p>Tehran — دولت</p>'.repeat(30_000), metadata: { hash: 'a' } },
      { key: 'k:empty', value: '', metadata: { hash: 'b' } },
      { key: 'k:astral', value: '\u{1F600} and a lone \uFFFD', metadata: { hash: 'c' } },
    ];
    await api.putPairs(pairs);
    for (const { key, value } of pairs) expect(await api.getValue(key)).toBe(value);
    expect(standIn.entries.get('k:page')?.metadata).toEqual({ hash: 'a' });
  });

  it('writes pairs given as an iterable read twice, and refuses an iterator that a second read finds empty', async () => {
    standIn = await startKvRestStandIn({ token: TOKEN, accountId: ACCOUNT, namespaceId });
    const api = createKvApi(settings(standIn));
    const made = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ key: `k:${i}`, value: `v${i}` }));
    // As the publish gives them: each pair made as it is read, once to check them, once to send.
    await api.putPairs({ [Symbol.iterator]: () => made(3).values() });
    expect([...standIn.entries.keys()].sort()).toEqual(['k:0', 'k:1', 'k:2']);
    await expect(api.putPairs(made(2).values())).rejects.toThrow(/read more than once/);
  });

  it('keeps only the values a stand-in is asked to keep, and lists every key with its metadata', async () => {
    standIn = await startKvRestStandIn({
      token: TOKEN,
      accountId: ACCOUNT,
      namespaceId,
      keepValue: (key) => key === 'k:kept',
    });
    const api = createKvApi(settings(standIn));
    await api.putPairs([
      { key: 'k:kept', value: 'read back', metadata: { hash: 'a' } },
      { key: 'k:dropped', value: 'x'.repeat(5000), metadata: { hash: 'b' } },
    ]);
    expect(await api.getValue('k:kept')).toBe('read back');
    await expect(api.getValue('k:dropped')).rejects.toThrow(/500/);
    expect(await api.listKeys('k:')).toEqual([
      { name: 'k:dropped', metadata: { hash: 'b' } },
      { name: 'k:kept', metadata: { hash: 'a' } },
    ]);
  });

  it('cuts bulk writes within both limits, a pair over the target alone', () => {
    const pair = (key: string, length: number) => ({ key, value: 'x'.repeat(length) });
    // {"key":"a","value":""} is 22 bytes: each pair below is 22 + its value's length.
    const cut = (pairs: { key: string; value: string }[], maxPairs: number, targetBytes: number) =>
      [...bulkBatches(pairs, maxPairs, targetBytes)].map((batch) => ({
        keys: batch.keys,
        bytes: batch.body.length,
      }));
    expect(cut([pair('a', 0), pair('b', 0), pair('c', 0), pair('d', 0)], 3, 1000)).toEqual([
      { keys: ['a', 'b', 'c'], bytes: 2 + 3 * 22 + 2 },
      { keys: ['d'], bytes: 2 + 22 },
    ]);
    // Two pairs of 28 bytes, their comma and the brackets are exactly the target of 59; a third is not.
    expect(cut([pair('a', 6), pair('b', 6), pair('c', 6)], 10, 59)).toEqual([
      { keys: ['a', 'b'], bytes: 59 },
      { keys: ['c'], bytes: 30 },
    ]);
    // One byte less, and the second pair's closing bracket would pass it.
    expect(cut([pair('a', 6), pair('b', 6)], 10, 58)).toEqual([
      { keys: ['a'], bytes: 30 },
      { keys: ['b'], bytes: 30 },
    ]);
    expect(cut([pair('a', 0), pair('big', 200), pair('b', 0)], 10, 100).map((batch) => batch.keys)).toEqual([
      ['a'],
      ['big'],
      ['b'],
    ]);
    expect(cut([], 10, 10)).toEqual([]);
    // The body is the JSON the request sends.
    const pairs = [
      { key: 'k', value: 'v"\n', metadata: { hash: 'h' } },
      { key: 'ک', value: 'تهران' },
    ];
    const [batch] = bulkBatches(pairs, 10, 100);
    expect(Buffer.from(batch?.body ?? []).toString('utf8')).toBe(JSON.stringify(pairs));
  });

  it('sends a planned value read once from its record store, and resends only the keys the API did not store', async () => {
    const target = await freshStandIn();
    const reads = new Map<string, number>();
    // A record store that counts how often each value is read back, as the publish's scratch file would be.
    const store = new PlacedRecordStore<Placed & { value: string }>(
      (value) => ({ value, hash: 'h', bytes: Buffer.byteLength(value) }),
      (place, key) => {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return place.value;
      },
      placedFields,
    );
    const keys = ['a', 'b', 'c', 'd', 'e'];
    // Values of several bytes a character, so that a resend cut at a wrong byte shows.
    const valueFor = (key: string) => `the value of ${key}, ${'دولت '.repeat(keys.indexOf(key) + 1)}`;
    for (const key of keys) await store.add(key, valueFor(key));
    // The first bulk write leaves two pairs in the middle unstored and says so; the resend of those
    // two, its last.
    target.inject({ op: 'bulk-put', times: 1, fault: { kind: 'partial', unstored: [1, 3] } });
    target.inject({ op: 'bulk-put', after: 1, times: 1, fault: { kind: 'partial' } });
    const remote = openRemoteStore(settings(target));
    await remote.put([...store.keys()].map((key) => storedWrite(key, { store, gen: 1 })));
    expect(Object.fromEntries(reads)).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1 });
    expect(target.log.filter((r) => r.op === 'bulk-put').map((r) => r.count)).toEqual([5, 2, 1]);
    expect([...target.entries].map(([key, { value }]) => [key, value]).sort()).toEqual(
      keys.map((key) => [key, valueFor(key)]),
    );
  });

  it('reads each value once, sends a pair over the batch size alone, and refuses one no request can carry', async () => {
    const target = await freshStandIn();
    const api = createKvApi(settings(target, { batchBytes: 1000 }));
    const reads = new Map<string, number>();
    const counted = (key: string, value: string) => ({
      key,
      get value() {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return value;
      },
      metadata: { hash: key },
      // As a publish's record stores give it: whether the pair fits is known without reading it.
      bytes: Buffer.byteLength(value),
    });
    const pairs = [counted('a', 'small'), counted('big', 'b'.repeat(5000)), counted('c', 'small')];
    await api.putPairs(pairs);
    expect(Object.fromEntries(reads)).toEqual({ a: 1, big: 1, c: 1 });
    expect(target.log.filter((r) => r.op === 'bulk-put').map((r) => r.count)).toEqual([1, 1, 1]);
    expect(target.entries.get('big')?.value).toHaveLength(5000);
    // Each control character is six bytes as JSON: 17,000,000 of them are over 100 MB.
    const requests = target.log.length;
    await expect(
      api.putPairs([counted('first', 'fine'), counted('huge', '\u0001'.repeat(17_000_000))]),
    ).rejects.toThrow(/huge is 102000\d+ bytes as JSON; one bulk write takes at most 100000000/);
    expect(target.log).toHaveLength(requests);
  });

  it('backs off exponentially with jitter, and never sooner than retry-after', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(1, policy, 0, () => 0)).toBe(50);
    expect(retryDelay(1, policy, 0, () => 1)).toBe(100);
    expect(retryDelay(3, policy, 0, () => 1)).toBe(400);
    expect(retryDelay(10, policy, 0, () => 1)).toBe(1000);
    expect(retryDelay(1, policy, 2000, () => 1)).toBe(2000);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(30_000);
    expect(parseRetryAfter('86400')).toBe(300_000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
