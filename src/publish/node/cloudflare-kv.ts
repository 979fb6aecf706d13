// Workers KV through Cloudflare's REST API (v4), with plain fetch: list keys, read one value, bulk
// write, bulk delete. Owns the wire format and the documented limits; retries, timeouts and requests
// in flight follow the policy every remote request shares (remote-retry.ts). Knows nothing about
// what the keys mean.

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
  /** Bytes per bulk write request: at most KV_BULK_MAX_BYTES. */
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

// Ten megabytes per bulk write, well inside the 100 MB limit: a retry resends little and a slow
// uplink finishes a request inside the timeout. Four in flight stays far below the rate limit.
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

const encoder = new TextEncoder();

/** Bytes a pair adds to a bulk write's JSON array (its serialisation plus the comma). */
function pairBytes(pair: KvPair): number {
  return encoder.encode(JSON.stringify(pair)).length + 1;
}

/**
 * Cuts items into consecutive batches of at most `maxItems` and `maxBytes` (the array's brackets
 * included). An item too big for any batch is an error here, not a rejected request later.
 */
export function cutBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxItems: number,
  maxBytes: number,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = sizeOf(item);
    if (size + 2 > maxBytes)
      throw new KvApiError(`one item of ${size} bytes exceeds a request's ${maxBytes}`);
    if (batch.length === maxItems || bytes + size > maxBytes) {
      batches.push(batch);
      batch = [];
      bytes = 2;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
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
  /** Writes all pairs; `onWritten` gets the running total as batches are stored. */
  putPairs(pairs: readonly KvPair[], onWritten?: (done: number) => void): Promise<void>;
  deleteKeys(keys: readonly string[], onDeleted?: (done: number) => void): Promise<void>;
}

/** `log` receives one line per retry, so a slow publish says why it is slow. */
export function createKvApi(settings: KvApiSettings, log: (line: string) => void = () => {}): KvApi {
  const { retry } = settings;
  const namespaceUrl = `${settings.baseUrl}/accounts/${encodeURIComponent(settings.accountId)}/storage/kv/namespaces/${encodeURIComponent(settings.namespaceId)}`;
  const headers = { authorization: `Bearer ${settings.token}` };

  const context: RetryContext = { retry, log, fail: (message) => new KvApiError(message) };

  /** A JSON request answered by the API's envelope; transient failures are retried. */
  async function callJson(
    what: string,
    url: string,
    init: RequestInit,
    signal: AbortSignal,
  ): Promise<Outcome<Envelope>> {
    const response = await fetch(url, {
      ...init,
      signal,
      headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const envelope = await readEnvelope(response);
    if (response.ok && envelope.success !== false) return { ok: true, value: envelope };
    return retryOrThrow(what, response, envelope);
  }

  /** Sends a bulk request, resending the keys the API reports as not stored (its documented advice). */
  async function sendBulk<T>(
    what: string,
    request: { url: string; method: 'PUT' | 'POST' },
    items: readonly T[],
    keyOf: (item: T) => string,
  ): Promise<void> {
    let pending = items;
    const bytes = encoder.encode(JSON.stringify(items)).length;
    await withRetries(
      what,
      context,
      async (signal): Promise<Outcome<undefined>> => {
        const body = JSON.stringify(pending);
        const outcome = await callJson(what, request.url, { method: request.method, body }, signal);
        if (!outcome.ok) return outcome;
        const result = outcome.value.result;
        const failed =
          result && typeof result === 'object' && 'unsuccessful_keys' in result
            ? result.unsuccessful_keys
            : undefined;
        if (!Array.isArray(failed) || failed.length === 0) return { ok: true, value: undefined };
        const again = new Set(failed);
        pending = pending.filter((item) => again.has(keyOf(item)));
        return { ok: false, reason: `${again.size} key(s) not stored, first ${String(failed[0])}` };
      },
      bytes,
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
          callJson(what, `${namespaceUrl}/keys?${query}`, {}, signal),
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

    async putPairs(pairs, onWritten) {
      const batches = cutBatches(pairs, pairBytes, settings.batchPairs, settings.batchBytes);
      let done = 0;
      await runPool(batches, settings.concurrency, async (batch) => {
        const what = `writing ${span(batch.map((p) => p.key))}`;
        await sendBulk(what, { url: `${namespaceUrl}/bulk`, method: 'PUT' }, batch, (p) => p.key);
        done += batch.length;
        onWritten?.(done);
      });
    },

    async deleteKeys(keys, onDeleted) {
      const batches = cutBatches(keys, () => 0, KV_BULK_MAX_PAIRS, Infinity);
      let done = 0;
      await runPool(batches, settings.concurrency, async (batch) => {
        const what = `deleting ${span(batch)}`;
        await sendBulk(what, { url: `${namespaceUrl}/bulk/delete`, method: 'POST' }, batch, (k) => k);
        done += batch.length;
        onDeleted?.(done);
      });
    },
  };
}
