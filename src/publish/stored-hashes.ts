// Each stored key's hash, read through the listing a publish was given (key → KV metadata).

import type { StoredKeys } from './plan';

/** What a publish asks of the stored hashes: a Map of them is one. */
export interface StoredHashLookup {
  get(key: string): string | undefined;
  has(key: string): boolean;
  keys(): Iterable<string>;
}

/**
 * key → the hash KV metadata records for it, as a view of the listing rather than a copy: copying
 * 371,000 entries into a map of their own cost about half a second of every publish at 100,000
 * articles. `hidden` keys (listed, but what a publish killed while deleting left behind) are not in
 * it.
 */
export class StoredHashes implements StoredHashLookup {
  constructor(
    private readonly listed: StoredKeys,
    private readonly hidden: ReadonlySet<string>,
  ) {}

  has(key: string): boolean {
    return this.listed.has(key) && !this.hidden.has(key);
  }

  get(key: string): string | undefined {
    return this.hidden.has(key) ? undefined : this.listed.get(key)?.hash;
  }

  keys(): Iterable<string> {
    return this.hidden.size === 0 ? this.listed.keys() : this.shownKeys();
  }

  private *shownKeys(): Iterable<string> {
    for (const key of this.listed.keys()) if (!this.hidden.has(key)) yield key;
  }
}
