// The publish's scratch file: values and parked texts come back byte for byte, with the hash KV
// metadata records, and nothing is left on disk, even before close where the system allows it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSpill } from '../../src/publish/node/spill-store';
import { MemoryRecordStore } from '../../src/publish/record-store';

const scratch = await mkdtemp(join(tmpdir(), 'mirrorwire-spill-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const VALUES: [string, string][] = [
  ['article:v1:1', '{"title":"Tehran’s metro — new line"}'],
  ['feed:v1:site', `<rss>${'x'.repeat(3_000_000)}</rss>`],
  ['search:v1:terms:شهر', '["شهر",1]'],
  ['empty', ''],
];

describe('the spill store', () => {
  it('gives back every value with the same hash and UTF-8 size as the memory store, and leaves no file', async () => {
    const dir = join(scratch, 'state');
    const spill = openSpill(dir);
    // Nothing is created before the first use: a publish refused early leaves no folder.
    expect(existsSync(dir)).toBe(false);
    const onDisk = spill.stores();
    const inMemory = new MemoryRecordStore();
    for (const [key, value] of VALUES) {
      await onDisk.add(key, value);
      await inMemory.add(key, value);
    }
    const parked = spill.park('Tehran — تهران');
    const second = spill.park('second');
    for (const [key, value] of VALUES) {
      expect(onDisk.get(key)).toBe(value);
      expect(onDisk.hash(key)).toBe(createHash('sha256').update(value, 'utf8').digest('hex'));
      expect(onDisk.hash(key)).toBe(inMemory.hash(key));
      expect(onDisk.bytes(key)).toBe(Buffer.byteLength(value));
    }
    expect([...onDisk.keys()]).toEqual(VALUES.map(([key]) => key));
    expect([...onDisk]).toEqual(VALUES);
    expect(spill.unpark(parked)).toBe('Tehran — تهران');
    expect(spill.unpark(second)).toBe('second');
    expect(() => spill.unpark(second + 1)).toThrow(/no text is parked/);
    expect(spill.written).toBeGreaterThan(3_000_000);
    // The file is unlinked as soon as it is open: a publish killed now would leave nothing.
    expect(await readdir(dir)).toEqual([]);
    spill.close();
    expect(() => spill.park('after')).toThrow(/closed/);
  });

  it('reads back texts gathered before they reach the file, and after, wherever a read falls', async () => {
    const spill = openSpill(join(scratch, 'gathered'));
    const store = spill.stores();
    // Several MiB of small texts, so appends are written in several buffers' worth; each is read
    // back at once (from what is still gathered) and again at the end (from the file).
    const texts: string[] = [];
    const places: number[] = [];
    for (let i = 0; i < 6_000; i++) {
      const text = `${i}:${'تهران — '.repeat(i % 97)}${'x'.repeat((i * 37) % 1_500)}`;
      texts.push(text);
      if (i % 3 === 0) {
        await store.add(`key:${i}`, text);
        expect(store.get(`key:${i}`)).toBe(text);
      } else {
        places[i] = spill.park(text);
        expect(spill.unpark(places[i] ?? -1)).toBe(text);
      }
    }
    expect(spill.written).toBeGreaterThan(4 * 2 ** 20);
    for (let i = texts.length - 1; i >= 0; i--) {
      const back = i % 3 === 0 ? store.get(`key:${i}`) : spill.unpark(places[i] ?? -1);
      expect(back).toBe(texts[i]);
    }
    // Hashed and sized as the memory store does them, lone surrogates and texts at the buffer's
    // size included (one byte under it is gathered, the size itself is written alone).
    const inMemory = new MemoryRecordStore();
    const edges: [string, string][] = [
      ['lone', `a\uD800b\uDC00${'é'.repeat(500)}\uD83D`],
      ['pair', '\uD83D\uDCF0 news'],
      ['under', 'x'.repeat(2 ** 20 - 1)],
      ['at', 'y'.repeat(2 ** 20)],
      ['after', 'z'],
    ];
    for (const [key, value] of edges) {
      await store.add(key, value);
      await inMemory.add(key, value);
      expect(store.hash(key)).toBe(inMemory.hash(key));
      expect(store.bytes(key)).toBe(inMemory.bytes(key));
    }
    for (const [key, value] of edges)
      expect(store.get(key)).toBe(key === 'lone' ? value.replace(/[\uD800-\uDFFF]/g, '\uFFFD') : value);
    spill.close();
    // Nothing is read after close, not even a text still gathered.
    expect(() => store.get('after')).toThrow(/closed/);
  });

  it('parks a text given in pieces as the text they make, wherever the pieces fall', () => {
    const spill = openSpill(join(scratch, 'pieces'));
    // Texts in pieces of every size, from one character to past the gathered appends' 1 MiB, so that
    // some start among the gathered appends and end in the file, and some start in a text of their
    // own; each read back at once and again at the end, small texts parked between them.
    const texts: string[][] = [];
    const places: number[] = [];
    for (let i = 0; i < 40; i++) {
      const pieces = Array.from(
        { length: 1 + (i % 7) },
        (_, n) => `${i}.${n}:${'تهران '.repeat((i * 7919 * (n + 1)) % 60_000)}`,
      );
      if (i % 10 === 9) pieces.push('x'.repeat(2 ** 20 + i));
      texts.push(pieces);
      places.push(spill.parkPieces(pieces));
      expect(spill.unpark(places[i] ?? -1)).toBe(pieces.join(''));
      const small = spill.park(`between ${i}`);
      expect(spill.unpark(small)).toBe(`between ${i}`);
    }
    for (const [i, pieces] of texts.entries()) expect(spill.unpark(places[i] ?? -1)).toBe(pieces.join(''));
    expect(spill.unpark(spill.parkPieces([]))).toBe('');
    // Nothing else may be parked while the pieces are made: it would land inside the text.
    const parksMeanwhile = function* () {
      yield 'first';
      spill.park('meanwhile');
      yield 'second';
    };
    expect(() => spill.parkPieces(parksMeanwhile())).toThrow(/parked in pieces/);
    const parksInPiecesMeanwhile = function* () {
      yield 'first';
      spill.parkPieces(['inner']);
      yield 'second';
    };
    expect(() => spill.parkPieces(parksInPiecesMeanwhile())).toThrow(/parked in pieces/);
    expect(spill.unpark(spill.park('after'))).toBe('after');
    // Pieces stopped by an error: their maker is told (its `finally` runs).
    let released = false;
    const closesMidway = function* () {
      try {
        yield 'first';
        spill.close();
        yield 'second';
      } finally {
        released = true;
      }
    };
    expect(() => spill.parkPieces(closesMidway())).toThrow(/closed/);
    expect(released).toBe(true);
  });
});
