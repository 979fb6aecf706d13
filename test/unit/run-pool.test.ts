// The bounded pool every layer uses: it takes items only as tasks free up (a generator of request
// bodies makes one only when it can be sent), and after a failure, its own or the items', starts
// nothing new and throws once the tasks in flight are done.
import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/shared/run-pool';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('runPool', () => {
  it('makes an item only when a task is free to take it', async () => {
    const events: string[] = [];
    const gates = Array.from({ length: 5 }, gate);
    function* items() {
      for (let item = 0; item < 5; item++) {
        events.push(`made ${item}`);
        yield item;
      }
    }
    const running = runPool(items(), 2, async (item) => {
      events.push(`start ${item}`);
      await gates[item]?.opened;
      events.push(`end ${item}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(['made 0', 'start 0', 'made 1', 'start 1']);
    for (const { open } of gates) open();
    await running;
    expect(events.filter((event) => event.startsWith('made'))).toHaveLength(5);
    expect(events.filter((event) => event.startsWith('end'))).toHaveLength(5);
  });

  it('starts nothing after an item cannot be made, and throws once the tasks in flight end', async () => {
    const events: string[] = [];
    const gates = Array.from({ length: 2 }, gate);
    function* items() {
      yield 0;
      yield 1;
      throw new Error('the scratch file is closed');
    }
    const running = runPool(items(), 2, async (item) => {
      events.push(`start ${item}`);
      await gates[item]?.opened;
      events.push(`end ${item}`);
    });
    const settled = running.then(
      () => 'resolved',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    gates[0]?.open();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The first task is done and the items failed: the pool waits for the second task still.
    expect(events).toEqual(['start 0', 'start 1', 'end 0']);
    gates[1]?.open();
    expect(await settled).toBe('the scratch file is closed');
    expect(events).toEqual(['start 0', 'start 1', 'end 0', 'end 1']);
  });

  it('starts nothing after a task fails, and throws that failure once the others end', async () => {
    const started: number[] = [];
    const failure = runPool([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await new Promise((resolve) => setTimeout(resolve, item === 1 ? 1 : 20));
      if (item === 1) throw new Error('task 1 failed');
    });
    await expect(failure).rejects.toThrow('task 1 failed');
    expect(started).toEqual([0, 1]);
  });
});
