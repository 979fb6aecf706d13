// Requests to the worker's default export, as a browser or feed reader would send them, with the
// bindings the runtime gives it. They call its fetch handler in the test's own isolate: through the
// runtime (exports.default.fetch), each request in a workerd costs more than the one before it
// (@cloudflare/vitest-pool-workers 0.15, cloudflare/workers-sdk#15446), so a file of a few hundred
// requests spent most of its time there. The tests about what the runtime itself does before or
// around the worker (URLs it refuses, preflights, the admin API's callers) use exports.default.fetch.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Secrets } from '../../src/env';
import worker from '../../src/index';

export const PRIMARY = 'www.presstv.ir';
export const MIRROR = 'mirror.presstv.example';

/**
 * GET `path` on `host` (https), with optional request headers, handled with the runtime's bindings;
 * waits for the response's background work (cache writes), as the next request of a reader would
 * find it done.
 */
export function get(host: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return getWithEnv({}, host, path, headers);
}

/**
 * Calls the worker's default export with `bindings` laid over the test env: for injected faults
 * (a failing KV), and with the manifest memo off (SITE_MANIFEST_TTL_SECONDS 0) so a request sees
 * a KV change made just before it. Waits for the response's background work (cache writes).
 */
export function fetchWorker(input: Request | string, bindings: Partial<Env> = {}): Promise<Response> {
  return fetchWithBindings(input, { SITE_MANIFEST_TTL_SECONDS: '0', ...bindings });
}

/** The `N` of `kv;desc="N reads"` in Server-Timing. */
export function kvReads(response: Response): number {
  const match = /kv;desc="(\d+) reads"/.exec(response.headers.get('Server-Timing') ?? '');
  if (!match?.[1]) throw new Error('response has no kv entry in Server-Timing');
  return Number(match[1]);
}

export function cacheStatus(response: Response): string | undefined {
  return /cache;desc="(\w+)"/.exec(response.headers.get('Server-Timing') ?? '')?.[1];
}

/**
 * Calls the worker's fetch handler directly with some bindings replaced (the way tests inject
 * configuration): `SITE_MANIFEST_TTL_SECONDS: '0'` to see a publish at once, `ALLOW_LOCAL_HOSTS`,
 * or a Request whose URL `exports.default.fetch` would not accept.
 */
export async function fetchWithBindings(
  request: Request | string,
  bindings: Partial<Env & Secrets> = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const input = typeof request === 'string' ? new Request(request, { redirect: 'manual' }) : request;
  const response = await worker.fetch(input, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * GET through the worker's default export with bindings replaced or added (a secret, a fake rate
 * limiter, a manifest memo of 0 s for tests that publish again), as the runtime would pass them.
 */
export function getWithEnv(
  overrides: Partial<Env & Secrets>,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetchWithBindings(new Request(`https://${host}${path}`, { headers, redirect: 'manual' }), overrides);
}

/**
 * A partner calling the API from its own address: the rate limit counts per address, so each
 * test file uses its own and never spends another file's quota.
 */
export function partnerAt(address: string) {
  return (host: string, path: string, headers: Record<string, string> = {}) =>
    get(host, path, { 'CF-Connecting-IP': address, ...headers });
}
