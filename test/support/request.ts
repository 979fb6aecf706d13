// Requests through the worker's real entry point, as a browser or feed reader would send them.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import worker from '../../src/index';

export const PRIMARY = 'www.presstv.ir';
export const MIRROR = 'mirror.presstv.example';

/** GET `path` on `host` (https), with optional request headers. */
export function get(host: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`https://${host}${path}`, { headers, redirect: 'manual' });
}

/**
 * Calls the worker's default export with `bindings` laid over the test env: for injected faults
 * (a failing KV), and with the manifest memo off (SITE_MANIFEST_TTL_SECONDS 0) so a request sees
 * a KV change made just before it. Waits for the response's background work (cache writes).
 */
export async function fetchWorker(input: Request | string, bindings: Partial<Env> = {}): Promise<Response> {
  const request = typeof input === 'string' ? new Request(input) : input;
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, SITE_MANIFEST_TTL_SECONDS: '0', ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
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
