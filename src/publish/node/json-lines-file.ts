// The local memory a publish keeps between runs (the compile cache, the record memo): an
// append-only file of JSON lines, `[key, value]`, after a header line naming what wrote them. A
// publish appends what it added; the file is rewritten (to a new file, then renamed over the old
// one) only when most of its lines or bytes would be stale, so its cost follows what changed. A
// line cut short by an interrupted append is skipped, and cut off by the next save; a file with another header counts as empty.
// An archive's file outgrows what one string can hold (about 512 MiB in V8): it is read and
// written a chunk at a time, and memory keeps each line's place, parsing a value when asked for it.
import { closeSync, openSync, readSync } from 'node:fs';
import { appendFile, mkdir, open, rename, rm, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What the file held, by key; a value is read from disk and parsed when asked for. */
export interface StoredLines<V> {
  readonly size: number;
  get(key: string): V | undefined;
  /** Whether the file holds a line for `key` (which may still turn out cut short when read). */
  has(key: string): boolean;
}

export interface JsonLinesFile<V> {
  /** What the file held: empty when it is absent, unreadable or from other code. */
  readonly previous: StoredLines<V>;
  /**
   * Keeps `live` (the entries this publish used, each a value or what reads it back) and returns
   * whether the file was rewritten: appends the `added` keys' entries while at most about half the
   * lines are stale, rewrites the file otherwise. Afterwards `previous` can no longer be read.
   */
  save(live: ReadonlyMap<string, V | (() => V)>, added: readonly string[]): Promise<boolean>;
  /** Lets go of the file without saving (a publish that stops early); safe to call again. */
  close(): void;
}

const CHUNK_BYTES = 1 << 20;
/** How far past the last line read a line may start and still count as read in order. */
const NEARBY_BYTES = 64 << 10;
const NEWLINE = 0x0a;

/**
 * The key of a whole `[key, value]` line, read without parsing the value; the key is a hex digest
 * in both files, so its end is the first `",`. A line cut short (no closing `]`) has none, so it
 * never hides an earlier whole line of the same key.
 */
function keyOf(line: Buffer): string | undefined {
  const end = line.indexOf('",');
  if (line[0] !== 0x5b || line[1] !== 0x22 || line[line.length - 1] !== 0x5d || end < 0) return undefined;
  try {
    return JSON.parse(line.subarray(1, end + 1).toString('utf8')) as string;
  } catch {
    return undefined;
  }
}

/** `what` names the file in the warning printed when it cannot be read. */
export async function openJsonLinesFile<V>(
  path: string,
  header: string,
  what: string,
): Promise<JsonLinesFile<V>> {
  // Where each key's latest line is: its offset and length in bytes.
  const places = new Map<string, { offset: number; bytes: number }>();
  let lines = 0;
  // A file that does not end its last line (a torn append): the next append starts a new line.
  let torn = false;
  // Where the whole lines end, and a torn one starts: a save cuts that off rather than end it, or
  // it would read as a line.
  let linesEnd = 0;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let headerSeen = false;
    let position = 0;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, position);
      if (read === 0) break;
      const buffer =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      const start = position - carry.length;
      let lineStart = 0;
      for (let at = buffer.indexOf(NEWLINE); at >= 0; at = buffer.indexOf(NEWLINE, lineStart)) {
        const line = buffer.subarray(lineStart, at);
        if (!headerSeen) {
          if (line.toString('utf8') !== header) throw new OtherCode();
          headerSeen = true;
        } else if (line.length > 0) {
          lines++;
          const key = keyOf(line);
          if (key !== undefined) places.set(key, { offset: start + lineStart, bytes: line.length });
        }
        lineStart = at + 1;
      }
      carry = Buffer.from(buffer.subarray(lineStart));
      position += read;
    }
    // The last line without its newline: cut short by an interrupted append, or a header alone.
    torn = carry.length > 0;
    linesEnd = position - carry.length;
    if (!headerSeen && carry.toString('utf8') !== header) throw new OtherCode();
  } catch (error) {
    places.clear();
    lines = 0;
    linesEnd = 0;
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    // None yet, one from other code, or an unreadable one: everything is built, as on a first publish.
    const code = (error as NodeJS.ErrnoException).code;
    if (!(error instanceof OtherCode) && code !== 'ENOENT')
      console.warn(`publish: ignoring the ${what} (${error})`);
  }
  const fresh = lines === 0;

  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  // Lines are mostly asked for in the order they were written (a publish builds its groups in the
  // order the last one did): a line just after the last one read is served from a window read a
  // chunk at a time, one read for thousands of small lines; any other line is read alone.
  let window: { offset: number; bytes: Buffer } | undefined;
  let lastEnd = -1;
  const readLine = (descriptor: number, place: { offset: number; bytes: number }): Buffer => {
    const ahead = place.offset >= lastEnd && place.offset - lastEnd <= NEARBY_BYTES;
    lastEnd = place.offset + place.bytes;
    const inWindow =
      window && place.offset >= window.offset && lastEnd <= window.offset + window.bytes.length;
    if (window && inWindow)
      return window.bytes.subarray(place.offset - window.offset, lastEnd - window.offset);
    if (!ahead || place.bytes > CHUNK_BYTES / 2) {
      const line = Buffer.allocUnsafe(place.bytes);
      readSync(descriptor, line, 0, place.bytes, place.offset);
      return line;
    }
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    window = {
      offset: place.offset,
      bytes: chunk.subarray(0, readSync(descriptor, chunk, 0, CHUNK_BYTES, place.offset)),
    };
    return window.bytes.subarray(0, place.bytes);
  };
  const previous: StoredLines<V> = {
    get size() {
      return places.size;
    },
    has: (key) => places.has(key),
    get(key) {
      const place = places.get(key);
      if (!place) return undefined;
      if (fd === undefined) throw new Error(`the ${what} is closed: ${key} can no longer be read`);
      const line = readLine(fd, place);
      try {
        return (JSON.parse(line.toString('utf8')) as [string, V])[1];
      } catch {
        // Cut short by an interrupted append: that entry is simply built again.
        return undefined;
      }
    },
  };
  /** Writes the lines a chunk at a time to an open file or an append. */
  const writeLines = async (
    write: (text: string) => Promise<unknown>,
    live: ReadonlyMap<string, V | (() => V)>,
    keys: Iterable<string>,
  ) => {
    let parts: string[] = [];
    let size = 0;
    for (const key of keys) {
      const held = live.get(key);
      if (held === undefined) continue;
      const value = typeof held === 'function' ? (held as () => V)() : held;
      const line = `${JSON.stringify([key, value])}\n`;
      parts.push(line);
      size += line.length;
      if (size >= CHUNK_BYTES) {
        await write(parts.join(''));
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) await write(parts.join(''));
  };
  return {
    previous,
    close,
    async save(live, added) {
      await mkdir(dirname(path), { recursive: true });
      // Appended to while at most about half of it is stale, by lines and by bytes (a large value
      // remembered anew each time, such as the search index's state, adds few lines but many bytes).
      let liveBytes = 0;
      for (const key of live.keys()) liveBytes += places.get(key)?.bytes ?? 0;
      const staleBytes = linesEnd - liveBytes;
      if (!fresh && lines + added.length <= 2 * live.size + 1000 && staleBytes <= liveBytes + (1 << 20)) {
        close();
        if (torn) await truncate(path, linesEnd);
        await writeLines((text) => appendFile(path, text), live, new Set(added));
        return false;
      }
      if (fresh && live.size === 0) {
        close();
        return false;
      }
      const temporary = `${path}.${process.pid}.tmp`;
      const file = await open(temporary, 'w');
      try {
        await file.write(`${header}\n`);
        // The live entries may be read from the old file while the new one is written.
        await writeLines((text) => file.write(text), live, live.keys());
      } catch (error) {
        await file.close();
        await rm(temporary, { force: true });
        throw error;
      } finally {
        close();
      }
      await file.close();
      await rename(temporary, path);
      return true;
    },
  };
}

class OtherCode extends Error {}
