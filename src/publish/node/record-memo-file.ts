// The record memo (../record-memo.ts) on disk, beside the compile cache: an embedded table
// (embedded-table.ts), one entry per group of records (fingerprint → [[key, hash], …]), under a
// header naming the code that built them. A publish adds the groups it built and drops stale ones
// only once they are most of the table, so its cost follows what changed; a header for other code
// empties the table.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GroupOutput, RecordMemo } from '../record-memo';
import type { Parked, Parking } from '../record-store';
import { DigestMap, DigestSet } from './digest-map';
import { openEmbeddedTable } from './embedded-table';
import { sha256HexSync } from './node-digest';

const FORMAT = 1;

/** Every source file under src/ and the dependencies' versions: any of them can shape a record, so any change starts afresh. */
async function codeFingerprint(): Promise<string> {
  const srcDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const hash = createHash('sha256');
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else
        hash
          .update(`${prefix}${entry.name}\u0000`)
          .update(await readFile(path))
          .update('\u0000');
    }
  };
  await walk(srcDir, '');
  // And the installed version of every runtime dependency (zod shapes the OpenAPI document, say).
  const root = join(srcDir, '..');
  const { dependencies = {} } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const name of Object.keys(dependencies).sort()) {
    let version = '';
    try {
      version = (
        JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      // Not installed where we look: the name alone still separates it from an installed version.
    }
    hash.update(`${name}@${version}\u0000`);
  }
  return hash.digest('hex');
}

export interface PersistentRecordMemo extends RecordMemo {
  /** Whether the table was saved by the same code: only then can a group be known unchanged unbuilt. */
  readonly continued: boolean;
  /** A digest of the code that builds records (every source file and dependency): what the memo is for. */
  readonly code: string;
  /** Adds what this publish built (dropping stale entries once they are most of the table); call only once its writes succeeded. */
  save(): Promise<void>;
  /** Lets go of the memo table without saving; safe to call again. */
  close(): void;
}

/**
 * `parking` keeps what is remembered out of memory until saved (spill-store.ts): an archive's search
 * terms alone are hundreds of bytes per article.
 */
export async function openRecordMemo(
  path: string,
  options: { parking?: Parking } = {},
): Promise<PersistentRecordMemo> {
  const code = await codeFingerprint();
  const header = JSON.stringify({ format: FORMAT, code });
  const table = await openEmbeddedTable<GroupOutput>(path, header, 'record memo');
  const previous = table.previous;
  const { parking } = options;
  // What this publish built: its JSON parked (where the scratch file put it), or the output itself
  // when nothing parks. 470,000 entries at 100,000 articles, each fingerprint held as its bytes.
  const added = new DigestMap<Parked | GroupOutput>();
  const textOf = (held: Parked | GroupOutput): string =>
    typeof held === 'number' ? (parking as Parking).unpark(held) : JSON.stringify(held);
  const readAdded = (held: Parked | GroupOutput): GroupOutput =>
    typeof held === 'number' ? (JSON.parse(textOf(held)) as GroupOutput) : held;
  // Every fingerprint this publish used: what the table keeps when it drops stale entries. A table
  // not continued has none to drop (its save starts afresh): 470,000 names not held for nothing.
  const live = table.continued ? new DigestSet() : undefined;
  // Whether this publish passed over groups without naming them (keepAll): then nothing is stale.
  let partial = false;
  // Outputs read from the table: remembered again, they are already stored.
  const stored = new WeakSet<GroupOutput>();
  const hold = (output: GroupOutput) => (parking ? parking.parkPieces(jsonPieces(output)) : output);
  return {
    continued: table.continued,
    code,
    fingerprint: (parts) => sha256HexSync([code, ...parts].join('\u0000')),
    lookup(fingerprint) {
      const known = added.get(fingerprint);
      if (known !== undefined) return readAdded(known);
      const read = previous.get(fingerprint);
      if (read) stored.add(read);
      return read;
    },
    remember(fingerprint, output) {
      live?.add(fingerprint);
      if (stored.has(output)) added.delete(fingerprint);
      else added.set(fingerprint, hold(output));
    },
    keep(fingerprint) {
      // Kept by name alone: a fingerprint the table does not hold costs nothing when saved.
      live?.add(fingerprint);
    },
    keepAll() {
      partial = true;
    },
    close: () => table.close(),
    // Parked outputs are saved as the JSON text they were parked as.
    save: () => table.save(added, partial ? undefined : live, textOf),
  };
}

/** Characters of an output's JSON text given at a time to be parked. */
const JSON_PIECE_CHARS = 1 << 16;

/**
 * The output's JSON text (JSON.stringify's), in pieces of about JSON_PIECE_CHARS: an output holding
 * a group's state in pieces (RecordGroup.state) is never made one text.
 */
function* jsonPieces(output: GroupOutput): Generator<string> {
  let piece = '[';
  for (let i = 0; i < output.length; i++) {
    piece += (i === 0 ? '' : ',') + JSON.stringify(output[i]);
    if (piece.length >= JSON_PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}]`;
}
