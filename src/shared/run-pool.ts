// A bounded pool of async tasks, for every layer (the publish command's remote requests, the
// pipeline's reads of stored parts, the tests' writes): it imports nothing.

/**
 * Runs `task` on every item with at most `concurrency` in flight. Items are taken as tasks free up,
 * so a lazy iterable (a generator) makes each item only when it is about to run. After the first
 * failure (of a task, or of making an item) no new item starts; the ones in flight finish, then that
 * failure is thrown.
 */
export async function runPool<T>(
  items: Iterable<T>,
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let exhausted = false;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !exhausted) {
      let next: IteratorResult<T>;
      try {
        next = iterator.next();
      } catch (error) {
        failure ??= { error };
        break;
      }
      if (next.done) {
        exhausted = true;
        break;
      }
      try {
        await task(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) throw failure.error;
}
