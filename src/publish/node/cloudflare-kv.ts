// Workers KV through Cloudflare's REST API (v4): list keys and read one value with plain fetch, bulk
// write and bulk delete with their bodies sent uncopied (uncopied-body.ts). Owns the wire format and
// the documented limits; retries, timeouts and requests in flight follow the policy every remote
// request shares (remote-retry.ts). Knows nothing about what the keys mean.

import { mustReadAgain } from '../../shared/read-again';
import { runPool } from '../../shared/run-pool';
import {
  checkApiUrl,
  isTransient,
  type Outcome,
  positiveInteger,
  RemoteApiError,
  RemoteConfigError,
  type RetryContext,
  type RetryPolicy,
  retryLater,
  retryPolicyFromEnv,
  withRetries,
} from './remote-retry';
import { uncopiedBodyClient } from './uncopied-body';

// Endpoints and limits, as documented in Cloudflare's API reference (developers.cloudflare.com/api,
// resources kv/namespaces):
// - List a Namespace's Keys: GET …/keys?prefix=&cursor=&limit= (limit 10–1000, default 1000); result
//   is [{ name, expiration?, metadata? }], result_info.cursor continues the listing ("" at the end).
// - Read key-value pair: GET …/values/{key_name}, key percent-encoded; 200 with the raw value,
//   otherwise a JSON failure envelope { success: false, errors: [{ code, message }] }. A missing key is
//   404 with code 10009 ("get: 'key not found'"); 10013 is a missing namespace, which is no "missing key".
// - Write multiple key-value pairs: PUT …/bulk, a JSON array of { key, value, metadata? }, "up to 10,000
//   key-value pairs", "the entire request size must be 100 megabytes or less"; result
//   { successful_key_count, unsuccessful_keys }: "keys that failed to be fully updated. They should be
//   retried."
// - Delete multiple key-value pairs: POST …/bulk/delete, a JSON array of "up to 10,000 keys".
// - Rate limit: 1,200 requests per five minutes per token; over it, 429 with retry-after in seconds.

export const DEFAULT_API_BASE_URL = 'https://api.cloudflare.com/client/v4';
export const KV_BULK_MAX_PAIRS = 10_000;
export const KV_BULK_MAX_BYTES = 100_000_000;
export const KV_LIST_LIMIT = 1000;
const KEY_NOT_FOUND = 10009;

export interface KvPair {
  key: string;
  value: string;
  metadata?: Record<string, unknown>;
  /**
   * The value's UTF-8 size, when the caller knows it without reading the value (a publish's record
   * stores do): whether the pair fits a request is then checked without reading it.
   */
  bytes?: number;
}

export interface ListedKey {
  name: string;
  metadata?: unknown;
}

export interface KvApiSettings {
  baseUrl: string;
  token: string;
  accountId: string;
  namespaceId: string;
  retry: RetryPolicy;
  /** Bulk requests in flight at once. */
  concurrency: number;
  /** Pairs per bulk write request: at most KV_BULK_MAX_PAIRS. */
  batchPairs: number;
  /** The size a bulk write request is filled to; a pair larger than it is sent alone (up to KV_BULK_MAX_BYTES). */
  batchBytes: number;
}

/** A KV request that failed for good (after its retries, or at once when retrying cannot help). */
export class KvApiError extends RemoteApiError {
  override name = 'KvApiError';
}

/** The environment does not say how to reach the KV API: reported before any request. */
export class KvApiConfigError extends RemoteConfigError {
  override name = 'KvApiConfigError';
}

// Bulk writes filled to ten megabytes, well inside the 100 MB limit (a larger pair goes alone): a
// retry resends little, and each request's timeout grows with its body (remote-retry.ts). Four in
// flight stays far below the rate limit.
const DEFAULT_BATCH_BYTES = 10_000_000;
const DEFAULT_CONCURRENCY = 4;
/** The API base URL: https, or http on this machine only (a stand-in in tests). */
export function checkBaseUrl(raw: string): string {
  return checkApiUrl(raw, 'CLOUDFLARE_API_BASE_URL');
}

/**
 * Settings from the environment: CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (required),
 * CLOUDFLARE_API_BASE_URL, and MIRRORWIRE_RETRY_BASE_MS / MIRRORWIRE_RETRY_ATTEMPTS /
 * MIRRORWIRE_REQUEST_TIMEOUT_MS / MIRRORWIRE_KV_BATCH_PAIRS to tune (or speed up tests of) retries.
 */
export function kvApiSettingsFromEnv(env: NodeJS.ProcessEnv, namespaceId: string): KvApiSettings {
  const missing = ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID'].filter((name) => !env[name]?.trim());
  if (missing.length > 0)
    throw new KvApiConfigError(
      `${missing.join(' and ')} must be set for --remote (an API token with "Workers KV Storage: Edit")`,
    );
  return {
    baseUrl: checkBaseUrl(env.CLOUDFLARE_API_BASE_URL || DEFAULT_API_BASE_URL),
    token: env.CLOUDFLARE_API_TOKEN?.trim() ?? '',
    accountId: env.CLOUDFLARE_ACCOUNT_ID?.trim() ?? '',
    namespaceId,
    retry: retryPolicyFromEnv(env),
    concurrency: DEFAULT_CONCURRENCY,
    batchPairs: positiveInteger(env, 'MIRRORWIRE_KV_BATCH_PAIRS', KV_BULK_MAX_PAIRS, KV_BULK_MAX_PAIRS),
    batchBytes: DEFAULT_BATCH_BYTES,
  };
}

/** A pair as a bulk write's JSON array carries it (`bytes` is not sent). */
function serialisedPair({ key, value, metadata }: KvPair): string {
  return JSON.stringify({ key, value, metadata });
}

/**
 * JSON writes a UTF-8 byte as at most six (a control character, `\u001f`; a lone surrogate is six
 * for three): a pair whose key and value, so counted, and the rest of its JSON fit one request fits
 * it however they escape.
 */
const JSON_WORST_CASE_FACTOR = 6;

/**
 * Refuses, before any request, a pair no bulk write can carry (over KV_BULK_MAX_BYTES as JSON).
 * Only a pair whose worst case does not fit is serialised to be measured; with `bytes` given, the
 * others' values are not read.
 */
function checkPairsFit(pairs: Iterable<KvPair>): void {
  for (const pair of pairs) {
    if (pair.bytes !== undefined) {
      const frame = Buffer.byteLength(serialisedPair({ key: '', value: '', metadata: pair.metadata }));
      const worst = frame + JSON_WORST_CASE_FACTOR * (pair.bytes + Buffer.byteLength(pair.key));
      if (worst + 2 <= KV_BULK_MAX_BYTES) continue;
    }
    const size = Buffer.byteLength(serialisedPair(pair));
    if (size + 2 > KV_BULK_MAX_BYTES)
      throw new KvApiError(
        `${pair.key} is ${size} bytes as JSON; one bulk write takes at most ${KV_BULK_MAX_BYTES}`,
      );
  }
}

/**
 * A bulk write as it is sent: the JSON array of its items, each serialised once, measured once and
 * encoded once, with each item's key and size, so that a resend of some of them is cut from these
 * bytes.
 */
interface BulkBatch {
  keys: string[];
  body: Uint8Array<ArrayBuffer>;
  sizes: number[];
  /** The whole buffer the body was written into, to be filled again once the request is done. */
  buffer: Buffer;
}

/** A buffer of at least `capacity` bytes for a body to be written into. */
export type BodyAllocator = (capacity: number) => Buffer;

/**
 * The pairs as consecutive bulk writes of at most `maxPairs` pairs and `targetBytes` bytes, made one
 * at a time as requests free up: each value is read and serialised once, when its batch is made.
 * A pair larger than `targetBytes` goes in a request of its own (up to the API's
 * KV_BULK_MAX_BYTES, which checkPairsFit holds).
 */
export function* bulkBatches(
  pairs: Iterable<KvPair>,
  maxPairs: number,
  targetBytes: number,
  allocate: BodyAllocator = Buffer.allocUnsafe,
): Generator<BulkBatch> {
  let filling: FillingBatch | undefined;
  for (const pair of pairs) {
    const item = serialisedPair(pair);
    const size = Buffer.byteLength(item, 'utf8');
    // The closing bracket counts: a batch sent is at most targetBytes, or one pair alone.
    if (filling && (filling.keys.length === maxPairs || filling.bytes + 1 + size + 1 > targetBytes)) {
      yield sealed(filling);
      filling = undefined;
    }
    filling ??= openBatch(allocate(Math.max(targetBytes, size + 2)));
    addItem(filling, pair.key, item, size);
  }
  if (filling) yield sealed(filling);
}

/**
 * A bulk write being filled: each pair is encoded straight into one body made for the request. A
 * buffer for each pair, then all of them copied into the body, held the body twice outside the JS
 * heap, and the pairs' buffers (one a record, a few KB to tens of KB) were freed only once
 * collected, scattered through the C heap.
 */
interface FillingBatch {
  keys: string[];
  sizes: number[];
  body: Buffer;
  /** Bytes of the body filled so far, the opening bracket included. */
  bytes: number;
}

const OPEN = 0x5b; // [
const COMMA = 0x2c; // ,
const CLOSE = 0x5d; // ]

function openBatch(body: Buffer): FillingBatch {
  body[0] = OPEN;
  return { keys: [], sizes: [], body, bytes: 1 };
}

/** Adds one item (JSON, or its UTF-8 bytes) of `size` bytes, after a comma if it is not the first. */
function addItem(filling: FillingBatch, key: string, item: string | Uint8Array, size: number): void {
  if (filling.keys.length > 0) filling.body[filling.bytes++] = COMMA;
  let written = size;
  // Buffer.write drops what does not fit without a word (set throws): the size must be the one measured.
  if (typeof item === 'string') written = filling.body.write(item, filling.bytes, 'utf8');
  else filling.body.set(item, filling.bytes);
  if (written !== size) throw new Error(`${key} did not fit the bulk write measured for it`);
  filling.bytes += size;
  filling.keys.push(key);
  filling.sizes.push(size);
}

function sealed({ keys, sizes, body, bytes }: FillingBatch): BulkBatch {
  body[bytes] = CLOSE;
  // Some typings give a Buffer an ArrayBufferLike; allocUnsafe's is always a plain ArrayBuffer.
  return { keys, sizes, body: body.subarray(0, bytes + 1) as Uint8Array<ArrayBuffer>, buffer: body };
}

/** The batch with only the items whose keys are in `keys`, cut from its body. */
function onlyKeys(batch: BulkBatch, keys: ReadonlySet<unknown>): BulkBatch {
  const kept: { key: string; item: Uint8Array }[] = [];
  let offset = 1;
  for (const [index, key] of batch.keys.entries()) {
    const size = batch.sizes[index] ?? 0;
    if (keys.has(key)) kept.push({ key, item: batch.body.subarray(offset, offset + size) });
    offset += size + 1;
  }
  return batchOf(kept);
}

/** A bulk request of these items in a body of their size: a resend's (bytes cut from a body sent) or a delete's (keys as JSON). */
function batchOf(items: readonly { key: string; item: string | Uint8Array }[]): BulkBatch {
  const sizes = items.map(({ item }) =>
    typeof item === 'string' ? Buffer.byteLength(item, 'utf8') : item.length,
  );
  // Brackets, items and the commas between them (one byte to spare).
  const filling = openBatch(Buffer.allocUnsafe(sizes.reduce((total, size) => total + size + 1, 2)));
  for (const [index, { key, item }] of items.entries()) addItem(filling, key, item, sizes[index] ?? 0);
  return sealed(filling);
}

interface Envelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: unknown;
  result_info?: { cursor?: string };
}

async function readEnvelope(response: Response): Promise<Envelope> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Envelope) : {};
  } catch {
    // Not the API's JSON (a proxy's error page, say): the status alone describes it.
    return {};
  }
}

function describeFailure(response: Response, envelope: Envelope): string {
  const errors = (envelope.errors ?? []).map((e) => `${e.message ?? 'error'} (${e.code ?? '?'})`);
  const hint =
    response.status === 401 || response.status === 403
      ? ' (the token needs "Workers KV Storage: Edit" on CLOUDFLARE_ACCOUNT_ID)'
      : '';
  return `HTTP ${response.status}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}${hint}`;
}

/** A failed response: a retry when it may succeed if sent again, otherwise the error that ends it. */
function retryOrThrow(what: string, response: Response, envelope: Envelope): Outcome<never> {
  if (!isTransient(response.status))
    throw new KvApiError(`${what} failed: ${describeFailure(response, envelope)}`);
  return retryLater(response, describeFailure(response, envelope));
}

export interface KvApi {
  /** Every key under `prefix`, with its metadata, following the cursor to the end. */
  listKeys(prefix: string): Promise<ListedKey[]>;
  /** The value, or null only when the API says the key does not exist. */
  getValue(key: string): Promise<string | null>;
  /** Writes all pairs (read twice: checked, then sent); `onWritten` gets the running total as batches are stored. */
  putPairs(pairs: Iterable<KvPair>, onWritten?: (done: number) => void): Promise<void>;
  deleteKeys(keys: readonly string[], onDeleted?: (done: number) => void): Promise<void>;
}

/** `log` receives one line per retry, so a slow publish says why it is slow. */
export function createKvApi(settings: KvApiSettings, log: (line: string) => void = () => {}): KvApi {
  const { retry } = settings;
  const namespaceUrl = `${settings.baseUrl}/accounts/${encodeURIComponent(settings.accountId)}/storage/kv/namespaces/${encodeURIComponent(settings.namespaceId)}`;
  const headers = { authorization: `Bearer ${settings.token}` };

  const context: RetryContext = { retry, log, fail: (message) => new KvApiError(message) };

  // Bulk bodies are sent as they are, not copied (uncopied-body.ts)...
  const withBodies = uncopiedBodyClient();
  // ...and each full-size one is filled again once its request has succeeded, rather than left for
  // the collector: a body made for every request, freed when collected, held as much again. The
  // spares go with the phase that made them.
  const spareBodies: Buffer[] = [];
  const allocate: BodyAllocator = (capacity) =>
    (capacity === settings.batchBytes && spareBodies.pop()) || Buffer.allocUnsafe(capacity);
  const release = (batch: BulkBatch) => {
    if (batch.buffer.length === settings.batchBytes) spareBodies.push(batch.buffer);
  };

  /** A JSON request (a GET, or one with a body) answered by the API's envelope; transient failures are retried. */
  async function callJson(
    what: string,
    url: string,
    signal: AbortSignal,
    send?: { method: 'PUT' | 'POST'; body: Uint8Array },
  ): Promise<Outcome<Envelope>> {
    const response = send
      ? await withBodies.send(url, {
          ...send,
          signal,
          headers: { ...headers, 'content-type': 'application/json' },
        })
      : await fetch(url, { signal, headers });
    const envelope = await readEnvelope(response);
    if (response.ok && envelope.success !== false) return { ok: true, value: envelope };
    return retryOrThrow(what, response, envelope);
  }

  /**
   * Sends a bulk request, resending the keys the API reports as not stored (its documented advice),
   * cut from the same bytes.
   */
  async function sendBulk(
    what: string,
    request: { url: string; method: 'PUT' | 'POST' },
    batch: BulkBatch,
  ): Promise<void> {
    let pending = batch;
    await withRetries(
      what,
      context,
      async (signal): Promise<Outcome<undefined>> => {
        const outcome = await callJson(what, request.url, signal, {
          method: request.method,
          body: pending.body,
        });
        if (!outcome.ok) return outcome;
        const result = outcome.value.result;
        const failed =
          result && typeof result === 'object' && 'unsuccessful_keys' in result
            ? result.unsuccessful_keys
            : undefined;
        if (!Array.isArray(failed) || failed.length === 0) return { ok: true, value: undefined };
        const again = new Set(failed);
        pending = onlyKeys(pending, again);
        return { ok: false, reason: `${again.size} key(s) not stored, first ${String(failed[0])}` };
      },
      batch.body.length,
    );
  }

  const span = (keys: string[]) =>
    keys.length === 1 ? keys[0] : `${keys.length} keys, ${keys[0]} … ${keys[keys.length - 1]}`;

  return {
    async listKeys(prefix) {
      const keys: ListedKey[] = [];
      let cursor = '';
      do {
        const query = new URLSearchParams({ prefix, limit: String(KV_LIST_LIMIT) });
        if (cursor) query.set('cursor', cursor);
        const what = `listing keys under "${prefix}"`;
        const envelope = await withRetries(what, context, (signal) =>
          callJson(what, `${namespaceUrl}/keys?${query}`, signal),
        );
        if (!Array.isArray(envelope.result)) throw new KvApiError(`${what}: the answer has no key list`);
        for (const entry of envelope.result as unknown[]) {
          if (!entry || typeof entry !== 'object' || !('name' in entry) || typeof entry.name !== 'string')
            throw new KvApiError(`${what}: the answer lists a key without a name`);
          keys.push({ name: entry.name, metadata: 'metadata' in entry ? entry.metadata : undefined });
        }
        cursor = envelope.result_info?.cursor ?? '';
      } while (cursor);
      return keys;
    },

    getValue(key) {
      const what = `reading "${key}"`;
      return withRetries(what, context, async (signal): Promise<Outcome<string | null>> => {
        const response = await fetch(`${namespaceUrl}/values/${encodeURIComponent(key)}`, {
          headers,
          signal,
        });
        if (response.ok) return { ok: true, value: await response.text() };
        const envelope = await readEnvelope(response);
        if (response.status === 404 && envelope.errors?.some((e) => e.code === KEY_NOT_FOUND))
          return { ok: true, value: null };
        return retryOrThrow(what, response, envelope);
      });
    },

    async putPairs(given, onWritten) {
      const pairs = mustReadAgain(given, "a bulk write's pairs");
      checkPairsFit(pairs);
      let done = 0;
      const batches = bulkBatches(pairs, settings.batchPairs, settings.batchBytes, allocate);
      await runPool(batches, settings.concurrency, async (batch) => {
        await sendBulk(`writing ${span(batch.keys)}`, { url: `${namespaceUrl}/bulk`, method: 'PUT' }, batch);
        release(batch);
        done += batch.keys.length;
        onWritten?.(done);
      });
      spareBodies.length = 0;
    },

    async deleteKeys(keys, onDeleted) {
      const batches: string[][] = [];
      for (let start = 0; start < keys.length; start += KV_BULK_MAX_PAIRS)
        batches.push(keys.slice(start, start + KV_BULK_MAX_PAIRS));
      let done = 0;
      await runPool(batches, settings.concurrency, async (batch) => {
        const what = `deleting ${span(batch)}`;
        const items = batch.map((key) => ({ key, item: JSON.stringify(key) }));
        await sendBulk(what, { url: `${namespaceUrl}/bulk/delete`, method: 'POST' }, batchOf(items));
        done += batch.length;
        onDeleted?.(done);
      });
    },
  };
}
