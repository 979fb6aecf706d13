// A builder's state for its next update (index-builder.ts RecordGroup.state), as the record memo
// keeps it: its first piece (the head: small, the search index's layout) with the keys and hashes
// the group produced, under one fingerprint; the rest of its pieces (the search index names every
// article's input: 7 MB at 100,000 articles) under another. An edit by key reads the head and the
// output alone, and remembers them again with what it rewrote and a piece of its own, which names
// the articles it edited as they are now; the state is its head, the rest, then those pieces, each
// later one naming an article over an earlier (the search index reads them in order), so that the
// next whole update compares each article with what KV holds of it.
import type { GroupOutput, RecordMemo } from './record-memo';

/** The name of each state piece's entry, before the output's keys. */
const STATE_ENTRY = 'group state';

/** The name of a piece an edit by key added after the rest. */
const ADDED_ENTRY = 'group state added';

/** What the memo holds of a builder's state: its pieces, and the keys and hashes its group produced. */
export interface RememberedState {
  state: string[];
  output: GroupOutput;
}

const headFingerprint = (memo: RecordMemo, builder: string, site: string) =>
  memo.fingerprint([STATE_ENTRY, builder, site]);
const restFingerprint = (memo: RecordMemo, builder: string, site: string) =>
  memo.fingerprint([STATE_ENTRY, 'rest', builder, site]);

/** What the head's entry holds: the head, the pieces edits by key added, and the group's output. */
export interface RememberedHead {
  head: string;
  added: string[];
  output: GroupOutput;
}

/** The state's head, the pieces edits by key added, and its group's output, without the rest. */
export function rememberedHead(memo: RecordMemo, builder: string, site: string): RememberedHead | undefined {
  const [first, ...entries] = memo.lookup(headFingerprint(memo, builder, site)) ?? [];
  if (first?.[0] !== STATE_ENTRY) return undefined;
  let pieces = 0;
  while (entries[pieces]?.[0] === ADDED_ENTRY) pieces++;
  return {
    head: first[1],
    added: entries.slice(0, pieces).map(([, piece]) => piece),
    output: entries.slice(pieces),
  };
}

/** The state whole (its head, the rest of its pieces, then those edits by key added) and its group's output. */
export function rememberedState(
  memo: RecordMemo,
  builder: string,
  site: string,
): RememberedState | undefined {
  const head = rememberedHead(memo, builder, site);
  if (!head) return undefined;
  const rest = memo.lookup(restFingerprint(memo, builder, site)) ?? [];
  if (rest.some(([entry]) => entry !== STATE_ENTRY)) return undefined;
  return {
    state: [head.head, ...rest.map(([, piece]) => piece), ...head.added],
    output: head.output,
  };
}

/** Remembers `output` under `fingerprint`; the same output again, as the memo already holds it. */
function rememberOnce(memo: RecordMemo, fingerprint: string, output: GroupOutput): void {
  const stored = memo.lookup(fingerprint);
  const same =
    stored?.length === output.length &&
    output.every(([key, value], i) => stored[i]?.[0] === key && stored[i]?.[1] === value);
  memo.remember(fingerprint, same && stored ? stored : output);
}

/** Remembers a builder's state whole (at least one piece) with its group's output. */
export function rememberState(
  memo: RecordMemo,
  builder: string,
  site: string,
  pieces: Iterable<string>,
  output: GroupOutput,
): void {
  const [head, ...rest] = [...pieces].map((piece) => [STATE_ENTRY, piece] as const);
  if (!head) throw new Error(`the ${builder} builder's state has no piece`);
  rememberOnce(memo, headFingerprint(memo, builder, site), [head, ...output]);
  rememberOnce(memo, restFingerprint(memo, builder, site), rest);
}

/**
 * Remembers the state's head with its group's output as an edit by key left it, and the pieces
 * edits by key added (`added`: those before, then this edit's), the rest as it was.
 */
export function rememberHead(
  memo: RecordMemo,
  builder: string,
  site: string,
  { head, added, output }: RememberedHead,
): void {
  rememberOnce(memo, headFingerprint(memo, builder, site), [
    [STATE_ENTRY, head],
    ...added.map((piece) => [ADDED_ENTRY, piece] as const),
    ...output,
  ]);
}
