// What KV holds after this machine's last successful publish: every owned key with the hash and
// generation in its metadata, kept beside the record memo. The next publish takes it instead of
// listing the namespace (6.7 s for 371,000 keys through Miniflare; through Cloudflare's API, one
// request per 1,000 keys), but only while KV still holds the writer token that publish put and the
// manifest it left. Every writer of owned keys puts a fresh token before its first write
// (storage/keys.ts `writerTokenKey`), so after a publish from another machine, one killed halfway,
// or the cron applying a release, the next publish lists again; `--repair` always lists. A value
// changed in KV by other means, without a token, goes unseen until a repair.
//
// The file is append-only JSON lines after a header: `["put", key, hash, gen]` and
// `["delete", key]` as a publish changed them, then `["commit", token, manifestHash]` once its writes
// all succeeded. Only a state that ends in a commit is trusted. It is rewritten whole (to a new file
// renamed over it) when it has no trusted state to add to, or once most of its lines are stale.
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { mustReadAgain } from '../../shared/read-again';
import type { ValueMetadata } from '../../storage/consistency';
import { isOwnedKey, manifestKey, writerTokenKey } from '../../storage/keys';
import type { KvWrite, PublishPlan, StoredKeys } from '../plan';
import { unlessAbsent } from './absent-file';
import type { KvStore } from './kv-store';
import { sha256HexSync } from './node-digest';

const HEADER = JSON.stringify({ format: 1, what: 'KV listing' });

/** What KV showed when a state was committed: the writer token's value and the manifest's hash. */
export interface WriterState {
  token: string | null;
  manifest: string | null;
}

type Line =
  | ['put', key: string, hash: string | null, gen: number | null]
  | ['delete', key: string]
  | ['commit', token: string | null, manifest: string | null];

export interface ListingSnapshot {
  /**
   * Reads the file ahead of `trusted`, which then takes what was read, or fails as reading it
   * failed (at 100,000 articles, most of a second parsing 371,000 lines: the publish does it while
   * its files are stat-ed).
   */
  preload(): Promise<void>;
  /** The keys KV holds as the last commit left them, if KV shows that commit's writer state now. */
  trusted(now: WriterState): Promise<StoredKeys | undefined>;
  /**
   * Records a publish whose writes all succeeded: the keys it started from (trusted or listed), what
   * it wrote and deleted, and the writer state it left.
   */
  commit(
    base: StoredKeys,
    writes: Iterable<Listed>,
    deletes: readonly string[],
    state: WriterState,
  ): Promise<void>;
  /**
   * The writer state the file's last commit recorded, read from its end alone (an edit by key reads
   * no listing); undefined when it does not end in a commit.
   */
  lastCommit(): Promise<WriterState | undefined>;
  /**
   * Adds an edit by key's writes and deletes after the last commit, which must be `after` (the state
   * the edit planned against), and its commit.
   */
  append(
    after: WriterState,
    writes: Iterable<Listed>,
    deletes: readonly string[],
    state: WriterState,
  ): Promise<void>;
}

/**
 * A key written, as the snapshot records it. `commit` goes over its writes more than once (to
 * count them, then to write their lines), so they must be iterable again: a plan's phases, not a
 * generator's one pass (mustReadAgain refuses that).
 */
export interface Listed {
  key: string;
  metadata: Partial<ValueMetadata>;
}

const putLine = (key: string, metadata: Partial<ValueMetadata>): Line => [
  'put',
  key,
  metadata.hash ?? null,
  metadata.gen ?? null,
];

export function openListingSnapshot(path: string): ListingSnapshot {
  // What the file held when it was read: the entries of its last commit, and how many lines it has.
  let loaded: { entries: Map<string, Partial<ValueMetadata>>; lines: number } | undefined;
  // The file as read (once), with the writer state its last commit recorded.
  let reading: Promise<Committed | undefined> | undefined;
  const read = () => {
    reading ??= readCommitted(path);
    return reading;
  };
  return {
    async preload() {
      // A file that cannot be read fails the publish where it did, when trusted() asks, after the
      // content's own problems are reported: not here, ahead of them.
      await read().catch(() => undefined);
    },
    async trusted(now) {
      const committed = await read();
      // Taken once: not held through the publish when untrusted (KV is listed then), and read
      // afresh if asked again (after a commit).
      reading = undefined;
      if (!committed || committed.state.token !== now.token || committed.state.manifest !== now.manifest)
        return undefined;
      loaded = { entries: committed.entries, lines: committed.lines };
      return committed.entries;
    },
    lastCommit: () => lastCommitOf(path),
    async append(after, writes, deletes, state) {
      const last = await lastCommitOf(path);
      if (last?.token !== after.token || last.manifest !== after.manifest)
        throw new Error(`${path} no longer ends in the commit the edit planned against`);
      await writeLines(path, 'a', changedLines(writes, deletes), ['commit', state.token, state.manifest]);
    },
    async commit(base, listed, deletes, state) {
      const writes = mustReadAgain(listed, "a commit's writes");
      // Counted first, then written a chunk at a time: a first publish of 500,000 articles commits
      // 1.86 million writes, and a line for each, then a copy of the base with each write's
      // metadata, all held at once, took about 470 MB more resident and 10 s (3 s now).
      let changes = deletes.length;
      let live = base.size;
      for (const { key } of writes) {
        changes++;
        if (!base.has(key)) live++;
      }
      for (const key of deletes) if (base.has(key)) live--;
      const commit: Line = ['commit', state.token, state.manifest];
      await mkdir(dirname(path), { recursive: true });
      if (loaded && loaded.entries === base && loaded.lines + changes <= 2 * live + 1000) {
        await writeLines(path, 'a', changedLines(writes, deletes), commit);
        return;
      }
      const temporary = `${path}.${process.pid}.tmp`;
      // The base's keys a write replaces or a delete removes, left out: each key once. A key both
      // written and deleted (a plan never has one) ends deleted, as an append's lines leave it.
      const deleted = new Set(deletes);
      const removed = new Set(deletes);
      for (const { key } of writes) if (base.has(key)) removed.add(key);
      function* rewritten(): Generator<Line> {
        for (const [key, metadata] of base) if (!removed.has(key)) yield putLine(key, metadata);
        for (const { key, metadata } of writes) if (!deleted.has(key)) yield putLine(key, metadata);
      }
      try {
        await writeLines(temporary, 'w', rewritten(), commit, HEADER);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      await rename(temporary, path);
    },
  };
}

/** A publish's changes as lines: its writes, then its deletes. */
function* changedLines(writes: Iterable<Listed>, deletes: readonly string[]): Generator<Line> {
  for (const { key, metadata } of writes) yield putLine(key, metadata);
  for (const key of deletes) yield ['delete', key];
}

/**
 * Characters gathered before each write to the file. Small enough that a chunk's lines die young:
 * committing 1.86 million writes, chunks of 1 MiB characters left about 40 MB more resident
 * (lines promoted to the old generation before they were written), 64 KiB none.
 */
const WRITE_CHUNK = 1 << 16;

/**
 * Writes (mode 'w') or appends (mode 'a') `lines`, then the commit line, a chunk at a time, after
 * `header` when given; the file is closed however it ends. An append cut short leaves no commit
 * after its lines, so the state it began is never trusted (readCommitted).
 */
async function writeLines(
  path: string,
  mode: 'w' | 'a',
  lines: Iterable<Line>,
  commit: Line,
  header?: string,
): Promise<void> {
  const file = await open(path, mode);
  try {
    let chunk = header === undefined ? '' : `${header}\n`;
    for (const line of lines) {
      chunk += `${JSON.stringify(line)}\n`;
      if (chunk.length >= WRITE_CHUNK) {
        // writeFile writes the whole chunk (a write may take part of it) from where the last ended.
        await file.writeFile(chunk);
        chunk = '';
      }
    }
    await file.writeFile(`${chunk}${JSON.stringify(commit)}\n`);
  } finally {
    await file.close();
  }
}

/** The keys a snapshot's last commit left, the writer state it recorded, and how many lines it has. */
interface Committed {
  entries: Map<string, Partial<ValueMetadata>>;
  state: WriterState;
  lines: number;
}

/** The file's last committed state; undefined without one (no file, another format, or no commit last). */
async function readCommitted(path: string): Promise<Committed | undefined> {
  const opened = await unlessAbsent(open(path, 'r'));
  if (!opened) return undefined;
  const chunks = linesOf(opened);
  const entries = new Map<string, Partial<ValueMetadata>>();
  let committed: WriterState | undefined;
  let count = 0;
  let header: string | undefined;
  reading: for await (const lines of chunks) {
    for (const raw of lines) {
      if (header === undefined) {
        header = raw;
        // Read no further: another format's lines are not this one's.
        if (header !== HEADER) break reading;
        continue;
      }
      if (raw === '') continue;
      const line = parseLine(raw);
      if (line === undefined) {
        // Cut short by an interrupted append: that publish never committed.
        committed = undefined;
        break reading;
      }
      count++;
      if (line[0] === 'commit') committed = { token: line[1], manifest: line[2] };
      else {
        committed = undefined;
        if (line[0] === 'put') entries.set(line[1], withoutNulls(line[2], line[3]));
        else entries.delete(line[1]);
      }
    }
  }
  // A header alone, or another format's, holds no commit.
  return header === HEADER && committed ? { entries, state: committed, lines: count } : undefined;
}

/** Bytes read from the end of the file for its last line: a commit line is far shorter. */
const TAIL_BYTES = 4096;

/** The writer state of the file's last line, when it is a commit and the file is of this format. */
async function lastCommitOf(path: string): Promise<WriterState | undefined> {
  const file = await unlessAbsent(open(path, 'r'));
  if (!file) return undefined;
  try {
    const head = Buffer.alloc(HEADER.length + 1);
    await file.read(head, 0, head.length, 0);
    if (head.toString('utf8') !== `${HEADER}\n`) return undefined;
    const { size } = await file.stat();
    const from = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - from);
    await file.read(tail, 0, tail.length, from);
    const lines = tail.toString('utf8').split('\n');
    // A file ends with its last line's end: the last piece is empty, the commit before it.
    if (lines.pop() !== '' || lines.length < 2) return undefined;
    const line = parseLine(lines.at(-1) ?? '');
    return line?.[0] === 'commit' ? { token: line[1], manifest: line[2] } : undefined;
  } finally {
    await file.close();
  }
}

/** Bytes read from the file at a time. */
const READ_CHUNK = 1 << 20;

/**
 * The file's lines (the last one even without its line end), a chunk's worth at a time (not a
 * promise per line: 371,000 at 100,000 articles), and the file closed however the reading ends.
 * Parsed one by one: reading the whole file and parsing it as one JSON array held three copies of
 * it at once (the text, the array's text and the parsed lines: about 100 MB more resident at
 * 100,000 articles, every page of it a fault) and took longer. A line longer than a chunk is kept
 * in pieces and joined once, so a damaged file without line ends is not copied again per chunk.
 */
async function* linesOf(file: FileHandle): AsyncGenerator<string[]> {
  try {
    // Decodes a character cut by a chunk's end with the chunk that follows.
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    // The line the last chunk ended inside, in pieces.
    let pending: string[] = [];
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, null);
      if (bytesRead === 0) break;
      const lines = decoder.write(buffer.subarray(0, bytesRead)).split('\n');
      const last = lines.pop() ?? '';
      if (lines.length === 0) {
        pending.push(last);
        continue;
      }
      lines[0] = pending.join('') + lines[0];
      pending = [last];
      yield lines;
    }
    const rest = pending.join('') + decoder.end();
    if (rest !== '') yield [rest];
  } finally {
    await file.close();
  }
}

/** One line of the file, or undefined when it does not parse (an append cut short). */
function parseLine(raw: string): Line | undefined {
  try {
    return JSON.parse(raw) as Line;
  } catch {
    return undefined;
  }
}

/** Literals rather than spreads: this runs once per key (371,000 at 100,000 articles). */
function withoutNulls(hash: string | null, gen: number | null): Partial<ValueMetadata> {
  if (hash !== null) return gen !== null ? { hash, gen } : { hash };
  return gen !== null ? { gen } : {};
}

/** What KV shows of its writers now: the writer token's value and the manifest's hash. */
export async function writerStateOf(store: Pick<KvStore, 'getText'>): Promise<WriterState> {
  const [token, manifest] = await Promise.all([
    store.getText(writerTokenKey()),
    store.getText(manifestKey()),
  ]);
  return { token, manifest: manifest === null ? null : sha256HexSync(manifest) };
}

/**
 * A publish's view of `store` whose listing comes from the snapshot when KV shows the writer state
 * it was committed with (never with `trust: false`, a repair), and from KV otherwise; it remembers
 * what it gave and what it saw, for `commitPublish`.
 */
export function rememberedListing(
  store: KvStore,
  snapshot: ListingSnapshot,
  options: { trust: boolean; progress: (message: string) => void },
) {
  const seen: { listed?: StoredKeys; state?: WriterState } = {};
  let remembered: string | undefined;
  return {
    seen,
    getText: (key: string) => store.getText(key),
    rememberedWriter: () => remembered,
    async listKeys(): Promise<StoredKeys> {
      seen.state = await writerStateOf(store);
      const trusted = options.trust ? await snapshot.trusted(seen.state) : undefined;
      if (trusted)
        options.progress(`${trusted.size} keys as this machine's last publish left them (KV not listed)`);
      remembered = trusted !== undefined ? (seen.state.token ?? undefined) : undefined;
      seen.listed = trusted ?? (await store.listKeys());
      return seen.listed;
    },
  };
}

/** The writer token a publish puts before its first write: a value no other writer puts. */
export function newWriterToken(): KvWrite {
  const value = JSON.stringify({ by: 'publish', token: randomUUID() });
  return { key: writerTokenKey(), value, metadata: { hash: sha256HexSync(value), gen: 0 } };
}

/**
 * Puts a publish's writer token (newWriterToken) before its first write, reading the token first:
 * returns whether it is still the one the publish planned against, that is, whether no other writer
 * began between the plan and now. Only then can the publish commit what it saw.
 */
export async function putWriterToken(
  store: Pick<KvStore, 'getText' | 'put'>,
  seen: { state?: WriterState },
  token: KvWrite,
): Promise<boolean> {
  const unchanged = seen.state !== undefined && (await store.getText(writerTokenKey())) === seen.state.token;
  await store.put([token]);
  return unchanged;
}

/**
 * After a publish's writes all succeeded: what KV holds now, and the writer state it left. Not
 * committed if another writer began after the plan (`unchangedBefore` false), or put its token
 * after this publish's (the cron puts one after its writes too): what it wrote was not seen.
 */
export async function commitPublish(
  snapshot: ListingSnapshot,
  store: Pick<KvStore, 'getText'>,
  seen: { listed?: StoredKeys; state?: WriterState },
  plan: PublishPlan,
  token: KvWrite,
  unchangedBefore: boolean,
): Promise<void> {
  if (!seen.listed || !seen.state || !unchangedBefore) return;
  if ((await store.getText(writerTokenKey())) !== token.value) return;
  // The manifest is planned in its own phase (plan.ts, pipeline.ts): found there, not among every write.
  const manifestWrites = plan.phases.find((phase) => phase.name === 'manifest')?.writes ?? [];
  const manifest = [...manifestWrites].find((write) => write.key === manifestKey());
  // Read from the plan's phases as the commit goes, not gathered into one list (1.86 million writes
  // at 500,000 articles). As a listing sees KV: owned keys only (change-log pages are written,
  // never listed).
  const listed: Iterable<Listed> = {
    *[Symbol.iterator]() {
      for (const phase of plan.phases)
        for (const write of phase.writes) if (isOwnedKey(write.key)) yield write;
    },
  };
  const deleted = [...plan.retire, ...plan.deletes].filter(isOwnedKey);
  await snapshot.commit(seen.listed, listed, deleted, {
    token: token.value,
    manifest: manifest ? sha256HexSync(manifest.value) : seen.state.manifest,
  });
}
