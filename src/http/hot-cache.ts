// A small per-isolate memory of rendered responses, in front of the Cache API: the hottest URLs
// (home, feeds, today's articles) are answered without leaving the isolate. Same keys as the edge
// cache (host + content version + code version + path), so it can never serve a stale or foreign body.

/** Larger bodies go to the Cache API only, so one big feed cannot flush everything else. */
const HOT_ENTRY_MAX_BYTES = 512 * 1024;

interface HotEntry {
  body: ArrayBuffer;
  /** Same expiry as the edge cache entry it mirrors (ms, worker clock). */
  expiresAt: number;
  status: number;
  /**
   * A private copy, never handed out: a Response copies it natively, where a list of pairs is
   * converted entry by entry (measured in workerd: about 45 µs for ten headers, against 3 µs).
   */
  headers: Headers;
}

/** Least recently used first: a Map iterates in insertion order, and a hit re-inserts. */
const entries = new Map<string, HotEntry>();
let totalBytes = 0;

export function readHot(key: string, nowMs: number): Response | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  entries.delete(key);
  if (entry.expiresAt <= nowMs) {
    totalBytes -= entry.body.byteLength;
    return undefined;
  }
  entries.set(key, entry);
  return new Response(entry.body, { status: entry.status, headers: entry.headers });
}

/** A ready 200 as kept: its bytes (shared, never written to), status and headers. */
export interface HotResponse {
  body: ArrayBuffer;
  status: number;
  headers: Headers;
}

/**
 * Keeps `response` and evicts the least recently used until the bodies fit in `limitBytes`
 * (EDGE_MEMORY_CACHE_BYTES). The headers are copied; the body is kept as given, not copied.
 */
export function writeHot(key: string, response: HotResponse, limitBytes: number, expiresAt: number): void {
  const { body } = response;
  if (body.byteLength > Math.min(HOT_ENTRY_MAX_BYTES, limitBytes)) return;
  const previous = entries.get(key);
  if (previous) totalBytes -= previous.body.byteLength;
  entries.delete(key);
  entries.set(key, { body, expiresAt, status: response.status, headers: new Headers(response.headers) });
  totalBytes += body.byteLength;
  for (const [oldest, entry] of entries) {
    if (totalBytes <= limitBytes) break;
    entries.delete(oldest);
    totalBytes -= entry.body.byteLength;
  }
}
