// A list read more than once (counted, then written) must give its items each time: a generator
// gives them once, and the second pass would silently find none.

/** Throws when `items` is an iterator of its own (a generator), which a second pass finds empty. */
export function mustReadAgain<T>(items: Iterable<T>, what: string): Iterable<T> {
  if ((items[Symbol.iterator]() as unknown) === items)
    throw new TypeError(`${what} are read more than once: give a list or an iterable, not an iterator`);
  return items;
}
