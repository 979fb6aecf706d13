// Record stores on disk: every value a publish builds waits in one scratch file until it is written,
// and memory keeps only each key's place, hash and size. A first publish of 100,000 articles builds
// gigabytes of values (each article is stored in several records and lists); held as strings they
// would be the publish's peak memory, growing with the archive.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Placed, PlacedRecordStore, type Scratch } from '../record-store';

/**
 * One scratch file shared by every store a publish makes, and by the texts it parks (source texts,
 * compiled bodies, cards, the compile cache's new entries and the record memo's outputs: needed
 * now and then, or only when saved, so memory holds none of them).
 * `close` removes it.
 */
export interface Spill extends Scratch {
  /** Bytes written to the scratch file so far. */
  readonly written: number;
  close(): void;
}

/**
 * A scratch file in `dir` (on disk beside the publish's other local files, not the system temp
 * folder, which may live in memory), created on first use: a publish refused early creates
 * nothing. It is unlinked at once where the system allows an open file to be, so a publish killed
 * halfway leaves nothing behind.
 */
export function openSpill(dir: string): Spill {
  const path = join(dir, `spill-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let opened: number | undefined;
  let unlinked = false;
  let createdDir = false;
  const file = (): number => {
    if (opened !== undefined) return opened;
    if (closed) throw new Error("the publish's scratch file is closed");
    createdDir = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    // 'wx+': never another publish's file, whatever the name.
    opened = openSync(path, 'wx+', 0o600);
    try {
      unlinkSync(path);
      unlinked = true;
    } catch {
      // Where the system refuses to unlink an open file, it is removed at close instead.
    }
    return opened;
  };
  let end = 0;
  let closed = false;
  // Each parked text's offset and size, side by side: a Parked is its index here.
  const parked: number[] = [];

  /** Appends the text and returns its place: offset and UTF-8 size. */
  function append(text: string): { offset: number; buffer: Buffer } {
    const buffer = Buffer.from(text, 'utf8');
    let done = 0;
    const fd = file();
    while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done, end + done);
    const offset = end;
    end += buffer.length;
    return { offset, buffer };
  }

  function readBack(offset: number, bytes: number, what: string): string {
    const buffer = Buffer.allocUnsafe(bytes);
    const fd = file();
    let done = 0;
    while (done < bytes) {
      const read = readSync(fd, buffer, done, bytes - done, offset + done);
      if (read === 0) throw new Error(`the publish's scratch file ended inside ${what}`);
      done += read;
    }
    return buffer.toString('utf8');
  }

  const store = () =>
    new PlacedRecordStore<Placed & { offset: number }>(
      (value) => {
        const { offset, buffer } = append(value);
        return { offset, bytes: buffer.length, hash: createHash('sha256').update(buffer).digest('hex') };
      },
      (place, key) => readBack(place.offset, place.bytes, key),
    );

  return {
    stores: store,
    park(text) {
      const { offset, buffer } = append(text);
      parked.push(offset, buffer.length);
      return parked.length / 2 - 1;
    },
    unpark(place) {
      const offset = parked[2 * place];
      const bytes = parked[2 * place + 1];
      if (offset === undefined || bytes === undefined) throw new Error(`no text is parked at ${place}`);
      return readBack(offset, bytes, 'a parked text');
    },
    get written() {
      return end;
    },
    close() {
      if (closed) return;
      closed = true;
      if (opened === undefined) return;
      closeSync(opened);
      opened = undefined;
      if (!unlinked) rmSync(path, { force: true });
      if (createdDir) {
        try {
          rmdirSync(dir);
        } catch {
          // Something else uses the folder now: it stays.
        }
      }
    },
  };
}
