// Article image renditions into the deployed R2 bucket through R2's S3-compatible API, each request
// signed with AWS Signature Version 4 (aws4fetch): ListObjectsV2 to learn what is stored, PutObject
// for what is missing. Retries, timeouts and errors follow the policy every remote request of the
// publish shares (remote-retry.ts). Implements the ImageBucket that publish/images.ts uploads through.

// As documented (developers.cloudflare.com/r2/api/s3/api/, and Amazon S3's API reference for the
// operations R2 implements):
// - Endpoint https://<ACCOUNT_ID>.r2.cloudflarestorage.com, region "auto" (SigV4 scope
//   <date>/auto/s3/aws4_request); the bucket is the first path segment (path-style addressing).
// - Credentials: an R2 API token's Access Key ID and Secret Access Key.
// - ListObjectsV2: GET /<bucket>?list-type=2&prefix=&max-keys=&continuation-token=, at most 1,000
//   keys a page; <ListBucketResult> with <Contents><Key>, <IsTruncated> and <NextContinuationToken>.
// - PutObject: PUT /<bucket>/<key> with the bytes; Content-Type and Cache-Control are stored and
//   served back (the binding's httpMetadata). x-amz-content-sha256 carries the body's SHA-256, so
//   the signature covers the bytes and R2 refuses a body altered on the way.
// - Failures: an <Error><Code>…</Code><Message>…</Message></Error> body; 429 and 5xx may succeed
//   when sent again.
import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { XMLParser } from 'fast-xml-parser';
import * as z from 'zod/mini';
import type { ImageBucket } from '../images';
import {
  checkApiUrl,
  isTransient,
  type Outcome,
  RemoteApiError,
  RemoteConfigError,
  type RetryContext,
  type RetryPolicy,
  retryLater,
  retryPolicyFromEnv,
  withRetries,
} from './remote-retry';

export const R2_LIST_LIMIT = 1000;
/** Renditions in flight at once: each is one PUT of tens to hundreds of kilobytes. */
const DEFAULT_CONCURRENCY = 4;

export interface R2ApiSettings {
  /** `https://<account>.r2.cloudflarestorage.com`, or a stand-in on this machine in tests. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  retry: RetryPolicy;
  /** Originals encoded and uploaded at once. */
  concurrency: number;
}

/** An R2 request that failed for good (after its retries, or at once when retrying cannot help). */
export class R2ApiError extends RemoteApiError {
  override name = 'R2ApiError';
}

/**
 * Settings from the environment: R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY and CLOUDFLARE_ACCOUNT_ID
 * (required), R2_S3_ENDPOINT (optional, https only except on this machine), and the retry tuning
 * every remote request shares. `bucket` is the IMAGES binding's bucket_name in wrangler.toml.
 */
export function r2SettingsFromEnv(env: NodeJS.ProcessEnv, bucket: string): R2ApiSettings {
  const missing = ['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'CLOUDFLARE_ACCOUNT_ID'].filter(
    (name) => !env[name]?.trim(),
  );
  if (missing.length > 0)
    throw new RemoteConfigError(
      `${missing.join(' and ')} must be set for --remote to upload article images (an R2 API token with "Object Read & Write" on the bucket ${bucket})`,
    );
  const account = env.CLOUDFLARE_ACCOUNT_ID?.trim() ?? '';
  return {
    endpoint: checkApiUrl(
      env.R2_S3_ENDPOINT || `https://${encodeURIComponent(account)}.r2.cloudflarestorage.com`,
      'R2_S3_ENDPOINT',
    ),
    bucket,
    accessKeyId: env.R2_ACCESS_KEY_ID?.trim() ?? '',
    secretAccessKey: env.R2_SECRET_ACCESS_KEY?.trim() ?? '',
    retry: retryPolicyFromEnv(env),
    concurrency: DEFAULT_CONCURRENCY,
  };
}

// Every value read as text: a key such as "2024" must not become a number.
const xml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Contents' });

/** An S3 failure body: `<Error><Code>…</Code><Message>…</Message></Error>`. */
const errorBodySchema = z.object({
  Error: z.object({ Code: z.optional(z.string()), Message: z.optional(z.string()) }),
});

/** What publish reads of a ListObjectsV2 answer. */
const listingSchema = z.object({
  ListBucketResult: z.object({
    Contents: z.optional(z.array(z.object({ Key: z.string() }))),
    IsTruncated: z.optional(z.string()),
    NextContinuationToken: z.optional(z.string()),
  }),
});

/** Parses XML into what `schema` says, or undefined when the body is not that (a proxy's page, say). */
function decodeXml<T>(body: string, schema: z.ZodMiniType<T>): T | undefined {
  let parsed: unknown;
  try {
    parsed = xml.parse(body);
  } catch {
    // Not XML at all: the caller says what it expected.
    return undefined;
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : undefined;
}

function describeFailure(response: Response, body: string, bucket: string): string {
  const error = decodeXml(body, errorBodySchema)?.Error;
  const code = error?.Code;
  const detail = code ? `: ${code}${error?.Message ? ` (${error.Message})` : ''}` : '';
  const hint =
    response.status === 401 || response.status === 403
      ? ` (R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY need "Object Read & Write" on the bucket ${bucket})`
      : code === 'NoSuchBucket'
        ? ` (create it once with \`npx wrangler r2 bucket create ${bucket}\`)`
        : '';
  return `HTTP ${response.status}${detail}${hint}`;
}

/** One page of a ListObjectsV2 answer. */
function readListing(body: string, what: string): { keys: string[]; next?: string } {
  const listing = decodeXml(body, listingSchema)?.ListBucketResult;
  if (!listing) throw new R2ApiError(`${what}: the answer is not a ListBucketResult`);
  const keys = (listing.Contents ?? []).map((object) => object.Key);
  const next = listing.NextContinuationToken;
  if (listing.IsTruncated !== 'true') return { keys };
  if (!next) throw new R2ApiError(`${what}: a truncated listing without a continuation token`);
  return { keys, next };
}

/** The deployed bucket as publish uploads into it; `log` gets one line per retried request. */
export function createR2Bucket(settings: R2ApiSettings, log: (line: string) => void = () => {}): ImageBucket {
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    service: 's3',
    region: 'auto',
    // Retries are ours (remote-retry.ts), the same for R2 as for KV.
    retries: 0,
  });
  const bucketUrl = `${settings.endpoint}/${encodeURIComponent(settings.bucket)}`;
  const context: RetryContext = { retry: settings.retry, log, fail: (message) => new R2ApiError(message) };

  /** Signs (again on every attempt: the signature carries the time) and sends one request. */
  async function send(
    what: string,
    url: string,
    init: { method: 'GET' | 'PUT'; headers?: Record<string, string>; body?: Uint8Array<ArrayBuffer> },
    signal: AbortSignal,
  ): Promise<Outcome<string>> {
    const payloadHash = createHash('sha256')
      .update(init.body ?? new Uint8Array())
      .digest('hex');
    const signed = await client.sign(url, {
      method: init.method,
      headers: { ...init.headers, 'x-amz-content-sha256': payloadHash },
      ...(init.body && { body: init.body }),
    });
    const response = await fetch(signed, { signal });
    const body = await response.text();
    if (response.ok) return { ok: true, value: body };
    const reason = describeFailure(response, body, settings.bucket);
    if (!isTransient(response.status)) throw new R2ApiError(`${what} failed: ${reason}`);
    return retryLater(response, reason);
  }

  return {
    async list({ prefix, cursor }) {
      const query = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': String(R2_LIST_LIMIT) });
      if (cursor) query.set('continuation-token', cursor);
      const what = `listing R2 objects under "${prefix}"`;
      const body = await withRetries(what, context, (signal) =>
        send(what, `${bucketUrl}?${query}`, { method: 'GET' }, signal),
      );
      const page = readListing(body, what);
      return {
        objects: page.keys.map((key) => ({ key })),
        truncated: page.next !== undefined,
        ...(page.next !== undefined && { cursor: page.next }),
      };
    },

    async put(key, value, options) {
      const what = `uploading ${key}`;
      // Copied out of a Node Buffer's shared pool (sharp's output): fetch sends exactly these bytes.
      const body = new Uint8Array(value);
      const url = `${bucketUrl}/${key.split('/').map(encodeURIComponent).join('/')}`;
      const headers = {
        'content-type': options.httpMetadata.contentType,
        'cache-control': options.httpMetadata.cacheControl,
      };
      await withRetries(
        what,
        context,
        (signal) => send(what, url, { method: 'PUT', headers, body }, signal),
        value.byteLength,
      );
    },
  };
}
