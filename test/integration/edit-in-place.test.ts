// A publish told which articles alone were edited, each placed as before (PublishOptions.edited),
// keeps every group that lists none of them as KV holds it. It must never change a plan: through
// corrections of a title, a body and a notice that raises `updated` (which reorders the API's
// `modified` scope, so those buckets must be looked at), the plan equals, write for write, the
// plan made knowing nothing, and so through random corrections of random articles (a few runs in
// `npm test`, more in `npm run test:long`). Enough articles that every index has several buckets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';
import { repositoryContent } from '../support/content';
import { applyPrepared, FIXED_NOW, planFor, planOf, publish } from '../support/publish';
import { FIRST_REPORT_ID, reportArticle } from '../support/report-articles';
import { sweepSize } from '../support/sweep-size';

// 240 articles, their ids chosen so that the API's `modified` scope (cut after one article in a
// hundred, by a hash of its id: paging.ts cutByContent) has cuts among them, after ids 6,006,071,
// 6,006,182, 6,006,209 and 6,006,222: a corrected old article leaves its bucket for the newest.
// Each `Half` tag lists 120 of them, two buckets of the API's lists: the one that lists no edited
// article is kept whole (api-records.ts).
const IDS = Array.from({ length: 240 }, (_, i) => FIRST_REPORT_ID + i);

function content(changed: ReadonlyMap<number, SourceFile> = new Map()): ContentInput {
  const base = repositoryContent();
  return { ...base, articles: [...base.articles, ...IDS.map((id) => changed.get(id) ?? reportArticle(id))] };
}

describe('an edit in place', () => {
  it('never changes a plan, and keeps the groups that do not show the edit unlooked-up', async () => {
    await publish(content());
    const changed = new Map<number, SourceFile>();
    const steps: [string, number, SourceFile][] = [
      [
        'an old title corrected',
        FIRST_REPORT_ID + 40,
        reportArticle(FIRST_REPORT_ID + 40, { title: 'Report corrected' }),
      ],
      [
        'a correction notice on an old article',
        FIRST_REPORT_ID + 30,
        reportArticle(FIRST_REPORT_ID + 30, { notice: 'An earlier version gave the wrong figure.' }),
      ],
      [
        'the newest body rewritten',
        FIRST_REPORT_ID + 239,
        reportArticle(FIRST_REPORT_ID + 239, { body: 'A new account.' }),
      ],
    ];
    for (const [step, id, file] of steps) {
      changed.set(id, file);
      const input = content(changed);
      const knowingNothing = await planFor(input, FIXED_NOW);
      const inPlace = await planFor(input, FIXED_NOW, { edited: new Set([id]) });
      expect(planOf(inPlace), step).toEqual(planOf(knowingNothing));
      expect(inPlace.records.editedInPlace?.keptAsStored, step).toBeGreaterThan(1000);
      await applyPrepared(inPlace);
    }
  }, 120_000);

  it('is not taken when a scheduled article has fallen due since (no cron ran): it is new to KV', async () => {
    const due = '2026-01-02T09:00:00Z';
    const scheduled: SourceFile = {
      path: 'content/articles/in-place/scheduled.md',
      text: [
        '---',
        `id: ${FIRST_REPORT_ID + 500}`,
        'title: Due tomorrow',
        'section: news',
        `published: ${due}`,
        '---',
        '',
        'Soon.',
        '',
      ].join('\n'),
    };
    const input = { ...content(), articles: [...content().articles, scheduled] };
    await publish(input, FIXED_NOW);
    const later = new Date(Date.parse(due) + 3_600_000);
    const knowingNothing = await planFor(input, later);
    const claimed = await planFor(input, later, { edited: new Set() });
    expect(claimed.records.editedInPlace).toBeUndefined();
    expect(planOf(claimed)).toEqual(planOf(knowingNothing));
    expect(claimed.plan.phases.flatMap((phase) => [...phase.writes].map((w) => w.key))).toContain(
      `article:v1:${FIRST_REPORT_ID + 500}`,
    );
  });

  it('never changes a plan, over random corrections of random articles', async () => {
    await publish(content());
    // Each article's words as last published, and its file: the edited set is what a run changed.
    const words = new Map<number, { title?: string; body?: string; notice?: string }>();
    const fileOf = (id: number) => reportArticle(id, words.get(id));
    const correction = fc.record({
      id: fc.constantFrom(...IDS),
      field: fc.constantFrom('title' as const, 'body' as const, 'notice' as const),
      variant: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(correction, { minLength: 1, maxLength: 3 }), async (corrections) => {
        const before = new Map(corrections.map(({ id }) => [id, fileOf(id).text]));
        for (const { id, field, variant } of corrections)
          words.set(id, { ...words.get(id), [field]: `Corrected wording ${variant}` });
        const edited = new Set(
          [...before].filter(([id, text]) => fileOf(id).text !== text).map(([id]) => id),
        );
        const input = content(new Map([...words.keys()].map((id) => [id, fileOf(id)])));
        const knowingNothing = await planFor(input, FIXED_NOW);
        const inPlace = await planFor(input, FIXED_NOW, { edited });
        expect(planOf(inPlace)).toEqual(planOf(knowingNothing));
        await applyPrepared(inPlace);
      }),
      { numRuns: sweepSize({ fast: 3, long: 30 }) },
    );
  }, 300_000);
});
