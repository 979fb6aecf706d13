// The content version's keys are sorted where they are (src/shared/sort-in-place.ts): the order must
// be exactly Array.prototype.sort's, whatever the input's length, order or repeats.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/shared/random';
import { sortStringsInPlace } from '../../src/shared/sort-in-place';

/** Characters whose UTF-16 order differs from their code points': a surrogate pair sorts before U+FFFD. */
const ALPHABET = ['a', 'b', 'z', ':', '0', '9', 'é', '\uFFFD', '\u{1F600}', '\u{10000}'];

function words(count: number, random: () => number, letters: number): string[] {
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * letters);
    let word = '';
    for (let i = 0; i < length; i++) word += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return word;
  });
}

function sortsAsArraySortDoes(list: string[], depthLimit?: number): void {
  const expected = [...list].sort();
  sortStringsInPlace(list, depthLimit);
  expect(list).toEqual(expected);
}

describe('sorting strings in place', () => {
  it('gives the order Array.prototype.sort gives, for lists of every size around its cut-offs', () => {
    const random = seededRandom(13);
    for (const count of [0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000, 20_000])
      sortsAsArraySortDoes(words(count, random, 6));
  });

  it('takes lists already sorted, reversed, all one string, or of few strings many times', () => {
    const random = seededRandom(7);
    const list = words(5000, random, 8);
    const sorted = [...list].sort();
    sortsAsArraySortDoes([...sorted]);
    sortsAsArraySortDoes([...sorted].reverse());
    sortsAsArraySortDoes(Array.from({ length: 3000 }, () => 'same'));
    sortsAsArraySortDoes(words(5000, random, 2));
    // Keys as a publish makes them: a prefix, then numbers that do not sort as numbers.
    sortsAsArraySortDoes(Array.from({ length: 5000 }, (_, i) => `article:v1:${(i * 7919) % 5000}`));
  });

  it('sorts as a heap where the quicksort has split too often, the same order', () => {
    const random = seededRandom(29);
    // A limit of 0 sorts every list by the heap; 1 and 2 after a split or two.
    for (const depthLimit of [0, 1, 2])
      for (const count of [0, 1, 2, 16, 17, 100, 5000]) {
        sortsAsArraySortDoes(words(count, random, 6), depthLimit);
        sortsAsArraySortDoes(words(count, random, 2), depthLimit);
      }
  });
});
