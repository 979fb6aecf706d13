// The publish's columns of digests and of numbers: each entry comes back by its place, past the
// first chunk's growth and across full chunks.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestColumn, NumberColumn } from '../../src/publish/node/columns';

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

  it.each([
    ['full-sized', undefined],
    ['of 16 numbers', 16],
  ])('gives back each number by its place, offsets past 2^31 included (chunks %s)', (_, chunk) => {
    const column = new NumberColumn(chunk);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 2 ? i * 1_048_583 : 2 ** 40 + i * 7));
    for (const [i, value] of values.entries()) expect(column.push(value)).toBe(i);
    expect(column.length).toBe(values.length);
    expect(Array.from(values, (_, i) => column.at(i))).toEqual(values);
    expect(column.at(values.length)).toBeUndefined();
    expect(column.at(-1)).toBeUndefined();
    expect(column.at(0.5)).toBeUndefined();
  });
});
