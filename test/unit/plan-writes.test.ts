// A plan's writes are read where they wait, in their record stores: a phase gives them in the same
// order each time it is read, with their count, and holds no write object between reads.
import { describe, expect, it } from 'vitest';
import { followedBy, planPublish } from '../../src/publish/plan';
import { planFor } from '../support/publish';

const keysOf = (writes: Iterable<{ key: string }>) => [...writes].map((write) => write.key);

describe("a plan's writes", () => {
  it('are every key of a store that KV does not hold as built, in the same order each time read', async () => {
    const { records } = await planFor();
    const all = [...records.articles.keys()];
    const first = await planPublish(records, new Map(), 7);
    const articles = first.phases.find((phase) => phase.name === 'articles')?.writes;
    expect(articles?.length).toBe(all.length);
    expect(keysOf(articles ?? [])).toEqual(all);
    // Read again: the same writes, each with its value and metadata from the store.
    for (const write of articles ?? []) {
      expect(write.value).toBe(records.articles.get(write.key));
      expect(write.metadata).toEqual({ hash: records.articles.hash(write.key), gen: 7 });
    }
    // Keys stored as built are not written (the first, and one past the middle); the others keep
    // their order.
    const middle = Math.floor(all.length / 2);
    const held = [all[0], all[middle]] as string[];
    const rest = all.filter((key) => !held.includes(key));
    const stored = new Map(held.map((key) => [key, { hash: records.articles.hash(key) }]));
    const next = await planPublish(records, stored, 8);
    const written = next.phases.find((phase) => phase.name === 'articles')?.writes ?? [];
    expect(written.length).toBe(rest.length);
    expect(keysOf(written)).toEqual(rest);
    expect(keysOf(written)).toEqual(rest);
    // Or only the one past the middle: the keys before it are listed from the store.
    const onlyMiddle = new Map([[held[1] as string, { hash: records.articles.hash(held[1] as string) }]]);
    const later = await planPublish(records, onlyMiddle, 9);
    const after = later.phases.find((phase) => phase.name === 'articles')?.writes ?? [];
    expect(middle).toBeGreaterThan(1);
    expect(keysOf(after)).toEqual(all.filter((key) => key !== held[1]));
  });

  it('are followed by writes made apart, counted with them', () => {
    const write = (key: string) => ({ key, value: key, metadata: { hash: key, gen: 1 } });
    const writes = followedBy([write('a'), write('b')], [write('c')]);
    expect(writes.length).toBe(3);
    expect(keysOf(writes)).toEqual(['a', 'b', 'c']);
    expect(keysOf(writes)).toEqual(['a', 'b', 'c']);
  });
});
