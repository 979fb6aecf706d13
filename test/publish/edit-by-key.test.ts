// An edit by key (src/publish/edit-by-key.ts) plans exactly what the publish of every article
// writes for the same edit: the same keys written and deleted, each value and its hash, and the
// manifest byte for byte (its records' sum moved by the values changed, its content version, its
// change-log head, its generation and recent writes). Proved through real publishes of real files:
// the edit planned by key from the group index, the record memo, the compile cache and KV's values
// as a first publish left them, then the same edit published whole, and KV compared. And it
// declines what it cannot know by key: a date moved, site.yaml changed, a tombstone's window moved.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type CompiledContent, compileContent } from '../../src/content/compile';
import { DeclinedByKey, type PlannedEdit, planEditByKey } from '../../src/publish/edit-by-key';
import { openCompileCache } from '../../src/publish/node/compile-cache';
import { openGroupIndex, publishedArticles } from '../../src/publish/node/group-index-file';
import { sha256BytesSync } from '../../src/publish/node/node-digest';
import { readContent } from '../../src/publish/node/read-content';
import { openRecordMemo } from '../../src/publish/node/record-memo-file';
import { localDevelopmentKey } from '../../src/publish/node/signing-key';
import type { KvWrite } from '../../src/publish/plan';
import {
  apiListKey,
  manifestKey,
  opmlKey,
  sitemapIndexKey,
  sitemapKey,
  writerTokenKey,
} from '../../src/storage/keys';
import type { Manifest } from '../../src/storage/records';
import { withNotice } from '../support/notice';
import { publishedSynthetic, rewrite } from './checkout';
import { readKvEntries } from './local-state';

const _sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const synthetic = publishedSynthetic('mirrorwire-edit-by-key-');
const { clock, publish } = synthetic;

/** The published articles' files, newest first, as the publish compiles them. */
async function articleFiles(): Promise<string[]> {
  const content = compileContent(await readContent(join(synthetic.archive, 'content')));
  return content.articles.map((article) => content.ids?.get(article.id)?.path ?? '');
}

/**
 * The edit of the files at `paths` planned by key against KV as it is, `change` given the edited
 * articles first (a test's own change to them, one the files do not make).
 */
async function planByKey(
  paths: readonly string[],
  change: (articles: CompiledContent['articles']) => CompiledContent['articles'] = (articles) => articles,
  olderSearchParts?: boolean,
): Promise<PlannedEdit> {
  const kv = await readKvEntries(synthetic.state);
  const manifest = JSON.parse(kv.get(manifestKey())?.value ?? '{}') as Manifest;
  // The cache's generation names site.yaml by its path and the libraries from the working directory.
  const here = process.cwd();
  process.chdir(synthetic.archive);
  try {
    const input = await readContent('content');
    const cache = await openCompileCache(join(synthetic.state, 'mirrorwire-compiled.mdb'), input);
    const memo = await openRecordMemo(join(synthetic.state, 'mirrorwire-records.mdb'));
    const index = await openGroupIndex(join(synthetic.state, 'mirrorwire-groups'), {
      code: memo.code,
      trust: true,
    });
    try {
      const sources = paths.map((path) => {
        const source = input.articles.find((file) => path.endsWith(file.path));
        if (!source) throw new Error(`${path} was not read`);
        return source;
      });
      const edited = change(compileContent({ ...input, articles: sources }, cache).articles);
      return await planEditByKey(
        edited,
        manifest.site,
        {
          groupsOf: (id) => index.groupsOf(id),
          group: (key) => index.group(key),
          articles: publishedArticles(index, cache),
          memo,
          getText: async (key) => kv.get(key)?.value ?? null,
          digest: sha256BytesSync,
          olderSearchParts: olderSearchParts ?? index.olderSearchParts,
        },
        clock.now(),
        // The key a local publish signs with when none is given (the manifest's site names it).
        await localDevelopmentKey(synthetic.state),
      );
    } finally {
      await index.close();
      memo.close();
      cache.close();
    }
  } finally {
    process.chdir(here);
  }
}

/**
 * Requires the plan to write what the publish of every article writes for the same files (run
 * here): the same keys written and deleted, each value and its metadata, and the manifest.
 */
async function expectPublishedAlike(planned: PlannedEdit): Promise<KvWrite[]> {
  const writes = planned.plan.phases.flatMap((phase) => [...phase.writes]);
  // The publish of every article, not the edit by key the command would take.
  const dry = await publish('--dry-run', '--every-article');
  const wholly = [...dry.stdout.matchAll(/^ {2}write (\S+)$/gm)].map((match) => match[1] ?? '');
  const deletes = [...dry.stdout.matchAll(/^ {2}delete (\S+)$/gm)].map((match) => match[1] ?? '');
  expect(writes.map((write) => write.key).sort()).toEqual(
    wholly.filter((key) => key !== writerTokenKey()).sort(),
  );
  expect(planned.plan.deletes).toEqual(deletes);
  const run = await publish('--every-article');
  expect(run.stdout).not.toMatch(/edit by key/);
  const kv = await readKvEntries(synthetic.state);
  for (const write of writes) {
    expect(write.value, write.key).toBe(kv.get(write.key)?.value);
    expect(write.metadata, write.key).toEqual(kv.get(write.key)?.metadata);
  }
  expect(JSON.stringify(planned.manifest)).toBe(kv.get(manifestKey())?.value);
  clock.later();
  return writes;
}

it('plans what the publish of every article writes for the same edit, byte for byte', async () => {
  const files = await articleFiles();
  // Two neighbours in the middle, and the newest (in the site's feed and the news sitemap).
  const edited = [files[30], files[31], files[0]].map((file) => file ?? '');
  for (const file of edited) await rewrite(file, (text) => text.replace(/^title: "/m, 'title: "Corrected: '));
  await rewrite(edited[0] ?? '', (text) => `${text}\nA paragraph added: its words reach the search index.\n`);
  const planned = await planByKey(edited);
  const writes = await expectPublishedAlike(planned);
  expect(writes.length).toBeGreaterThan(30);
  expect(writes.some((write) => write.key.startsWith('search:'))).toBe(true);
  expect(planned.changeLog.to - planned.changeLog.from).toBe(3);
});

it('plans a correction that moves an article to the newest end of the modified scope as the publish of every article', async () => {
  const files = await articleFiles();
  // An article in the middle, then the newest (in the site's feed): each corrected in turn.
  for (const file of [files[40], files[0]]) {
    await rewrite(file ?? '', withNotice(new Date(clock.now().getTime() - 60_000)));
    const planned = await planByKey([file ?? '']);
    const keys = (await expectPublishedAlike(planned)).map((write) => write.key);
    // The API's `modified` scope, and the documents dated by the newest article.
    expect(keys).toContain(apiListKey('modified', 'head'));
    expect(keys).toEqual(expect.arrayContaining([sitemapKey('pages'), sitemapIndexKey()]));
    if (file === files[0]) expect(keys).toContain(opmlKey());
  }
});

it('plans a correction edited beside other articles as the publish of every article', async () => {
  const files = await articleFiles();
  const notice = () => withNotice(new Date(clock.now().getTime() - 60_000));
  const retitle = (text: string) => text.replace(/^title: "/m, 'title: "Retitled: ');
  // An old article's notice beside the newest article's title: the site feed is made again, but
  // its date (and the OPML list's) is not the moved one's, which the feed does not list.
  await rewrite(files[50] ?? '', notice());
  await rewrite(files[0] ?? '', retitle);
  const beside = (await expectPublishedAlike(await planByKey([files[50] ?? '', files[0] ?? '']))).map(
    (write) => write.key,
  );
  expect(beside).not.toContain(opmlKey());
  // A notice beside a title in another month: the moved article's month part takes its date.
  await rewrite(files[45] ?? '', retitle);
  await rewrite(files[55] ?? '', notice());
  await expectPublishedAlike(await planByKey([files[45] ?? '', files[55] ?? '']));
});

it('plans nothing for files saved again unchanged, and declines what it cannot know by key', async () => {
  const files = await articleFiles();
  const file = files[20] ?? '';
  const unchanged = await planByKey([file]);
  expect(unchanged.plan.phases.every((phase) => phase.writes.length === 0)).toBe(true);
  expect(unchanged.plan.deletes).toEqual([]);
  const declined = async (change: Parameters<typeof planByKey>[1], reason: RegExp) => {
    const planning = planByKey([file], change);
    await expect(planning).rejects.toThrow(DeclinedByKey);
    await expect(planning).rejects.toThrow(reason);
  };
  // A last modification earlier than it was, or later in time but earlier as text (a fraction of
  // a second after it): the documents' dates, taken as text, may then be another article's.
  await declined(
    (articles) => articles.map((article) => ({ ...article, updated: '2000-01-01T00:00:00Z' })),
    /moved earlier/,
  );
  await declined(
    (articles) =>
      articles.map((article) => ({
        ...article,
        updated: (article.updated ?? article.published).replace(/Z$/, '.500Z'),
      })),
    /moved earlier/,
  );
  // A date that is not the newest of the archive: the `modified` scope is not cut again by key.
  await declined(
    (articles) => articles.map((article) => ({ ...article, updated: article.published })),
    /not the newest/,
  );
  await declined(
    (articles) => articles.map((article) => ({ ...article, published: '2015-01-03T00:00:00Z' })),
    /publication date changed/,
  );
  await declined(
    (articles) => articles.map((article) => ({ ...article, id: 9_999_999 })),
    /not in the compile cache|names no group/,
  );
  await declined(
    (articles) => articles.map((article) => ({ ...article, tags: ['moved'] })),
    /not placed as it was/,
  );
  // The first publish's layout is its own: none older is stored, which the index says.
  await expect(planByKey([file])).resolves.toBeDefined();
  const older = planByKey([file], undefined, true);
  await expect(older).rejects.toThrow(/parts of an older layout/);
});
