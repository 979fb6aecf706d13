// The order every API scope is cut in (api/paging.ts sortNewestFirst): newest first by time, then
// by id, whether the items come in that order already (publish's usual case, answered without a
// sort) or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOlder, type Ordered, sortNewestFirst } from '../../src/api/paging';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Articles with distinct ids and few distinct times, so that ties on time are common. */
const articles = fc
  .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 60 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: ids.length, maxLength: ids.length }),
      fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
    ),
  )
  .map(([ids, days, updates]) =>
    ids.map(
      (id, i): Ordered => ({
        id,
        published: iso((days[i] ?? 0) * DAY),
        ...(updates[i] !== undefined && { updated: iso(((days[i] ?? 0) + (updates[i] ?? 0)) * DAY) }),
      }),
    ),
  );

/** Newest first as a plain comparison sort gives it. */
function byComparison(items: readonly Ordered[], order: 'published' | 'modified'): number[] {
  const keyOf = (item: Ordered) => ({
    t: Date.parse(order === 'modified' ? (item.updated ?? item.published) : item.published),
    i: item.id,
  });
  return [...items]
    .sort((a, b) => (isOlder(keyOf(a), keyOf(b)) ? 1 : isOlder(keyOf(b), keyOf(a)) ? -1 : 0))
    .map((item) => item.id);
}

describe('sortNewestFirst', () => {
  it('orders any list as a comparison sort does, whether it comes in order or not', () => {
    fc.assert(
      fc.property(
        articles,
        fc.constantFrom('published', 'modified'),
        fc.boolean(),
        (items, order, sorted) => {
          // Half the lists come in order already: the case publish meets for most scopes.
          const input = sorted
            ? byComparison(items, order).map((id) => items.find((a) => a.id === id))
            : items;
          const given = input.filter((item): item is Ordered => item !== undefined);
          const result = sortNewestFirst(given, order);
          expect(result.map((item) => item.id)).toEqual(byComparison(items, order));
          // A new array, never the caller's: the caller's list stays as it was.
          expect(result).not.toBe(given);
        },
      ),
      { numRuns: 300 },
    );
  });
});
