// Columns of fixed-size entries that a publish keeps for every value, text or group it handles:
// - SHA-256 digests (DigestColumn) of every value built (1.86 million values at 500,000 articles)
//   and of every group the record memo remembers (digest-map.ts): 32 bytes each, where an array of
//   strings held 64 hex digits in a string of its own for each, about 90 bytes with its slot;
// - numbers (NumberColumn): where each text parked in the scratch file starts and how long it is
//   (about four million texts at 500,000 articles), 8 bytes each.
//
// They are kept in chunks of a fixed size, not in one buffer or array grown as it fills: doubling a
// 64 MB buffer made a second, zero-filled (so resident) one of 128 MB, half of it empty, while the
// first was copied, and an array grown by half copied itself into a new one as large again. Only
// the first chunk grows, by doubling, so that a small column stays small.

const DIGEST_BYTES = 32;
const NUMBER_BYTES = 8;
/** Bytes in a full chunk: 1 MiB. */
const CHUNK_BYTES = 1 << 20;
/** Entries the first chunk holds at first; it doubles up to a full chunk. */
const FIRST_CHUNK_ENTRIES = 1024;

/** Entries of `entryBytes` each, by their place, in chunks of `chunkEntries` (a power of two). */
class ChunkedEntries {
  private readonly chunks: Buffer[];
  private readonly chunkShift: number;
  length = 0;

  constructor(
    private readonly entryBytes: number,
    chunkEntries: number,
  ) {
    if (!Number.isInteger(Math.log2(chunkEntries))) throw new Error(`not a power of two: ${chunkEntries}`);
    this.chunkShift = Math.log2(chunkEntries);
    this.chunks = [Buffer.alloc(entryBytes * Math.min(FIRST_CHUNK_ENTRIES, chunkEntries))];
  }

  /** Makes room for one more entry and gives its place. */
  add(): number {
    const last = this.chunks.length - 1;
    const lastChunk = this.chunks[last] as Buffer;
    if ((last << this.chunkShift) + lastChunk.length / this.entryBytes === this.length) {
      const full = this.entryBytes << this.chunkShift;
      if (lastChunk.length < full) {
        const grown = Buffer.alloc(Math.min(lastChunk.length * 2, full));
        lastChunk.copy(grown);
        this.chunks[last] = grown;
      } else this.chunks.push(Buffer.alloc(full));
    }
    return this.length++;
  }

  /** Whether `index` is an entry's place. */
  holds(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.length;
  }

  /** The chunk holding the entry at `index`. */
  chunkOf(index: number): Buffer {
    return this.chunks[index >>> this.chunkShift] as Buffer;
  }

  /** Where the entry at `index` starts in its chunk. */
  offsetOf(index: number): number {
    return this.entryBytes * (index & ((1 << this.chunkShift) - 1));
  }
}

/** A column over chunked entries: how many it holds. */
abstract class Column {
  protected readonly entries: ChunkedEntries;

  constructor(entryBytes: number, chunkEntries: number) {
    this.entries = new ChunkedEntries(entryBytes, chunkEntries);
  }

  get length(): number {
    return this.entries.length;
  }
}

/** SHA-256 digests, 32 bytes each, by their place; given back as lowercase hex, as KV metadata records them. */
export class DigestColumn extends Column {
  /** `chunkDigests` (a power of two) is for tests, which cross many chunks with few digests. */
  constructor(chunkDigests = CHUNK_BYTES / DIGEST_BYTES) {
    super(DIGEST_BYTES, chunkDigests);
  }

  /** Adds a digest (its 32 bytes); its index. */
  push(digest: Uint8Array): number {
    if (digest.length !== DIGEST_BYTES)
      throw new Error(`a SHA-256 digest is ${DIGEST_BYTES} bytes, not ${digest.length}`);
    const index = this.entries.add();
    this.entries.chunkOf(index).set(digest, this.entries.offsetOf(index));
    return index;
  }

  /** The digest at `index` as 64 lowercase hex digits, or undefined past the end. */
  hex(index: number): string | undefined {
    if (!this.entries.holds(index)) return undefined;
    const offset = this.entries.offsetOf(index);
    return this.entries.chunkOf(index).toString('hex', offset, offset + DIGEST_BYTES);
  }

  /** Whether the digest at `index` (within the column) is `digest`'s 32 bytes. */
  equals(index: number, digest: Buffer): boolean {
    const offset = this.entries.offsetOf(index);
    return digest.compare(this.entries.chunkOf(index), offset, offset + DIGEST_BYTES) === 0;
  }

  /** The first four bytes of the digest at `index` (within the column), as an unsigned number. */
  leadingWord(index: number): number {
    return this.entries.chunkOf(index).readUInt32LE(this.entries.offsetOf(index));
  }
}

/** Numbers (doubles: offsets past 2^31 included), by their place. */
export class NumberColumn extends Column {
  /** `chunkNumbers` (a power of two) is for tests. */
  constructor(chunkNumbers = CHUNK_BYTES / NUMBER_BYTES) {
    super(NUMBER_BYTES, chunkNumbers);
  }

  /** Adds a number; its index. */
  push(value: number): number {
    const index = this.entries.add();
    this.entries.chunkOf(index).writeDoubleLE(value, this.entries.offsetOf(index));
    return index;
  }

  /** The number at `index`, or undefined past the end. */
  at(index: number): number | undefined {
    if (!this.entries.holds(index)) return undefined;
    return this.entries.chunkOf(index).readDoubleLE(this.entries.offsetOf(index));
  }
}
