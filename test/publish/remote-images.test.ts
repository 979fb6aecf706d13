// `npm run publish -- --remote` with article images, against local stand-ins for Cloudflare's KV
// REST API and R2's S3-compatible API (neither can be reached from tests): every rendition a record
// links to is uploaded, signed, before the first KV write; rate limits and server errors are retried;
// an upload that keeps failing stops the publish before KV is touched; nothing is uploaded twice.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ImagePlan,
  missingRenditions,
  planImage,
  type Rendition,
  renditionsToUpload,
  uploadImages,
} from '../../src/publish/images';
import { KV_BINDING } from '../../src/publish/node/kv-store';
import { kvNamespacesOf } from '../../src/publish/node/local-kv';
import { bucketNameOf, IMAGES_BINDING } from '../../src/publish/node/local-r2';
import { createR2Bucket, type R2ApiSettings } from '../../src/publish/node/r2-s3';
import { type KvRestStandIn, startKvRestStandIn } from '../support/kv-rest-standin';
import { type R2S3StandIn, signatureProblem, startR2S3StandIn } from '../support/r2-s3-standin';
import { standInEnv } from '../support/standin-env';
import { CONFIG, ROOT, type Run, runPublish } from './command';

const TOKEN = 'standin-token-not-a-secret';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ACCESS_KEY_ID = 'standin-access-key-id';
const SECRET_ACCESS_KEY = 'standin-secret-access-key-not-a-secret';
/** The two sample articles that keep their image here: enough renditions to page, few to encode. */
const WITH_IMAGES = ['675904-', '676048-'];

let dir: string;
let namespaceId: string;
let bucket: string;
let kv: KvRestStandIn | undefined;
let r2: R2S3StandIn | undefined;

async function freshStandIns(): Promise<{ kv: KvRestStandIn; r2: R2S3StandIn }> {
  kv = await startKvRestStandIn({ token: TOKEN, accountId: ACCOUNT, namespaceId, listPageSize: 25 });
  r2 = await startR2S3StandIn({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    bucket,
    listPageSize: 5,
  });
  return { kv, r2 };
}

/** Only the stand-ins are reachable: nothing from the caller's environment that could name an account. */
function remoteEnv(
  target: { kv: KvRestStandIn; r2: R2S3StandIn },
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...standInEnv(),
    SOURCE_DATE_EPOCH: '1767225600',
    MIRRORWIRE_RETRY_BASE_MS: '5',
    MIRRORWIRE_RETRY_ATTEMPTS: '4',
    MIRRORWIRE_REQUEST_TIMEOUT_MS: '5000',
    CLOUDFLARE_API_BASE_URL: target.kv.baseUrl,
    CLOUDFLARE_API_TOKEN: TOKEN,
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
    R2_S3_ENDPOINT: target.r2.endpoint,
    R2_ACCESS_KEY_ID: ACCESS_KEY_ID,
    R2_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    ...extra,
  };
}

/** The publish command in this process (command.ts): the stand-ins answer while it runs. */
function publish(env: NodeJS.ProcessEnv): Promise<Run> {
  return runPublish(['--config', CONFIG, '--remote'], { cwd: dir, env });
}

/** Every R2 key that the stored article records link to (src and both srcsets). */
function linkedImageKeys(target: KvRestStandIn): Set<string> {
  const keys = new Set<string>();
  for (const [key, { value }] of target.entries) {
    if (!key.startsWith('article:v1:')) continue;
    const image = (JSON.parse(value) as { image?: Record<string, unknown> }).image;
    if (!image) continue;
    const urls = [image.src, image.srcset, image.webpSrcset]
      .filter((field): field is string => typeof field === 'string')
      .flatMap((field) => field.split(',').map((candidate) => candidate.trim().split(/\s+/)[0] ?? ''));
    for (const url of urls) keys.add(url.replace(/^\//, ''));
  }
  return keys;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-remote-images-'));
  await cp(join(ROOT, 'content'), join(dir, 'content'), { recursive: true });
  const site = join(dir, 'content/site.yaml');
  await writeFile(site, (await readFile(site, 'utf8')).replace(/^signing_key: .*\n/m, ''));
  for (const name of await readdir(join(dir, 'content/articles'), { recursive: true })) {
    if (!name.endsWith('.md') || WITH_IMAGES.some((prefix) => name.includes(prefix))) continue;
    const path = join(dir, 'content/articles', name);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^image:\n(?: {2}.*\n)+/m, ''));
  }
  namespaceId = (await kvNamespacesOf(CONFIG))[KV_BINDING] ?? '';
  bucket = (await bucketNameOf(CONFIG, IMAGES_BINDING)) ?? '';
  expect(bucket).not.toBe('');
});

afterEach(async () => {
  await kv?.close();
  await r2?.close();
  kv = undefined;
  r2 = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run publish -- --remote with images', () => {
  it('uploads every linked rendition, signed, before any KV write, through 500s and a 429', async () => {
    const target = await freshStandIns();
    target.r2.inject({ op: 'list', times: 1, fault: { kind: 'status', status: 500 } });
    target.r2.inject({ op: 'put', times: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    target.r2.inject({ op: 'put', after: 3, times: 2, fault: { kind: 'status', status: 503 } });

    const run = await publish(remoteEnv(target));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /listing R2 objects under "images\/[0-9a-f]{16}\/": HTTP 500: InternalError.*; retry 1 of 3/,
    );
    expect(run.stdout).toMatch(/uploading images\/\S+: HTTP 429: SlowDown.*; retry 1 of 3/);
    expect(run.stdout).toMatch(/uploading images\/\S+: HTTP 503: InternalError.*; retry \d of 3/);

    // Exactly the renditions the records link to, with the type and lifetime the worker serves.
    const linked = linkedImageKeys(target.kv);
    expect(linked.size).toBeGreaterThanOrEqual(8);
    expect([...target.r2.objects.keys()].sort()).toEqual([...linked].sort());
    for (const [key, object] of target.r2.objects) {
      expect(object.contentType).toBe(key.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(object.cacheControl).toBe('public, max-age=31536000, immutable');
      const { format, width } = await sharp(object.bytes).metadata();
      expect(format).toBe(key.endsWith('.webp') ? 'webp' : 'jpeg');
      expect(`-${width}.`).toBe(/-\d+\./.exec(key)?.[0]);
    }

    // Signed requests only (the stand-in refuses anything else), and every upload before KV's first write.
    expect(target.r2.log.filter((r) => r.refused)).toEqual([]);
    const lastUpload = Math.max(...target.r2.log.filter((r) => r.op === 'put').map((r) => r.at));
    const firstWrite = Math.min(...target.kv.log.filter((r) => r.op === 'bulk-put').map((r) => r.at));
    expect(lastUpload).toBeLessThan(firstWrite);

    // The same content again: nothing asked of the bucket (this machine stored every rendition),
    // no upload, no KV write.
    target.r2.log.length = 0;
    target.kv.log.length = 0;
    const again = await publish(remoteEnv(target));
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(`2 images shown, 0 renditions of 0 to upload \\(${linked.size} known stored, 0 listing`),
    );
    expect(target.r2.log).toEqual([]);
    expect(target.kv.log.filter((r) => r.op === 'bulk-put')).toEqual([]);
  });

  it('stops before any KV write when an upload keeps failing, and a re-run finishes the job', async () => {
    const target = await freshStandIns();
    target.r2.inject({
      op: 'put',
      after: 2,
      times: Number.POSITIVE_INFINITY,
      fault: { kind: 'status', status: 500 },
    });

    const run = await publish(remoteEnv(target));
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^publish: uploading images\/\S+ failed after 4 attempts: HTTP 500: InternalError \(injected failure\); 2 image rendition\(s\) uploaded and no KV record written, so nothing links to a missing image; running the same command again finishes the job\.$/,
      ),
    ]);
    expect(target.r2.objects.size).toBe(2);
    expect(target.kv.log.filter((r) => r.op === 'bulk-put' || r.op === 'bulk-delete')).toEqual([]);
    expect(target.kv.entries.size).toBe(0);

    target.r2.clearFaults();
    target.r2.log.length = 0;
    const second = await publish(remoteEnv(target));
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const linked = linkedImageKeys(target.kv);
    expect([...target.r2.objects.keys()].sort()).toEqual([...linked].sort());
    // The two stored on the first run were not sent again.
    expect(target.r2.log.filter((r) => r.op === 'put')).toHaveLength(linked.size - 2);
  });

  it('stops before anything is written when listing the bucket keeps failing', async () => {
    const target = await freshStandIns();
    target.r2.inject({ op: 'list', times: Number.POSITIVE_INFINITY, fault: { kind: 'status', status: 500 } });
    const run = await publish(remoteEnv(target));
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^publish: listing R2 objects .* failed after 4 attempts: .*; nothing was written\.$/,
      ),
    ]);
    expect(target.r2.log.filter((r) => r.op === 'put')).toEqual([]);
    expect(target.kv.log.filter((r) => r.op === 'bulk-put' || r.op === 'bulk-delete')).toEqual([]);
  });

  it('refuses to start without R2 credentials when an article shows an image, before any request', async () => {
    const target = await freshStandIns();
    for (const missing of ['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY']) {
      const env = remoteEnv(target);
      delete env[missing];
      const run = await publish(env);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^publish: ${missing} must be set for --remote to upload article images`),
        ),
      ]);
    }
    const plainHttp = await publish(remoteEnv(target, { R2_S3_ENDPOINT: 'http://r2.example.invalid' }));
    expect(plainHttp.status).toBe(2);
    expect(plainHttp.stderr).toMatch(/^publish: R2_S3_ENDPOINT must be https/);
    expect(target.r2.log).toEqual([]);
    expect(target.kv.log).toEqual([]);
  });
});

describe('the R2 S3 client', () => {
  function settings(target: R2S3StandIn, overrides: Partial<R2ApiSettings> = {}): R2ApiSettings {
    return {
      endpoint: target.endpoint,
      bucket,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10, timeoutMs: 2000 },
      concurrency: 2,
      ...overrides,
    };
  }
  const metadata = { httpMetadata: { contentType: 'image/webp', cacheControl: 'no-store' } };

  it('follows continuation tokens through every page of a listing', async () => {
    const { r2: target } = await freshStandIns();
    const client = createR2Bucket(settings(target));
    for (let n = 0; n < 12; n++)
      await client.put(`images/${n}/a-${n + 1}.webp`, new Uint8Array([n]), metadata);
    await client.put('other/x', new Uint8Array([1]), metadata);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.list({ prefix: 'images/', ...(cursor && { cursor }) });
      pages.push(page.objects.map((object) => object.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 2]);
    expect(target.objects.get('images/3/a-4.webp')?.bytes).toEqual(Buffer.from([3]));
  });

  it('looks up a few unknown originals under their own prefixes, and lists the bucket for many', async () => {
    const { r2: target } = await freshStandIns();
    const client = createR2Bucket(settings(target));
    const plans = Array.from({ length: 30 }, (_, n) =>
      planImage(`images/${n}.jpg`, String(n).padStart(2, '0').repeat(32), { width: 1200, height: 800 }),
    );
    // Half the originals are stored already, with every rendition.
    for (const plan of plans.slice(0, 15))
      for (const rendition of plan.renditions) await client.put(rendition.key, new Uint8Array([1]), metadata);
    const renditionsOf = (from: number, to: number) =>
      plans.slice(from, to).flatMap((plan) => plan.renditions.map((rendition) => rendition.key));

    // Three originals unknown (two stored, one not), the rest vouched for: a listing of each one's prefix.
    const vouched = new Set([...renditionsOf(0, 13), ...renditionsOf(16, 30)]);
    const few = await renditionsToUpload(plans, client, (key) => vouched.has(key));
    // Six renditions an original, five keys a listing page: two pages for each stored one.
    expect(few.requests).toBe(5);
    expect(few.known).toBe(vouched.size);
    expect(few.missing.map((entry) => entry.plan.source)).toEqual(['images/15.jpg']);
    const prefixes = target.log.filter((r) => r.op === 'list').map((r) => r.prefix);
    expect([...new Set(prefixes)]).toEqual(plans.slice(13, 16).map((plan) => `images/${plan.hash}/`));

    // Nothing vouched for: one listing of the bucket, page by page (five keys a page here).
    target.log.length = 0;
    const many = await renditionsToUpload(plans, client, () => false);
    expect(many.requests).toBe(Math.ceil(renditionsOf(0, 15).length / 5));
    expect(many.missing.map((entry) => entry.plan.source)).toEqual(
      plans.slice(15).map((plan) => plan.source),
    );
  });

  it('keeps at most the configured number of originals uploading at once', async () => {
    const { r2: target } = await freshStandIns();
    target.inject({ op: 'put', times: Number.POSITIVE_INFINITY, fault: { kind: 'slow', ms: 100 } });
    const plans = Array.from({ length: 10 }, (_, n) =>
      planImage(`images/photo-${n}.jpg`, `${n}`.padStart(64, 'a'), { width: 400, height: 300 }),
    );
    const missing = missingRenditions(plans, new Set());
    const encode = async (_plan: ImagePlan, renditions: readonly Rendition[]) =>
      renditions.map(() => new Uint8Array([1, 2, 3]));
    const result = await uploadImages(missing, createR2Bucket(settings(target)), encode, { concurrency: 4 });
    // Two renditions (400 px, JPEG and WebP) of each of the ten originals, four originals at a time.
    expect(result).toEqual({ images: 10, uploaded: 20 });
    expect(target.objects.size).toBe(20);
    expect(target.maxPutsInFlight()).toBe(4);
  });

  it('fails at once, without retrying, on a wrong secret or a missing bucket', async () => {
    const { r2: target } = await freshStandIns();
    await expect(
      createR2Bucket(settings(target, { secretAccessKey: 'wrong' })).list({ prefix: 'images/' }),
    ).rejects.toThrow(
      /listing R2 objects under "images\/" failed: HTTP 403: SignatureDoesNotMatch .*"Object Read & Write"/,
    );
    await expect(
      createR2Bucket(settings(target, { bucket: 'no-such-bucket' })).put(
        'images/a/b-1.webp',
        new Uint8Array(),
        metadata,
      ),
    ).rejects.toThrow(/HTTP 404: NoSuchBucket .*wrangler r2 bucket create no-such-bucket/);
    expect(target.log).toHaveLength(2);
  });

  it('has a stand-in that checks the signature covers the bytes sent', async () => {
    const client = new AwsClient({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      service: 's3',
      region: 'auto',
    });
    const body = Buffer.from('the bytes');
    const hash = (await import('node:crypto')).createHash('sha256').update(body).digest('hex');
    const signed = await client.sign('http://127.0.0.1:9/bucket/images/k', {
      method: 'PUT',
      headers: { 'x-amz-content-sha256': hash },
      body,
    });
    const headers = Object.fromEntries([...signed.headers, ['host', '127.0.0.1:9']]);
    const request = { method: 'PUT', rawUrl: '/bucket/images/k', headers, body };
    const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
    expect(signatureProblem(request, credentials)).toBeUndefined();
    expect(signatureProblem({ ...request, body: Buffer.from('other bytes') }, credentials)).toMatch(
      /SHA-256/,
    );
    expect(signatureProblem({ ...request, rawUrl: '/bucket/images/j' }, credentials)).toBe(
      'signature does not match',
    );
    expect(
      signatureProblem({ ...request, headers: { ...headers, authorization: 'Bearer x' } }, credentials),
    ).toMatch(/malformed/);
  });
});
