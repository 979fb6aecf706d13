// The record memo on disk: what one publish remembers, the next finds; a publish adds only what it
// built, drops stale entries once they are most of the table, and saves nothing when nothing is new;
// a table written for other code, or a damaged file, is dropped.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openRecordMemo } from '../../src/publish/node/record-memo-file';
import { openSpill } from '../../src/publish/node/spill-store';

const scratch = await mkdtemp(join(tmpdir(), 'mirrorwire-record-memo-'));
const path = join(scratch, 'records.mdb');

afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('record memo file', () => {
  it('remembers across publishes and adds only what is new', async () => {
    const first = await openRecordMemo(path);
    const a = first.fingerprint(['group', 'a']);
    const b = first.fingerprint(['group', 'b']);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(first.lookup(a)).toBeUndefined();
    first.remember(a, [['article:v1:1', 'h1']]);
    first.remember(b, [['article:v1:2', 'h2']]);
    await first.save();

    const second = await openRecordMemo(path);
    expect(second.fingerprint(['group', 'a'])).toBe(a);
    const known = second.lookup(a);
    expect(known).toEqual([['article:v1:1', 'h1']]);
    if (known) second.remember(a, known);
    second.remember(b, [['article:v1:2', 'h3']]);
    await second.save();

    const third = await openRecordMemo(path);
    expect(third.lookup(b)).toEqual([['article:v1:2', 'h3']]);
    expect(third.lookup(a)).toEqual([['article:v1:1', 'h1']]);
    third.keep?.(a);
    const before = await readFile(path);
    // Nothing new: the file is left byte for byte as it was.
    await third.save();
    expect(await readFile(path)).toEqual(before);
  });

  it('removes the files earlier versions kept in its place once it is saved', async () => {
    const earlier = [join(scratch, 'earlier.jsonl'), join(scratch, 'earlier.json')];
    for (const file of earlier) await writeFile(file, '{}\n');
    const memo = await openRecordMemo(join(scratch, 'earlier.mdb'));
    memo.remember(memo.fingerprint(['group', 'a']), [['article:v1:1', 'h1']]);
    await memo.save();
    for (const file of earlier) await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it('drops stale entries once they are most of it', async () => {
    const churn = join(scratch, 'churn.mdb');
    // Each publish uses ten groups, all new: stale ones pile up until they pass the live ones by a thousand.
    let size = 0;
    for (let round = 0; round < 5; round++) {
      const memo = await openRecordMemo(churn);
      for (let n = 0; n < 600; n++)
        memo.remember(memo.fingerprint(['round', String(round), String(n)]), [[`k${n}`, `h${round}`]]);
      await memo.save();
      size = (await stat(churn)).size;
    }
    const last = await openRecordMemo(churn);
    // The last round's groups are there; the first round's were dropped by a sweep.
    expect(last.lookup(last.fingerprint(['round', '4', '5']))).toEqual([['k5', 'h4']]);
    expect(last.lookup(last.fingerprint(['round', '0', '5']))).toBeUndefined();
    expect(size).toBeGreaterThan(0);
    last.close();
  });

  it('drops a table written for other code', async () => {
    const other = join(scratch, 'other.mdb');
    const memo = await openRecordMemo(other);
    const [x, y] = [memo.fingerprint(['group', 'x']), memo.fingerprint(['group', 'y'])];
    memo.remember(x, [['k', 'h']]);
    await memo.save();
    // Another code fingerprint: the same file reads as empty, and its entries are gone once saved.
    const { openEmbeddedTable } = await import('../../src/publish/node/embedded-table');
    const table = await openEmbeddedTable<unknown>(other, 'another header', 'test table');
    expect(table.previous.get(x)).toBeUndefined();
    await table.save(new Map([[y, [['k', 'h']]]]), new Set([y]));
    const again = await openRecordMemo(other);
    expect(again.lookup(x)).toBeUndefined();
    expect(again.lookup(y)).toBeUndefined();
    again.close();
  });

  it('starts afresh from a damaged file, with a warning', async () => {
    const damaged = join(scratch, 'damaged.mdb');
    await writeFile(damaged, 'not a database at all, just text where the table should be'.repeat(200));
    // The warning is the test's to read, not the run's log.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let warnings: unknown[][] = [];
    const memo = await openRecordMemo(damaged).finally(() => {
      warnings = [...warn.mock.calls];
      warn.mockRestore();
    });
    expect(warnings).toEqual([
      [expect.stringMatching(/^publish: ignoring the record memo \(.*not an LMDB store\)$/)],
    ]);
    const x = memo.fingerprint(['group', 'x']);
    expect(memo.lookup(x)).toBeUndefined();
    memo.remember(x, [['k', 'h']]);
    await memo.save();
    expect((await openRecordMemo(damaged)).lookup(x)).toEqual([['k', 'h']]);
  });

  it('reads back what waited in the scratch file, many entries of uneven, non-ASCII sizes', async () => {
    // What it remembers waits in a publish's scratch file until saved, as in the publish command.
    const spill = openSpill(join(scratch, 'spill'));
    const first = await openRecordMemo(path, { parking: spill });
    const groups: { fingerprint: string; output: readonly (readonly [string, string])[] }[] = Array.from(
      { length: 3000 },
      (_, index) => ({
        fingerprint: first.fingerprint(['big', String(index)]),
        output: [[`list:v3:tag:${'é'.repeat(index % 700)}`, `h${index}`]] as const,
      }),
    );
    // And outputs parked in many pieces (a group's state in pieces, then its keys), with text JSON
    // escapes: 200 KB and more of JSON each.
    for (const index of [0, 1, 2])
      groups.push({
        fingerprint: first.fingerprint(['state', String(index)]),
        output: [
          ...Array.from(
            { length: 40 + index },
            (_, n) => ['group state', `[[${n},"\u2028 "é" ${'x'.repeat(5000)}"]]`] as const,
          ),
          ...Array.from({ length: 500 }, (_, n) => [`search:v2:16:fresh:${n}`, `h${n}`] as const),
        ],
      });
    for (const { fingerprint, output } of groups) first.remember(fingerprint, output);
    expect(spill.written).toBeGreaterThan(2_000_000);
    // Read back before the save too: the first entry waits at the scratch file's place 0.
    for (const { fingerprint, output } of [...groups.slice(0, 1), ...groups.slice(-1)])
      expect(first.lookup(fingerprint)).toEqual(output);
    await first.save();
    spill.close();
    const second = await openRecordMemo(path);
    for (const { fingerprint, output } of groups) expect(second.lookup(fingerprint)).toEqual(output);
    second.close();
  });
});
