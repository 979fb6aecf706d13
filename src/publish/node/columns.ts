// SHA-256 digests kept for every value a publish builds (1.86 million values at 500,000 articles)
// and for every group the record memo remembers (digest-map.ts): 32 bytes each, where an array of
// strings held 64 hex digits in a string of its own for each, about 90 bytes with its slot.
//
// They are kept in chunks of a fixed size, not in one buffer doubled as it fills: doubling a 64 MB
// buffer made a second, zero-filled (so resident) one of 128 MB, half of it empty, while the first
// was copied. Only the first chunk grows, by doubling, so that a small column stays small.

const DIGEST_BYTES = 32;
/** Digests in a full chunk: 32,768 of them, 1 MiB. */
const CHUNK_DIGESTS = 32_768;
/** Digests the first chunk holds at first; it doubles up to a full chunk. */
const FIRST_CHUNK_DIGESTS = 1024;

/** SHA-256 digests, 32 bytes each, by their place; given back as lowercase hex, as KV metadata records them. */
export class DigestColumn {
  private readonly chunks: Buffer[];
  private readonly chunkShift: number;
  private count = 0;

  /** `chunkDigests` (a power of two) is for tests, which cross many chunks with few digests. */
  constructor(chunkDigests = CHUNK_DIGESTS) {
    if (!Number.isInteger(Math.log2(chunkDigests))) throw new Error(`not a power of two: ${chunkDigests}`);
    this.chunkShift = Math.log2(chunkDigests);
    this.chunks = [Buffer.alloc(DIGEST_BYTES * Math.min(FIRST_CHUNK_DIGESTS, chunkDigests))];
  }

  get length(): number {
    return this.count;
  }

  /** Adds a digest (its 32 bytes); its index. */
  push(digest: Uint8Array): number {
    if (digest.length !== DIGEST_BYTES)
      throw new Error(`a SHA-256 digest is ${DIGEST_BYTES} bytes, not ${digest.length}`);
    this.makeRoom();
    this.chunkOf(this.count).set(digest, this.offsetOf(this.count));
    return this.count++;
  }

  /** The digest at `index` as 64 lowercase hex digits, or undefined past the end. */
  hex(index: number): string | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const offset = this.offsetOf(index);
    return this.chunkOf(index).toString('hex', offset, offset + DIGEST_BYTES);
  }

  /** Whether the digest at `index` (within the column) is `digest`'s 32 bytes. */
  equals(index: number, digest: Buffer): boolean {
    const offset = this.offsetOf(index);
    return digest.compare(this.chunkOf(index), offset, offset + DIGEST_BYTES) === 0;
  }

  /** The first four bytes of the digest at `index` (within the column), as an unsigned number. */
  leadingWord(index: number): number {
    return this.chunkOf(index).readUInt32LE(this.offsetOf(index));
  }

  private chunkOf(index: number): Buffer {
    return this.chunks[index >>> this.chunkShift] as Buffer;
  }

  /** Where a digest starts in its chunk. */
  private offsetOf(index: number): number {
    return DIGEST_BYTES * (index & ((1 << this.chunkShift) - 1));
  }

  /** Room for one more digest: the first chunk doubled while it is not full-sized, or a chunk added. */
  private makeRoom(): void {
    const last = this.chunks.length - 1;
    const lastChunk = this.chunks[last] as Buffer;
    if ((last << this.chunkShift) + lastChunk.length / DIGEST_BYTES > this.count) return;
    const full = DIGEST_BYTES << this.chunkShift;
    if (lastChunk.length < full) {
      const grown = Buffer.alloc(Math.min(lastChunk.length * 2, full));
      lastChunk.copy(grown);
      this.chunks[last] = grown;
    } else this.chunks.push(Buffer.alloc(full));
  }
}
