// The publish's typed columns: what goes in comes back, past their first growth and past 2^31.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestColumn, NumberColumn } from '../../src/publish/node/columns';

describe('the typed columns', () => {
  it('keeps numbers exactly, offsets past 2^31 included, through growth', () => {
    const column = new NumberColumn();
    const values = Array.from(
      { length: 5000 },
      (_, i) => (i % 3 === 0 ? 2 ** 31 + i * 7_919 : i) + 2 ** 40 * (i % 2),
    );
    for (const [i, value] of values.entries()) expect(column.push(value)).toBe(i);
    expect(column.length).toBe(values.length);
    for (const [i, value] of values.entries()) expect(column.at(i)).toBe(value);
    expect(column.at(values.length)).toBeUndefined();
    expect(column.at(-1)).toBeUndefined();
  });

  it('gives back each digest as the lowercase hex of its bytes, through growth', () => {
    const column = new DigestColumn();
    const texts = Array.from({ length: 3000 }, (_, i) => `value ${i} — ${'x'.repeat(i % 50)}`);
    for (const [i, text] of texts.entries())
      expect(column.push(createHash('sha256').update(text).digest())).toBe(i);
    expect(column.length).toBe(texts.length);
    for (const [i, text] of texts.entries())
      expect(column.hex(i)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(column.hex(texts.length)).toBeUndefined();
    expect(() => column.push(new Uint8Array(20))).toThrow(/32 bytes/);
  });
});
