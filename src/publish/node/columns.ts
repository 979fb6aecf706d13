// Columns of numbers and digests for what a publish keeps per value it builds (1.86 million values
// at 500,000 articles): one typed buffer each, doubled as it fills, where a plain array held a
// boxed number for every offset past 2^31 and a 64-character string for every hash.

/** Numbers (offsets, sizes) side by side in a Float64Array: exact up to 2^53. */
export class NumberColumn {
  private values = new Float64Array(1024);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Adds a number; its index. */
  push(value: number): number {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count] = value;
    return this.count++;
  }

  /** The number at `index`, or undefined past the end. */
  at(index: number): number | undefined {
    return index >= 0 && index < this.count ? this.values[index] : undefined;
  }
}

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
