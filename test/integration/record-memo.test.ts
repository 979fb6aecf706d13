// The record memo (src/publish/record-memo.ts) lets a publish skip building groups of records whose
// inputs it has seen and whose values KV already holds. It must never change what a publish does:
// through a series of publishes (first, unchanged, an edit, a new article, a back-dated one, a
// deletion, a scheduled one, a site.yaml change, a value lost from KV), the plan made with the memo
// equals, write for write, the plan made without it, though the search index is then updated in
// place rather than built. An edit of an article older than the search index's cut is the one
// difference allowed: updated in place, the index lays it over the article's settled postings in
// fresh parts, where a whole build writes it into settled ones; the two answer every word alike.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';
import { type GroupOutput, memoryRecordMemo, type RecordMemo } from '../../src/publish/record-memo';
import { manifestKey, sitemapIndexKey, sitemapKey } from '../../src/storage/keys';
import type { Manifest } from '../../src/storage/records';
import { repositoryContent } from '../support/content';
import { applyPrepared, FIXED_NOW, type PublishResult, planFor, planOf, publish } from '../support/publish';
import { searchAnswers } from '../support/search-answers';

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

/** The repository's article 675712 retitled: far older than the search index's cut beside SYNTHETIC's ids. */
const olderRetitled = (input: ContentInput, title: string): ContentInput => ({
  ...input,
  articles: input.articles.map((file) =>
    file.text.includes('\nid: 675712\n')
      ? { ...file, text: file.text.replace(/^title: .*$/m, `title: ${title}`) }
      : file,
  ),
});

/**
 * A plan less its search parts, and its manifest less what names them or sums every record: its
 * version, record sum and the search parts among its recent writes (so the hash of its write too).
 */
function planBesideSearch(prepared: PublishResult) {
  const { phases, deletes, manifest, unchanged: _unchanged, ...rest } = planOf(prepared);
  const notSearch = (key: string) => !key.startsWith('search:');
  const beside = (keys: Record<string, number>) =>
    Object.fromEntries(Object.entries(keys).filter(([key]) => notSearch(key)));
  const { version: _version, recordSum: _sum, recent, ...others } = JSON.parse(manifest) as Manifest;
  const written = recent && beside(recent.written);
  const deleted = recent && beside(recent.deleted);
  // The generations still named, with their times.
  const named = new Set([...Object.values(written ?? {}), ...Object.values(deleted ?? {})].map(String));
  const at = recent && Object.fromEntries(Object.entries(recent.at).filter(([gen]) => named.has(gen)));
  return {
    ...rest,
    phases: phases.map(([name, writes]) => [
      name,
      (writes as [string, unknown][]).filter(([key]) => notSearch(key) && key !== manifestKey()),
    ]),
    deletes: deletes.filter(notSearch),
    manifest: { ...others, recent: recent && { ...recent, written, deleted, at } },
  };
}

/** Every search part KV holds, with its value. */
async function storedSearchParts(): Promise<[string, string][]> {
  const parts: [string, string][] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<unknown> = await env.ARTICLES.list({
      prefix: 'search:',
      ...(cursor && { cursor }),
    });
    for (const { name } of page.keys) parts.push([name, (await env.ARTICLES.get(name)) ?? '']);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return parts;
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

  it('changes only where the search index holds an edit of an article older than its cut', async () => {
    const memo = memoryRecordMemo((parts) => JSON.stringify(parts));
    // Ids of their own: the tests above have published, and removed, others.
    const base = content(Array.from({ length: 30 }, (_, i) => article(6_000_001 + i, day(i))));
    const original = base.articles.find((file) => file.text.includes('\nid: 675712\n'))?.text;
    const title = /^title: (.*)$/m.exec(original ?? '')?.[1];
    if (!title) throw new Error('the repository has no article 675712');
    const retitled = olderRetitled(base, 'Xylophonic quasar retitled');
    const removed = { ...base, articles: base.articles.filter((file) => file.text !== original) };
    const steps: [string, ContentInput][] = [
      ['first publish', base],
      ['an older article retitled', retitled],
      ['one new article', { ...retitled, articles: [...retitled.articles, article(6_000_500, day(120))] }],
      ['titled back', olderRetitled(base, title)],
      ['removed', removed],
    ];
    for (const [step, input] of steps) {
      const without = await planFor(input, FIXED_NOW);
      const withMemo = await planFor(input, FIXED_NOW, { memo });
      expect(planBesideSearch(withMemo), step).toEqual(planBesideSearch(without));
      // The older article's postings are laid over its settled ones, which stay as built.
      const built = [...withMemo.records.indexes.keys()].filter((key) => key.startsWith('search:'));
      if (step !== 'first publish') {
        expect(built.length, step).toBeGreaterThan(0);
        expect(
          built.filter((key) => !key.includes(':fresh:')),
          step,
        ).toEqual([]);
      }
      await applyPrepared(withMemo);
      // Every word finds what the whole build's index finds, with the same weights.
      expect(searchAnswers(await storedSearchParts()), step).toEqual(searchAnswers(without.records.indexes));
    }
    // Built whole again (another site.yaml): the index is as a whole build makes it, part for part.
    const renamed = {
      ...removed,
      site: { ...removed.site, text: removed.site.text.replace(/^name: .*$/m, 'name: Memo TV') },
    };
    const rebuilt = await planFor(renamed, FIXED_NOW, { memo });
    expect(planOf(rebuilt)).toEqual(planOf(await planFor(renamed, FIXED_NOW)));
  });
});
