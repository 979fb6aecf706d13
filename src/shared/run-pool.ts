// A bounded pool of async tasks, for every layer (the publish command's remote requests, the
// pipeline's reads of stored parts, the tests' writes): it imports nothing.

/**
 * Runs `task` on every item with at most `concurrency` in flight. After the first failure no new
 * item starts; the ones in flight finish, then that failure is thrown.
 */
export async function runPool<T>(
  items: Iterable<T>,
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < queue.length) {
      const item = queue[next++];
      if (item === undefined) break;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  if (failure) throw failure.error;
}
