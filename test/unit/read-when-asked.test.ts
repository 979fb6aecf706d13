// Values read only when asked for (bodies and records waiting on disk) look like plain data to
// spread, JSON and Object.entries, and every object shares one getter per property name: a getter
// of its own would make V8 keep each of an archive's objects as a hash table.
import { describe, expect, it } from 'vitest';
import { storedWrite } from '../../src/publish/plan';
import { MemoryRecordStore } from '../../src/publish/record-store';
import { sha256Hex } from '../../src/shared/digest';
import { readWhenAsked, sourcedFields, sourcedGetter } from '../../src/shared/read-when-asked';

describe('readWhenAsked', () => {
  it('reads the value each time it is asked for, and only then', () => {
    let reads = 0;
    const article = readWhenAsked({ id: 1 }, 'body', () => `body ${++reads}`) as { id: number; body: string };
    expect(reads).toBe(0);
    expect(article.body).toBe('body 1');
    expect(article.body).toBe('body 2');
  });

  it('is an own, enumerable property that copies and serialises as data', () => {
    const article = readWhenAsked({ id: 1 }, 'body', () => 'text');
    expect(Object.entries(article)).toEqual([
      ['id', 1],
      ['body', 'text'],
    ]);
    expect(JSON.stringify(article)).toBe('{"id":1,"body":"text"}');
    const copy = { ...article };
    expect(Object.getOwnPropertyDescriptor(copy, 'body')).toMatchObject({ value: 'text', writable: true });
    // The copy takes the value, not the reader.
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
  });

  it('gives every object of one property name the same getter, each reading its own value', () => {
    const a = readWhenAsked({}, 'body', () => 'a') as { body: string };
    const b = readWhenAsked({}, 'body', () => 'b') as { body: string };
    expect([a.body, b.body]).toEqual(['a', 'b']);
    expect(Object.getOwnPropertyDescriptor(a, 'body')?.get).toBe(
      Object.getOwnPropertyDescriptor(b, 'body')?.get,
    );
  });
});

describe('sourcedGetter', () => {
  it('defines one getter that reads from the object it is asked on', () => {
    const define = sourcedGetter<{ n: number }, number>('double', (factor, self) => self.n * factor);
    const one = define({ n: 1 }, 2) as { n: number; double: number };
    const two = define({ n: 2 }, 2) as { n: number; double: number };
    expect([one.double, two.double]).toEqual([2, 4]);
    expect(Object.getOwnPropertyDescriptor(one, 'double')?.get).toBe(
      Object.getOwnPropertyDescriptor(two, 'double')?.get,
    );
  });
});

describe('sourcedFields', () => {
  it('reads each field from the source its object keeps, in the order the fields were defined', () => {
    const sources = new Map([
      [1, { title: 'One', summary: 'First' }],
      [2, { title: 'Two', summary: 'Second' }],
    ]);
    const reads: number[] = [];
    const fields = sourcedFields<number>(['title', 'summary'], (source) => {
      reads.push(source);
      return sources.get(source) ?? {};
    });
    const make = (id: number) => {
      const out: Record<string, unknown> = {};
      fields.source(out, id);
      out.id = id;
      fields.define(out, 'title');
      out.section = 'news';
      fields.define(out, 'summary');
      return out;
    };
    const [one, two] = [make(1), make(2)];
    expect(reads).toEqual([]);
    expect(JSON.stringify(one)).toBe('{"id":1,"title":"One","section":"news","summary":"First"}');
    expect({ ...two }).toEqual({ id: 2, title: 'Two', section: 'news', summary: 'Second' });
    expect(reads).toEqual([1, 1, 2, 2]);
    expect(Object.getOwnPropertyDescriptor(one, 'title')?.get).toBe(
      Object.getOwnPropertyDescriptor(two, 'title')?.get,
    );
    expect(fields.has('title')).toBe(true);
    expect(fields.has('id')).toBe(false);
    expect(() => fields.define({}, 'id')).toThrow(/not one of the fields/);
  });
});

describe("a plan's writes", () => {
  it('read their values and hashes from the record store, hold neither, and serialise as key, value, metadata', async () => {
    const store = new MemoryRecordStore();
    await store.add('article:1', 'one');
    await store.add('article:2', 'two');
    const source = { store, gen: 3 };
    const first = storedWrite('article:1', source);
    const second = storedWrite('article:2', source);
    expect(JSON.stringify([first, second])).toBe(
      `[{"key":"article:1","value":"one","metadata":{"hash":"${await sha256Hex('one')}","gen":3}},{"key":"article:2","value":"two","metadata":{"hash":"${await sha256Hex('two')}","gen":3}}]`,
    );
    // Neither the value nor its hash is held by the write: both are read from the store when asked.
    await store.add('article:1', 'one, again');
    expect(first.value).toBe('one, again');
    expect(first.metadata.hash).toBe(await sha256Hex('one, again'));
    expect(Object.values(first)).not.toContain('one');
    // Read through the class's getters, not getters of each write's own.
    expect(Object.getOwnPropertyNames(first)).not.toContain('value');
    expect(Object.getOwnPropertyNames(first)).not.toContain('metadata');
    expect(Object.getOwnPropertyNames(first)).toEqual(Object.getOwnPropertyNames(second));
    expect(() => storedWrite('article:3', source).metadata).toThrow(/not in its record store/);
  });
});
