// Record stores on disk: every value a publish builds waits in one scratch file until it is written,
// and memory keeps only each key's place, hash and size. A first publish of 100,000 articles builds
// gigabytes of values (each article is stored in several records and lists); held as strings they
// would be the publish's peak memory, growing with the archive.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordStore, RecordStoreFactory } from '../record-store';

interface Place {
  offset: number;
  bytes: number;
  hash: string;
}

/** One scratch file shared by every store a publish makes; `close` removes it. */
export interface Spill {
  stores: RecordStoreFactory;
  /** Bytes written to the scratch file so far. */
  readonly written: number;
  close(): void;
}

/**
 * Opens the scratch file in `dir` (on disk beside the publish's other local files, not the system
 * temp folder, which may live in memory). It is unlinked at once where the system allows an open
 * file to be, so a publish killed halfway leaves nothing behind.
 */
export function openSpill(dir: string): Spill {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `spill-${process.pid}-${Date.now()}.tmp`);
  const fd = openSync(path, 'w+', 0o600);
  let unlinked = false;
  try {
    unlinkSync(path);
    unlinked = true;
  } catch {
    // Windows keeps an open file's name: removed at close instead.
  }
  let end = 0;
  let closed = false;

  class SpillRecordStore implements RecordStore {
    private readonly places = new Map<string, Place>();

    get size(): number {
      return this.places.size;
    }

    has(key: string): boolean {
      return this.places.has(key);
    }

    async add(key: string, value: string): Promise<void> {
      const buffer = Buffer.from(value, 'utf8');
      let done = 0;
      while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done, end + done);
      this.places.set(key, {
        offset: end,
        bytes: buffer.length,
        hash: createHash('sha256').update(buffer).digest('hex'),
      });
      end += buffer.length;
    }

    get(key: string): string | undefined {
      const place = this.places.get(key);
      if (!place) return undefined;
      const buffer = Buffer.allocUnsafe(place.bytes);
      let done = 0;
      while (done < place.bytes) {
        const read = readSync(fd, buffer, done, place.bytes - done, place.offset + done);
        if (read === 0) throw new Error(`the publish's scratch file ended inside ${key}`);
        done += read;
      }
      return buffer.toString('utf8');
    }

    hash(key: string): string | undefined {
      return this.places.get(key)?.hash;
    }

    bytes(key: string): number | undefined {
      return this.places.get(key)?.bytes;
    }

    keys(): IterableIterator<string> {
      return this.places.keys();
    }

    *values(): IterableIterator<string> {
      for (const key of this.places.keys()) yield this.get(key) as string;
    }

    *entries(): IterableIterator<[string, string]> {
      for (const key of this.places.keys()) yield [key, this.get(key) as string];
    }

    [Symbol.iterator](): IterableIterator<[string, string]> {
      return this.entries();
    }
  }

  return {
    stores: () => new SpillRecordStore(),
    get written() {
      return end;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
      if (!unlinked) rmSync(path, { force: true });
    },
  };
}
