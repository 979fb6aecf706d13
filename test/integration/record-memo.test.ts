// The record memo (src/publish/record-memo.ts) lets a publish skip building groups of records whose
// inputs it has seen and whose values KV already holds. It must never change what a publish does:
// through a series of publishes (first, unchanged, an edit, a new article, a back-dated one, a
// deletion, a scheduled one, a site.yaml change, a value lost from KV), the plan made with the memo
// equals, write for write, the plan made without it, though the search index is then updated in
// place rather than built.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';
import { type GroupOutput, memoryRecordMemo, type RecordMemo } from '../../src/publish/record-memo';
import { sitemapIndexKey, sitemapKey } from '../../src/storage/keys';
import { repositoryContent } from '../support/content';
import { applyPrepared, FIXED_NOW, type PublishResult, planFor, planOf, publish } from '../support/publish';

const SECTIONS = ['news', 'russia', 'middle-east', 'economy', 'science', 'sport'];

function article(id: number, published: string, title = `Memo test report number ${id}`): SourceFile {
  const text = [
    '---',
    `id: ${id}`,
    `title: ${title}`,
    `section: ${SECTIONS[id % SECTIONS.length]}`,
    `published: ${published}`,
    `tags: [Archive, Tag ${id % 7}]`,
    '---',
    '',
    `Report ${id} says what happened, with [the section](/section/news) linked.`,
    '',
  ].join('\n');
  return { path: `content/articles/memo/${id}.md`, text };
}

const day = (n: number) =>
  new Date(Date.UTC(2019, 0, 1) + n * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const SYNTHETIC = Array.from({ length: 90 }, (_, i) => article(4_000_001 + i, day(i)));

function content(articles: SourceFile[], site?: (text: string) => string): ContentInput {
  const base = repositoryContent();
  return {
    ...base,
    site: site ? { ...base.site, text: site(base.site.text) } : base.site,
    articles: [...base.articles, ...articles],
  };
}

describe('the record memo', () => {
  it('never changes a plan, and spares the build of what did not change', async () => {
    // Identity is a perfect fingerprint: no collision can hide a difference here.
    const memo = memoryRecordMemo((parts) => JSON.stringify(parts));
    const edited = SYNTHETIC.map((file, i) =>
      i === 40 ? article(4_000_041, day(40), 'Memo test report, title corrected') : file,
    );
    const newer = [...edited, article(4_000_500, '2025-06-01T08:00:00Z')];
    const backdated = [...newer, article(4_000_501, day(10).replace('T00', 'T06'))];
    const deleted = backdated.filter((_, i) => i !== 20);
    const scheduled = [...deleted, article(4_000_502, '2026-01-02T09:00:00Z')];
    const editedWhileStaged = scheduled.map((file) =>
      file.path.endsWith('/4000041.md')
        ? article(4_000_041, day(40), 'Memo test report, corrected again')
        : file,
    );
    const steps: [string, ContentInput, number][] = [
      ['first publish', content(SYNTHETIC), 0],
      ['nothing changed', content(SYNTHETIC), 1],
      ['one title corrected', content(edited), 1],
      ['one new article', content(newer), 1],
      ['one back-dated article', content(backdated), 1],
      ['one file deleted', content(deleted), 1],
      ['one scheduled article', content(scheduled), 1],
      // The staged release's build must not stand in for the live index's last state.
      ['one title corrected while a release is staged', content(editedWhileStaged), 1],
      [
        'site.yaml renamed the outlet',
        content(editedWhileStaged, (t) => t.replace(/^name: .*$/m, 'name: Memo TV')),
        0,
      ],
    ];
    const builtMonthParts = (prepared: PublishResult) =>
      [...prepared.records.indexes.keys()].filter(
        (key) => key.startsWith(sitemapKey('')) && key !== sitemapKey('pages') && key !== sitemapIndexKey(),
      );
    const searchParts = (prepared: PublishResult) =>
      [...prepared.records.indexes.keys()].filter((key) => key.startsWith('search:'));
    for (const [step, input, minimumKept] of steps) {
      const without = await planFor(input, FIXED_NOW);
      const withMemo = await planFor(input, FIXED_NOW, { memo });
      expect(planOf(withMemo), step).toEqual(planOf(without));
      if (minimumKept > 0) expect(withMemo.records.kept.size, step).toBeGreaterThan(100);
      else expect(withMemo.records.kept.size, step).toBe(0);
      // The search index is updated where the changed articles' terms are, not built whole.
      if (minimumKept > 0 && step !== 'nothing changed')
        expect(searchParts(withMemo).length, step).toBeLessThan(searchParts(without).length / 2);
      // A sitemap's month part is built only when an article it lists changed: the corrected one's month.
      if (step === 'one title corrected')
        expect(builtMonthParts(withMemo), step).toEqual([sitemapKey('2019-02')]);
      // The plan just made with the memo is the publish's own: planning it again would only repeat it.
      await applyPrepared(withMemo);
    }
    // A value lost from KV behind the memo's back is built and written again.
    const last = steps.at(-1)?.[1] ?? content(SYNTHETIC);
    const lost = 'article:v1:4000030';
    expect(await env.ARTICLES.get(lost)).not.toBeNull();
    await env.ARTICLES.delete(lost);
    const withMemo = await planFor(last, FIXED_NOW, { memo });
    expect(planOf(withMemo)).toEqual(planOf(await planFor(last, FIXED_NOW)));
    expect(withMemo.plan.phases.flatMap((phase) => [...phase.writes].map((w) => w.key))).toContain(lost);
    // Eighteen plans of the repository's content and 90 more articles: minutes when the machine is shared.
  }, 180_000);

  it('still remembers each article’s search terms after a publish that kept the search index', async () => {
    // As the memo file does when it compacts: what a publish did not remember is gone for the next.
    const fingerprint = (parts: readonly string[]) => JSON.stringify(parts);
    let previous = new Map<string, GroupOutput>();
    let used = new Map<string, GroupOutput>();
    const compactingMemo: RecordMemo = {
      fingerprint,
      lookup: (key) => used.get(key) ?? previous.get(key),
      remember: (key, output) => {
        used.set(key, output);
      },
    };
    const compact = () => {
      previous = used;
      used = new Map();
    };
    const searchTerms = () => [...previous.values()].filter(([entry]) => entry?.[0] === 'search-terms');
    // Ids of their own: the test above has published, and removed, some of SYNTHETIC's.
    const input = content(Array.from({ length: 30 }, (_, i) => article(5_000_001 + i, day(i))));
    await publish(input, FIXED_NOW, { memo: compactingMemo });
    compact();
    const articles = searchTerms().length;
    expect(articles).toBeGreaterThan(30);
    // Nothing changed: the search index is kept, not built; its terms must stay remembered.
    const unchanged = await planFor(input, FIXED_NOW, { memo: compactingMemo });
    expect(unchanged.records.kept.size).toBeGreaterThan(100);
    compact();
    expect(searchTerms()).toHaveLength(articles);
  });
});
