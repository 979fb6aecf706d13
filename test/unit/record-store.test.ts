// The in-memory record store sizes and hashes a value from one encoding of it: its size must be
// what utf8Bytes counts (KV's limits are checked against it) and its hash the value's SHA-256.
import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../src/content/limits';
import { MemoryRecordStore } from '../../src/publish/record-store';
import { sha256Hex } from '../../src/shared/digest';

describe('the in-memory record store', () => {
  it('sizes a value as utf8Bytes does and hashes it as sha256Hex does, lone surrogates included', async () => {
    const values = ['', 'ascii', 'é ü', '— €', '😀 x', 'a\uD800b', 'a\uDC00b', 'end\uD83D', '\uDE00\uD83D'];
    const store = new MemoryRecordStore();
    for (const [index, value] of values.entries()) await store.add(`k${index}`, value);
    for (const [index, value] of values.entries()) {
      expect(store.bytes(`k${index}`), JSON.stringify(value)).toBe(utf8Bytes(value));
      expect(store.hash(`k${index}`), JSON.stringify(value)).toBe(await sha256Hex(value));
      expect(store.get(`k${index}`)).toBe(value);
    }
  });
});
