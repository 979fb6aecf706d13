// The write plan's last guard: a record Workers KV would refuse stops the publish before any write,
// naming the key, whatever produced it.
import { describe, expect, it } from 'vitest';
import { KV_VALUE_MAX_BYTES } from '../../src/content/limits';
import { KvLimitError, planPublish } from '../../src/publish/plan';
import { planFor } from '../support/publish';

async function refusalsFor(
  change: (records: Awaited<ReturnType<typeof planFor>>['records']) => void | Promise<void>,
) {
  const { records } = await planFor();
  await change(records);
  try {
    await planPublish(records, new Map(), 1);
  } catch (error) {
    if (error instanceof KvLimitError) return error.refusals;
    throw error;
  }
  return [];
}

describe('the write plan refuses what Workers KV would', () => {
  it('plans the sample site without a refusal', async () => {
    expect(await refusalsFor(() => {})).toEqual([]);
  });

  it('refuses a value over 25 MiB, counted in UTF-8 bytes', async () => {
    // 9 Mi characters of 3 bytes each: 27 MiB of UTF-8, though the string is only 9 Mi units long.
    const refusals = await refusalsFor((records) =>
      records.indexes.add('feed:v1:huge', '€'.repeat(9 * 2 ** 20)),
    );
    expect(refusals).toEqual([
      expect.stringMatching(/^feed:v1:huge: the value is \d+ bytes.*at most 26214400$/),
    ]);
    expect(KV_VALUE_MAX_BYTES).toBe(26_214_400);
  });

  it('refuses a key over 512 bytes and cuts it short in the message', async () => {
    const key = `list:v2:section:${'я'.repeat(250)}:head`;
    const refusals = await refusalsFor((records) => records.indexes.add(key, '{}'));
    expect(refusals).toEqual([
      expect.stringMatching(/^list:v2:section:я+…: the key is 521 bytes.*at most 512$/),
    ]);
  });

  it('refuses metadata over 1024 bytes', async () => {
    const refusals = await refusalsFor(async (records) => {
      await records.indexes.add('feed:v1:odd', 'x');
      // The metadata carries the hash its record store gives: one that overflows it.
      const { indexes } = records;
      const hash = indexes.hash.bind(indexes);
      indexes.hash = (key) => (key === 'feed:v1:odd' ? 'f'.repeat(1100) : hash(key));
    });
    expect(refusals).toEqual([
      expect.stringMatching(/^feed:v1:odd: the metadata is 1119 bytes.*at most 1024$/),
    ]);
  });
});
