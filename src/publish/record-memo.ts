// What a publish remembers of the records it built: for each group of records (index-builder.ts),
// a fingerprint of its inputs and the key and hash of every value it produced. Building is
// deterministic, so the same inputs produce the same values again: when KV holds every one of
// those keys with that hash, the group is unchanged and is not built at all, and a publish costs
// what changed rather than what the archive holds. KV metadata stays the judge: a remembered group
// whose keys are absent or stored with another hash is built and diffed as usual.

/**
 * A group's output: each key it produced, with the SHA-256 (hex) of the value. (Something derived
 * from one article alone is remembered the same way, as one pair: its kind and the value.)
 */
export type GroupOutput = readonly (readonly [key: string, hash: string])[];

export interface RecordMemo {
  /**
   * A collision-resistant digest (SHA-256, hex) of the parts, with the code that builds records
   * already in it: a change to any builder must change every fingerprint.
   */
  fingerprint(parts: readonly string[]): string;
  /** What a group with this fingerprint produced when it was last built or kept. */
  lookup(fingerprint: string): GroupOutput | undefined;
  /** Remembers a group's output (kept in memory until the caller saves it, after the writes). */
  remember(fingerprint: string, output: GroupOutput): void;
  /**
   * Remembers again what this fingerprint names, if anything, without reading or even looking it
   * up (an edit keeps 100,000 articles' search terms this way). Without it, a lookup and a remember
   * do the same.
   */
  keep?(fingerprint: string): void;
  /**
   * This publish passes over groups it knows unchanged without naming them (BuildOptions.edited):
   * what it does not remember is not stale, and nothing may be dropped when it is saved.
   */
  keepAll?(): void;
}

/** A memo held in memory only (tests, or a store that saves it elsewhere). */
export function memoryRecordMemo(fingerprint: (parts: readonly string[]) => string): RecordMemo & {
  readonly entries: Map<string, GroupOutput>;
} {
  const entries = new Map<string, GroupOutput>();
  return {
    entries,
    fingerprint,
    lookup: (key) => entries.get(key),
    remember: (key, output) => {
      entries.set(key, output);
    },
    keep: () => undefined,
  };
}
