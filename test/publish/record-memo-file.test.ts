// The record memo on disk: what one publish remembers, the next finds; a publish appends only what
// it built and is rewritten once mostly stale; a line cut short by a crash is cut off; a file made
// by other code is dropped.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRecordMemo } from '../../src/publish/node/record-memo-file';
import { openSpill } from '../../src/publish/node/spill-store';

const scratch = await mkdtemp(join(tmpdir(), 'mirrorwire-record-memo-'));
const path = join(scratch, 'records.jsonl');

afterAll(() => rm(scratch, { recursive: true, force: true }));

const lines = async () => (await readFile(path, 'utf8')).split('\n').filter(Boolean);

describe('record memo file', () => {
  it('remembers across publishes, appends what is new and survives a torn line', async () => {
    const first = await openRecordMemo(path);
    const a = first.fingerprint(['group', 'a']);
    const b = first.fingerprint(['group', 'b']);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(first.lookup(a)).toBeUndefined();
    first.remember(a, [['article:v1:1', 'h1']]);
    first.remember(b, [['article:v1:2', 'h2']]);
    await first.save();
    expect(await lines()).toHaveLength(3);

    const second = await openRecordMemo(path);
    expect(second.fingerprint(['group', 'a'])).toBe(a);
    const known = second.lookup(a);
    expect(known).toEqual([['article:v1:1', 'h1']]);
    if (known) second.remember(a, known);
    second.remember(b, [['article:v1:2', 'h3']]);
    await second.save();
    // Only the changed group was appended; the later line wins.
    expect(await lines()).toHaveLength(4);
    await appendFile(path, '["torn", [["article:v1:3"');

    const third = await openRecordMemo(path);
    expect(third.lookup(b)).toEqual([['article:v1:2', 'h3']]);
    expect(third.lookup(a)).toEqual([['article:v1:1', 'h1']]);
    expect(third.lookup('torn')).toBeUndefined();
    const c = third.fingerprint(['group', 'c']);
    third.remember(c, [['article:v1:4', 'h4']]);
    await third.save();
    expect((await openRecordMemo(path)).lookup(c)).toEqual([['article:v1:4', 'h4']]);
    // A torn line that happens to end in "]" is cut off by the next save, never ended and read as one.
    await appendFile(path, '["torn", [["article:v1:5", "h5"]');
    const fourth = await openRecordMemo(path);
    expect(fourth.keep?.('torn')).toBe(false);
    await fourth.save();
    const fifth = await openRecordMemo(path);
    expect(fifth.keep?.('torn')).toBe(false);
    expect(fifth.lookup(c)).toEqual([['article:v1:4', 'h4']]);
  });

  it('is rewritten once most of its bytes are stale, however few its lines', async () => {
    // A large value remembered anew by every publish (the search index's state) adds one line each time.
    const large = join(scratch, 'large.jsonl');
    const value = (n: number) => [['state', `${'x'.repeat(400_000)}${n}`] as const];
    for (let n = 0; n < 8; n++) {
      const memo = await openRecordMemo(large);
      expect(memo.lookup('state')?.[0]?.[1].endsWith(String(n - 1)) ?? n === 0).toBe(true);
      memo.remember('state', value(n));
      await memo.save();
    }
    // Eight lines of 400 KB if it were only appended to; at most the live one and about 1 MiB stale.
    expect((await stat(large)).size).toBeLessThan(1_900_000);
    expect((await openRecordMemo(large)).lookup('state')).toEqual(value(7));
  });

  it('drops a file written for other code', async () => {
    await writeFile(path, `${JSON.stringify({ format: 1, code: 'other' })}\n["x",[["k","h"]]]\n`);
    const memo = await openRecordMemo(path);
    expect(memo.lookup('x')).toBeUndefined();
    memo.remember('y', [['k', 'h']]);
    await memo.save();
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('"x"');
    expect(text).toContain('"y"');
  });

  it('reads back a file larger than its read chunks, every line across every chunk boundary', async () => {
    // What it remembers waits in a publish's scratch file until saved, as in the publish command.
    const spill = openSpill(join(scratch, 'spill'));
    const first = await openRecordMemo(path, { park: spill.park });
    // Over 2 MiB of lines of uneven, non-ASCII sizes: several 1 MiB chunks, lines cut at each edge.
    const groups = Array.from({ length: 3000 }, (_, index) => ({
      fingerprint: first.fingerprint(['big', String(index)]),
      output: [[`list:v3:tag:${'é'.repeat(index % 700)}`, `h${index}`]] as const,
    }));
    for (const { fingerprint, output } of groups) first.remember(fingerprint, output);
    expect(spill.written).toBeGreaterThan(2_000_000);
    await first.save();
    spill.close();
    expect((await readFile(path)).length).toBeGreaterThan(2 * 2 ** 20);
    const second = await openRecordMemo(path);
    for (const { fingerprint, output } of groups) expect(second.lookup(fingerprint)).toEqual(output);
  });
});
