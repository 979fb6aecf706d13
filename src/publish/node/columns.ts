// SHA-256 digests kept for every value a publish builds (1.86 million values at 500,000 articles):
// 32 bytes each in one buffer, doubled as it fills, where an array of strings held 64 hex digits in
// a string of its own for each, about 90 bytes with its slot.

const DIGEST_BYTES = 32;

/** SHA-256 digests, 32 bytes each in one buffer; given back as lowercase hex, as KV metadata records them. */
export class DigestColumn {
  private bytes = Buffer.alloc(1024 * DIGEST_BYTES);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Adds a digest (its 32 bytes); its index. */
  push(digest: Uint8Array): number {
    if (digest.length !== DIGEST_BYTES)
      throw new Error(`a SHA-256 digest is ${DIGEST_BYTES} bytes, not ${digest.length}`);
    if ((this.count + 1) * DIGEST_BYTES > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    this.bytes.set(digest, this.count * DIGEST_BYTES);
    return this.count++;
  }

  /** The digest at `index` as 64 lowercase hex digits, or undefined past the end. */
  hex(index: number): string | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.bytes.toString('hex', index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES);
  }
}
