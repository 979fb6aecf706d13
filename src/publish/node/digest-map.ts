// A map keyed by SHA-256 digests in lowercase hex, holding each key as its 32 bytes. The record memo
// keeps every group a publish builds until it is saved: 470,000 fingerprints at 100,000 articles.
// In a Map each was a 64-character string (80 bytes) and an entry of the map's table, about 43 MB
// of a first publish's peak; here an entry is its 32 bytes, a slot of the values' list and two of
// the index. Reads and writes take the hex string and give it back, as a Map of strings would,
// except that a key deleted and set again keeps its first place in the order (a Map moves it last).
// Only a digest can be set; any other key is simply absent. The digests are a DigestColumn's.

import { DigestColumn } from './columns';

const DIGEST_BYTES = 32;
const HEX_DIGEST = /^[0-9a-f]{64}$/;
/** What a deleted entry holds in place of a value (its digest keeps its place). */
const DELETED: unique symbol = Symbol('deleted');

/** Whether a key can be held: a SHA-256 digest in lowercase hex. */
function isDigest(key: string): boolean {
  return HEX_DIGEST.test(key);
}

export class DigestMap<V> implements ReadonlyMap<string, V> {
  /** Each entry's digest, in the order entries were first set. */
  private readonly digests: DigestColumn;
  /** Each entry's value, by its place in `digests`; a deleted entry keeps its place, holding DELETED. */
  private readonly entryValues: (V | typeof DELETED)[] = [];
  /** Open addressing, linear probing: each slot is an entry's place plus one, or 0 when free. */
  private index = new Int32Array(2048);
  private live = 0;
  /** One key's bytes while it is looked for: no buffer is made per call. */
  private readonly probe = Buffer.alloc(DIGEST_BYTES);

  /** `chunkDigests`: see DigestColumn. */
  constructor(chunkDigests?: number) {
    this.digests = new DigestColumn(chunkDigests);
  }

  get size(): number {
    return this.live;
  }

  get(key: string): V | undefined {
    const at = this.find(key);
    const value = at < 0 ? undefined : this.entryValues[at];
    return value === DELETED ? undefined : value;
  }

  has(key: string): boolean {
    const at = this.find(key);
    return at >= 0 && this.entryValues[at] !== DELETED;
  }

  /** Throws for a key that is not a digest: setting one is a caller's mistake. */
  set(key: string, value: V): this {
    if (!isDigest(key)) throw new Error(`not a SHA-256 digest in lowercase hex: ${JSON.stringify(key)}`);
    const found = this.findDigest(key);
    if (found >= 0) {
      if (this.entryValues[found] === DELETED) this.live++;
      this.entryValues[found] = value;
      return this;
    }
    const entry = this.digests.push(this.probe);
    this.entryValues.push(value);
    this.live++;
    // At most half full, so a probe ends soon.
    if (2 * (entry + 1) > this.index.length) this.rehash(this.index.length * 2);
    else this.index[this.slotFor(entry)] = entry + 1;
    return this;
  }

  /** Marks the entry deleted: its digest keeps its slot, so the index needs no tombstones. */
  delete(key: string): boolean {
    const at = this.find(key);
    if (at < 0 || this.entryValues[at] === DELETED) return false;
    this.entryValues[at] = DELETED;
    this.live--;
    return true;
  }

  *entries(): MapIterator<[string, V]> {
    for (let entry = 0; entry < this.entryValues.length; entry++) {
      const value = this.entryValues[entry] as V | typeof DELETED;
      if (value !== DELETED) yield [this.keyAt(entry), value];
    }
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  private keyAt(entry: number): string {
    return this.digests.hex(entry) as string;
  }

  /** The first slot from where a digest starts probing: its first four bytes (SHA-256 is uniform). */
  private start(leadingWord: number): number {
    return leadingWord & (this.index.length - 1);
  }

  private slotFor(entry: number): number {
    let slot = this.start(this.digests.leadingWord(entry));
    while (this.index[slot] !== 0) slot = (slot + 1) & (this.index.length - 1);
    return slot;
  }

  /** The place of `key`'s entry (deleted or not), or -1: a key that is not a digest has none. */
  private find(key: string): number {
    return isDigest(key) ? this.findDigest(key) : -1;
  }

  /** The same for a key known to be a digest; leaves its bytes in `probe`. */
  private findDigest(key: string): number {
    this.probe.write(key, 'hex');
    for (let slot = this.start(this.probe.readUInt32LE(0)); ; slot = (slot + 1) & (this.index.length - 1)) {
      const held = this.index[slot] as number;
      if (held === 0) return -1;
      if (this.digests.equals(held - 1, this.probe)) return held - 1;
    }
  }

  private rehash(slots: number): void {
    this.index = new Int32Array(slots);
    for (let entry = 0; entry < this.entryValues.length; entry++) this.index[this.slotFor(entry)] = entry + 1;
  }
}

/** The keys of a DigestMap, as a set. */
export class DigestSet {
  private readonly map = new DigestMap<true>();

  get size(): number {
    return this.map.size;
  }

  add(key: string): this {
    this.map.set(key, true);
    return this;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }
}
