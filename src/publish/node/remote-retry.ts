// The one retry and error policy of every request the publish command sends to Cloudflare (KV's REST
// API, R2's S3 API): which failures are retried, how long to wait, how long a request may take,
// how many are in flight, and the errors that end a publish. Knows nothing about either protocol.

import { messageOf } from '../../shared/error-message';

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** First backoff; each retry doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * A request that takes longer is abandoned and retried; a request with a large body gets more
   * time for it at the slowest uplink we allow for (SLOW_UPLINK_BYTES_PER_MS).
   */
  timeoutMs: number;
}

/** A request that failed for good (after its retries, or at once when retrying cannot help). */
export class RemoteApiError extends Error {
  override name = 'RemoteApiError';
}

/** The environment does not say how to reach an API: reported before any request. */
export class RemoteConfigError extends Error {
  override name = 'RemoteConfigError';
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 60_000,
};
// A retry-after longer than Cloudflare's five-minute rate-limit window is not believed.
const MAX_RETRY_AFTER_MS = 300_000;
// 1 Mbit/s: a 10 MB body gets 80 s on top of the timeout, so a slow link is not taken for a dead one
// (a timeout that a request can never meet would fail every re-run too).
const SLOW_UPLINK_BYTES_PER_MS = 125;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An API's base URL from the variable `name`: https, or http on this machine only (a stand-in in tests). */
export function checkApiUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteConfigError(`${name} is not a URL: ${raw}`);
  }
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !local)
    throw new RemoteConfigError(
      `${name} must be https (http only on 127.0.0.1 or localhost), not ${url.origin}`,
    );
  return url.href.replace(/\/+$/, '');
}

export function positiveInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  max = Number.POSITIVE_INFINITY,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RemoteConfigError(`${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  return value;
}

/**
 * The policy from the environment: MIRRORWIRE_RETRY_BASE_MS, MIRRORWIRE_RETRY_ATTEMPTS and
 * MIRRORWIRE_REQUEST_TIMEOUT_MS tune (or speed up tests of) every remote request alike.
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv): RetryPolicy {
  const baseDelayMs = positiveInteger(env, 'MIRRORWIRE_RETRY_BASE_MS', DEFAULT_RETRY.baseDelayMs);
  return {
    attempts: positiveInteger(env, 'MIRRORWIRE_RETRY_ATTEMPTS', DEFAULT_RETRY.attempts, 20),
    baseDelayMs,
    maxDelayMs: Math.max(baseDelayMs, DEFAULT_RETRY.maxDelayMs),
    timeoutMs: positiveInteger(env, 'MIRRORWIRE_REQUEST_TIMEOUT_MS', DEFAULT_RETRY.timeoutMs),
  };
}

/** Milliseconds a retry-after header asks for (delay-seconds or an HTTP date), if it is readable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(date - now, 0), MAX_RETRY_AFTER_MS);
}

/**
 * Exponential backoff with jitter: the nth retry waits between half and all of base·2ⁿ⁻¹ (capped),
 * so clients that failed together do not retry together; never less than the server asked for.
 */
export function retryDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  retryAfterMs = 0,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.max(retryAfterMs, Math.round(ceiling * (0.5 + random() / 2)));
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string; retryAfterMs?: number };

/** Whether a failed response may succeed if sent again: rate limited, or the server's fault. */
export function isTransient(status: number): boolean {
  return status === 429 || status >= 500;
}

/** A failed response that may succeed if sent again, as a retry (honouring its retry-after). */
export function retryLater(response: Response, reason: string): Outcome<never> {
  return { ok: false, reason, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
}

function describeThrown(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  // fetch's errors carry the system's code on their cause, node:http's on themselves.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code =
    cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  return `network error (${code ?? messageOf(error)})`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RetryContext {
  retry: RetryPolicy;
  /** Gets one line per retry, so a slow publish says why it is slow. */
  log: (line: string) => void;
  /** The error that ends the publish once every attempt has failed. */
  fail: (message: string) => RemoteApiError;
}

/**
 * Sends a request until it succeeds, fails for good (a RemoteApiError thrown by `attempt`), or runs
 * out of attempts. Thrown errors (network, timeout) and `{ ok: false }` outcomes are retried.
 */
export async function withRetries<T>(
  what: string,
  context: RetryContext,
  attempt: (signal: AbortSignal) => Promise<Outcome<T>>,
  bodyBytes = 0,
): Promise<T> {
  const { retry } = context;
  const timeoutMs = retry.timeoutMs + Math.ceil(bodyBytes / SLOW_UPLINK_BYTES_PER_MS);
  let reason = '';
  for (let n = 1; n <= retry.attempts; n++) {
    let outcome: Outcome<T>;
    try {
      outcome = await attempt(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      if (error instanceof RemoteApiError) throw error;
      outcome = { ok: false, reason: describeThrown(error, timeoutMs) };
    }
    if (outcome.ok) return outcome.value;
    reason = outcome.reason;
    if (n === retry.attempts) break;
    const delay = retryDelay(n, retry, outcome.retryAfterMs);
    context.log(`${what}: ${reason}; retry ${n} of ${retry.attempts - 1} in ${(delay / 1000).toFixed(1)} s`);
    await sleep(delay);
  }
  throw context.fail(`${what} failed after ${retry.attempts} attempts: ${reason}`);
}
