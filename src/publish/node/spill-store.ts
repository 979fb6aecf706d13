// Record stores on disk: every value a publish builds waits in one scratch file until it is written,
// and memory keeps only each key's place, hash and size. A first publish of 100,000 articles builds
// gigabytes of values (each article is stored in several records and lists); held as strings they
// would be the publish's peak memory, growing with the archive.
import { randomBytes } from 'node:crypto';
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
import { type Parked, PlacedRecordStore, type Scratch } from '../record-store';
import { DigestColumn, NumberColumn } from './columns';
import { sha256BytesSync } from './node-digest';

/**
 * One scratch file shared by every store a publish makes, and by the texts it parks (source texts,
 * compiled bodies, cards, the compile cache's new entries and the record memo's outputs: needed
 * now and then, or only when saved, so memory holds none of them).
 * `close` removes it.
 */
export interface Spill extends Scratch {
  /** Bytes appended so far (up to 1 MiB of them gathered in memory until written). */
  readonly written: number;
  close(): void;
}

/** How many bytes of appends are gathered before they are written to the scratch file. */
const PENDING_BUFFER_BYTES = 1 << 20;

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
  // Each parked text's offset and size, side by side: a Parked is the pair's place (half the index).
  const parked = new NumberColumn();
  const parkedAt = (offset: number, bytes: number): Parked => {
    parked.push(offset);
    return (parked.push(bytes) - 1) / 2;
  };

  // Appends are gathered here and written a buffer at a time: a publish appends about eleven texts
  // an article (values, cards, bodies, memo outputs), and a system call each cost more than the
  // bytes. The buffer holds the texts from `end - pendingBytes` on; a text is never split between
  // it and the file, so a read is served from one or the other.
  let pending: Buffer | undefined;
  let pendingBytes = 0;
  // Whether a text is being parked in pieces (parkPieces): nothing else may be appended meanwhile.
  let inPieces = false;

  function writeAt(buffer: Buffer, length: number, offset: number): void {
    const fd = file();
    let done = 0;
    while (done < length) done += writeSync(fd, buffer, done, length - done, offset + done);
  }

  function flush(): void {
    if (pending === undefined || pendingBytes === 0) return;
    writeAt(pending, pendingBytes, end - pendingBytes);
    pendingBytes = 0;
  }

  /**
   * Appends the text and returns its place: its offset, and its UTF-8 bytes (their length is its
   * size), valid until the next append. A text that fits is encoded straight into the gathered
   * appends: a publish appends gigabytes, and a buffer made for each text was garbage to collect.
   */
  function append(text: string): { offset: number; buffer: Buffer } {
    if (closed) throw new Error("the publish's scratch file is closed");
    if (inPieces) throw new Error('a text was parked while another was being parked in pieces');
    const offset = end;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes >= PENDING_BUFFER_BYTES) {
      flush();
      const buffer = Buffer.from(text, 'utf8');
      writeAt(buffer, buffer.length, offset);
      end += buffer.length;
      return { offset, buffer };
    }
    if (pendingBytes + bytes > PENDING_BUFFER_BYTES) flush();
    pending ??= Buffer.allocUnsafe(PENDING_BUFFER_BYTES);
    const start = pendingBytes;
    if (pending.write(text, start, bytes, 'utf8') !== bytes)
      throw new Error("a text's UTF-8 bytes did not fit where the scratch file measured them");
    pendingBytes += bytes;
    end += bytes;
    return { offset, buffer: pending.subarray(start, start + bytes) };
  }

  // One buffer that reads come into, grown (doubling) to fit the largest read so far: a buffer made
  // for each read was as much garbage again.
  let readInto = Buffer.allocUnsafe(0);

  function readBack(offset: number, bytes: number, what: string): string {
    if (closed) throw new Error("the publish's scratch file is closed");
    const flushed = end - pendingBytes;
    if (pending !== undefined && offset >= flushed)
      return pending.toString('utf8', offset - flushed, offset - flushed + bytes);
    if (readInto.length < bytes) readInto = Buffer.allocUnsafe(Math.max(bytes, 2 * readInto.length, 1 << 16));
    const fd = file();
    let done = 0;
    while (done < bytes) {
      const read = readSync(fd, readInto, done, bytes - done, offset + done);
      if (read === 0) throw new Error(`the publish's scratch file ended inside ${what}`);
      done += read;
    }
    return readInto.toString('utf8', 0, bytes);
  }

  // A store's value is placed by its entry in three columns: an object each, with its offset past
  // 2^31 boxed as a number of its own, was 40 bytes more for each of 373,000 values at 100,000
  // articles (and as many more objects for the collector to trace). The hash is kept as its 32
  // bytes (DigestColumn), not as 64 hex digits in a string of its own, about 90 bytes with its slot.
  const store = () => {
    const offsets = new NumberColumn();
    const sizes = new NumberColumn();
    const hashes = new DigestColumn();
    return new PlacedRecordStore<number>(
      (value) => {
        const { offset, buffer } = append(value);
        offsets.push(offset);
        sizes.push(buffer.length);
        return hashes.push(sha256BytesSync(buffer));
      },
      (entry, key) => readBack(offsets.at(entry) as number, sizes.at(entry) as number, key),
      { hash: (entry) => hashes.hex(entry) as string, bytes: (entry) => sizes.at(entry) as number },
    );
  };

  return {
    stores: store,
    park(text) {
      const { offset, buffer } = append(text);
      return parkedAt(offset, buffer.length);
    },
    parkPieces(pieces) {
      if (inPieces) throw new Error('a text was parked in pieces while another was being parked in pieces');
      const offset = end;
      const iterator = pieces[Symbol.iterator]();
      let done = false;
      try {
        while (!done) {
          // While the next piece is made, nothing else may be appended: it would land inside this text.
          inPieces = true;
          const next = iterator.next();
          inPieces = false;
          done = next.done === true;
          if (!done) append(next.value);
        }
      } finally {
        inPieces = false;
        // Stopped by an error: the pieces' maker is told, so that it can let go of what it holds.
        if (!done) iterator.return?.();
      }
      // A text is read back from the gathered appends or from the file, never from both.
      if (pendingBytes > 0 && offset < end - pendingBytes) flush();
      return parkedAt(offset, end - offset);
    },
    unpark(place) {
      const offset = parked.at(2 * place);
      const bytes = parked.at(2 * place + 1);
      if (offset === undefined || bytes === undefined) throw new Error(`no text is parked at ${place}`);
      return readBack(offset, bytes, 'a parked text');
    },
    get written() {
      return end;
    },
    close() {
      if (closed) return;
      closed = true;
      pending = undefined;
      readInto = Buffer.allocUnsafe(0);
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
