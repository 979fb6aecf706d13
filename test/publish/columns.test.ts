// The publish's column of digests: each comes back as the hex of its bytes, past the column's growth.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestColumn } from '../../src/publish/node/columns';

describe('the column of digests', () => {
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
