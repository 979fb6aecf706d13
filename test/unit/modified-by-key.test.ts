// A correction moves an article's `updated` past every other article's: the `modified` scope's
// buckets that change, found by key (src/publish/modified-by-key.ts) from the buckets listing the
// article, the anchors' list and the buckets the index holds, are exactly the buckets that cutting
// the whole scope again (api/paging.ts cutByContent) makes differently, each with its recipe and
// members; every other bucket and the anchors are as they were. Where the move would move a cut,
// it declines, and then the scope cut again indeed has other anchors or another bucket.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type Bucket, cutByContent, cutsAfter, MAX_RUN, type OrderKey } from '../../src/api/paging';
import type { IndexedGroup } from '../../src/publish/group-index';
import { API_LISTS_BUILDER, MODIFIED_SCOPE } from '../../src/publish/indexes/api-records';
import { type MovedBucket, movedToNewest } from '../../src/publish/modified-by-key';
import { NotByKeyError } from '../../src/publish/placed-by-key';
import { apiListAnchorsKey, apiListKey } from '../../src/storage/keys';
import { sweepSize } from '../support/sweep-size';

interface Item {
  id: number;
  t: number;
}

const keyOf = (item: Item): OrderKey => ({ t: item.t, i: item.id });

/** A bucket as the group index holds it (api-records.ts contentCutRecipe). */
function groupOf(bucket: Bucket<Item>): IndexedGroup {
  const [own0, own1] = bucket.own ?? [0, 0];
  return {
    builder: API_LISTS_BUILDER,
    key: apiListKey(MODIFIED_SCOPE, bucket.bucket),
    recipe: [
      MODIFIED_SCOPE,
      bucket.bucket,
      bucket.newest,
      own0,
      own1,
      bucket.older ?? false,
      bucket.newer ?? false,
    ],
    members: bucket.items.map((item) => item.id),
  };
}

/** The scope cut whole, as the index and KV hold it after a publish. */
function published(newestFirst: readonly Item[]) {
  const cut = cutByContent(newestFirst, keyOf);
  const groups = new Map(
    cut.buckets.map((bucket) => [apiListKey(MODIFIED_SCOPE, bucket.bucket), groupOf(bucket)]),
  );
  return { groups, anchors: JSON.stringify(cut.anchors) };
}

async function moveByKey(newestFirst: readonly Item[], id: number, now: OrderKey): Promise<MovedBucket[]> {
  const { groups, anchors } = published(newestFirst);
  const listing = [...groups.values()].filter((group) => group.members.includes(id));
  const byId = new Map(newestFirst.map((item) => [item.id, item]));
  return movedToNewest(id, now, listing, {
    group: async (key) => groups.get(key),
    getText: async (key) => (key === apiListAnchorsKey(MODIFIED_SCOPE) ? anchors : null),
    orderKey: async (other) => keyOf(byId.get(other) as Item),
  });
}

/** `count` items with distinct ids, newest first, one a minute. */
const scope = (ids: readonly number[]): Item[] =>
  ids.map((id, at) => ({ id, t: (ids.length - at) * 60_000 }));

/** Up to 1,500 distinct ids, evenly spread in number (a cut follows about one id in 100, by its hash). */
const idsArbitrary = fc
  .record({
    count: fc.noBias(fc.integer({ min: 1, max: 1_500 })),
    base: fc.integer({ min: 1, max: 1_000_000 }),
    step: fc.integer({ min: 1, max: 50 }),
  })
  .map(({ count, base, step }) => Array.from({ length: count }, (_, at) => base + at * step));

it('changes exactly the buckets that cutting the whole scope again changes, or declines a moved cut', async () => {
  let taken = 0;
  let declined = 0;
  await fc.assert(
    fc.asyncProperty(idsArbitrary, fc.nat(), async (ids, pick) => {
      const before = scope(ids);
      const moving = before[pick % before.length] as Item;
      const now: OrderKey = { t: (ids.length + 1) * 60_000, i: moving.id };
      const after = [{ ...moving, t: now.t }, ...before.filter((item) => item.id !== moving.id)];
      const was = published(before);
      const is = published(after);
      let moved: MovedBucket[];
      try {
        moved = await moveByKey(before, moving.id, now);
      } catch (error) {
        if (!(error instanceof NotByKeyError)) throw error;
        expect(error.message).toMatch(/a cut of the modified scope (follows|would follow)|cut by length/);
        // A cut moves, or the declined run was as long as a run may be.
        const longRun = [...was.groups.values()].some(
          (group) =>
            group.members.includes(moving.id) && Number(group.recipe[4]) - Number(group.recipe[3]) >= MAX_RUN,
        );
        expect(is.anchors !== was.anchors || longRun || cutsAfter(before[0]?.id ?? 0)).toBe(true);
        declined++;
        return;
      }
      taken++;
      expect(is.anchors).toBe(was.anchors);
      const made = new Map(moved.map((bucket) => [bucket.before.key, bucket]));
      for (const [key, group] of is.groups) {
        const bucket = made.get(key);
        const old = was.groups.get(key) as IndexedGroup;
        if (!bucket) {
          // Not made again: as published.
          expect(group, key).toEqual(old);
          continue;
        }
        expect(bucket.before).toEqual(old);
        expect(bucket.recipe, key).toEqual(group.recipe);
        expect(bucket.members, key).toEqual(group.members);
      }
    }),
    { numRuns: sweepSize({ fast: 200, long: 2_000 }) },
  );
  // Most were taken (a decline is about one move in 50: the tests below make each kind).
  expect(taken).toBeGreaterThan(declined);
});

it('declines an article followed by a cut, or a newest article that would be', async () => {
  const ids = Array.from({ length: 900 }, (_, at) => 20_000 + at);
  const before = scope(ids);
  const now = (item: Item): OrderKey => ({ t: (ids.length + 1) * 60_000, i: item.id });
  const anchor = before.find((item, at) => at > 300 && cutsAfter(item.id)) as Item;
  await expect(moveByKey(before, anchor.id, now(anchor))).rejects.toThrow(/follows article/);
  // The newest followed by a cut once no longer the newest.
  const cut = before.find((item, at) => at > 0 && cutsAfter(item.id)) as Item;
  const newestFirst = [cut, ...before.filter((item) => item.id !== cut.id)].map((item, at) => ({
    ...item,
    t: (ids.length - at) * 60_000,
  }));
  const old = newestFirst.find((item, at) => at > 300 && !cutsAfter(item.id)) as Item;
  await expect(moveByKey(newestFirst, old.id, now(old))).rejects.toThrow(/would follow/);
});

it('makes the buckets that list the newest article again as they are when it is corrected again', async () => {
  const before = scope(Array.from({ length: 700 }, (_, at) => 1_000 + at * 7));
  const newest = before[0] as Item;
  const moved = await moveByKey(before, newest.id, { t: newest.t + 60_000, i: newest.id });
  expect(moved.length).toBeGreaterThan(0);
  for (const bucket of moved) {
    expect(bucket.members).toEqual(bucket.before.members);
    expect(bucket.recipe).toEqual(bucket.before.recipe);
  }
});

it('declines the newest article moved back, however little', async () => {
  const before = scope(Array.from({ length: 300 }, (_, at) => 7_000 + at * 3));
  const newest = before[0] as Item;
  await expect(moveByKey(before, newest.id, { t: newest.t - 500, i: newest.id })).rejects.toThrow(
    /older than its last/,
  );
});

it('declines a date that is not the newest of the scope', async () => {
  const before = scope(Array.from({ length: 300 }, (_, at) => 5_000 + at * 3));
  const old = before.find((item, at) => at > 100 && !cutsAfter(item.id)) as Item;
  const late = before[1] as Item;
  await expect(moveByKey(before, old.id, { t: late.t, i: old.id })).rejects.toThrow(/not the newest/);
});

it('declines when the newest run is as long as a run may be: the newest article would be followed by a cut', async () => {
  // The newest MAX_RUN articles followed by no cut of their own, below them one that is, and older ones.
  const uncut: number[] = [];
  for (let id = 1; uncut.length < MAX_RUN + 100; id++) if (!cutsAfter(id)) uncut.push(id);
  let cut = 10_000_000;
  while (!cutsAfter(cut)) cut++;
  const ids = [...uncut.slice(0, MAX_RUN), cut, ...uncut.slice(MAX_RUN)];
  const before = scope(ids);
  const moving = before[MAX_RUN + 50] as Item;
  const now = { t: (ids.length + 1) * 60_000, i: moving.id };
  await expect(moveByKey(before, moving.id, now)).rejects.toThrow(/would follow/);
  // Cut whole, the scope has a bucket more.
  const after = [{ ...moving, t: now.t }, ...before.filter((item) => item.id !== moving.id)];
  expect(published(after).groups.size).toBe(published(before).groups.size + 1);
});

it('declines an article whose run was cut by length: the cut, counted from the one before, would move', async () => {
  // MAX_RUN + 100 articles followed by no cut of their own: the oldest MAX_RUN make a run cut by length.
  const uncut: number[] = [];
  for (let id = 1; uncut.length < MAX_RUN + 100; id++) if (!cutsAfter(id)) uncut.push(id);
  const before = scope(uncut);
  const moving = before.at(-10) as Item;
  const now = { t: (uncut.length + 1) * 60_000, i: moving.id };
  await expect(moveByKey(before, moving.id, now)).rejects.toThrow(/cut by length/);
  const after = [{ ...moving, t: now.t }, ...before.filter((item) => item.id !== moving.id)];
  expect(published(after).anchors).not.toBe(published(before).anchors);
});
