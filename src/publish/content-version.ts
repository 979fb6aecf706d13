// The content version: one short hash of everything a publish leaves in KV. Cache keys derive from
// it (src/http/content-cache.ts), so it must change with any record and be the same however a
// record was obtained (built, or kept as stored), in whatever order the builders produced it.
//
// It is taken from the records' sum: each record's key and hash digested (SHA-256) and the digests
// added, lane by lane (eight 32-bit lanes, each modulo 2^32), a multiset hash in the manner of
// Bellare and Micciancio's AdHash. The order of the records does not matter, nothing is sorted or
// held, and a publish that changes a few records moves the sum by their digests alone: an edit by
// key updates the stored sum (Manifest.recordSum) rather than reading every key. A swap of two
// values between two keys moves it too: each digest covers a key and its hash together.
import type { SiteConfig } from '../config/site-config';
import { sha256Hex } from '../shared/digest';

/** A SHA-256 of UTF-8 text, synchronously (the publish command's node:crypto): 32 bytes. */
export type SyncDigest = (text: string) => Uint8Array;

/** A set of keys (a record store, the kept keys). */
export interface KeySet {
  keys(): Iterable<string>;
}

/** The sum's lanes: SHA-256's 32 bytes as eight 32-bit words. */
const LANES = 8;

/** Records digested at a time without a synchronous digest (Web Crypto's is asynchronous). */
const ASYNC_BATCH = 1024;

/** What a record adds to the sum: its key and its value's hash, digested together. */
const elementOf = (key: string, hash: string) => `${key}\u0000${hash}`;

/** Adds (sign 1) or takes away (sign -1) one digest from the lanes. */
function addDigest(lanes: Uint32Array, digest: Uint8Array, sign: 1 | -1): void {
  const words = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  for (let lane = 0; lane < LANES; lane++)
    lanes[lane] = ((lanes[lane] as number) + sign * words.getUint32(lane * 4, true)) >>> 0;
}

/** A sum being made: records added and taken away, given as key and hash. */
export class RecordSum {
  private readonly lanes: Uint32Array;
  private pending: { text: string; sign: 1 | -1 }[] = [];

  /** From a stored sum (RecordSum.hex) or from nothing; `digest` when the caller has a synchronous one. */
  constructor(
    private readonly digest?: SyncDigest,
    from?: string,
  ) {
    this.lanes = from === undefined ? new Uint32Array(LANES) : lanesOf(from);
  }

  /** Adds a record. */
  add(key: string, hash: string): Promise<void> | undefined {
    return this.apply(elementOf(key, hash), 1);
  }

  /** Takes away a record added before (by this sum or the one it was read from). */
  remove(key: string, hash: string): Promise<void> | undefined {
    return this.apply(elementOf(key, hash), -1);
  }

  /** The sum as 64 hex characters, once every record given is in it. */
  async hex(): Promise<string> {
    await this.flush();
    let hex = '';
    for (const lane of this.lanes) hex += lane.toString(16).padStart(8, '0');
    return hex;
  }

  /** Only a sum without a synchronous digest waits now and then, for a batch of Web Crypto's. */
  private apply(text: string, sign: 1 | -1): Promise<void> | undefined {
    if (this.digest) {
      addDigest(this.lanes, this.digest(text), sign);
      return undefined;
    }
    this.pending.push({ text, sign });
    return this.pending.length >= ASYNC_BATCH ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const encoder = new TextEncoder();
    const digests = await Promise.all(
      batch.map(({ text }) => crypto.subtle.digest('SHA-256', encoder.encode(text))),
    );
    for (const [at, digest] of digests.entries())
      addDigest(this.lanes, new Uint8Array(digest), (batch[at] as (typeof batch)[number]).sign);
  }
}

/** The lanes of a stored sum; refuses anything but 64 hex characters. */
function lanesOf(hex: string): Uint32Array {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`a record sum is 64 hex characters, not ${hex}`);
  return Uint32Array.from({ length: LANES }, (_, lane) =>
    Number.parseInt(hex.slice(lane * 8, lane * 8 + 8), 16),
  );
}

/** The sum of every record in the sets, each key's hash given by `hashOf` (none: ''). */
export async function recordSum(
  keySets: readonly KeySet[],
  hashOf: (key: string) => string | undefined,
  digest?: SyncDigest,
): Promise<string> {
  const sum = new RecordSum(digest);
  for (const set of keySets)
    for (const key of set.keys()) {
      const waiting = sum.add(key, hashOf(key) ?? '');
      if (waiting) await waiting;
    }
  return sum.hex();
}

/**
 * The content version: a hash of the configuration, the change log's head (its pages are not all
 * rewritten, but the head moves whenever one is) and the records' sum.
 */
export async function contentVersion(site: SiteConfig, changesHead: number, sum: string): Promise<string> {
  return (await sha256Hex(`${JSON.stringify(site)}\u0000${changesHead}\u0000${sum}`)).slice(0, 16);
}
