// The publish's column of digests: each comes back as the hex of its bytes, compared and read by
// its place, past the first chunk's growth and across full chunks.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestColumn } from '../../src/publish/node/columns';

const digest = (text: string) => createHash('sha256').update(text).digest();

describe('the column of digests', () => {
  it.each([
    ['full-sized', undefined],
    ['of 64 digests', 64],
  ])('gives back each digest by its place, through growth (chunks %s)', (_, chunk) => {
    const column = new DigestColumn(chunk);
    const texts = Array.from({ length: 3000 }, (_, i) => `value ${i} — ${'x'.repeat(i % 50)}`);
    for (const [i, text] of texts.entries()) expect(column.push(digest(text))).toBe(i);
    expect(column.length).toBe(texts.length);
    for (const [i, text] of texts.entries()) {
      expect(column.hex(i)).toBe(digest(text).toString('hex'));
      expect(column.equals(i, digest(text))).toBe(true);
      expect(column.equals(i, digest(`${text}!`))).toBe(false);
      expect(column.leadingWord(i)).toBe(digest(text).readUInt32LE(0));
    }
    expect(column.hex(texts.length)).toBeUndefined();
    expect(column.hex(-1)).toBeUndefined();
    expect(() => column.push(new Uint8Array(20))).toThrow(/32 bytes/);
  });

  it('refuses a chunk size that is not a power of two', () => {
    expect(() => new DigestColumn(24)).toThrow(/power of two/);
  });
});
