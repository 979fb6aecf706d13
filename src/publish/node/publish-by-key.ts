// The publish command's edit by key (../edit-by-key.ts): when the files changed since this
// machine's last publish are a few articles edited in place, and KV, the group index, the file
// table and the folders' digests are all as that publish left them, the command plans and writes
// the edit from them alone, in a time that does not grow with the archive. Anything else (a file
// added, deleted or renamed, an image or site.yaml changed, a publication date moved, another
// writer since, a release staged) is declined, with the reason, before anything is written, and the command
// publishes every article as usual.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteConfig } from '../../config/site-config';
import { compileContent } from '../../content/compile';
import type { SourceFile } from '../../content/problems';
import type { SecretKey } from '../../mirrors/minisign';
import { isOwnedKey } from '../../storage/keys';
import { DeclinedByKey, type PlannedEdit, planEditByKey } from '../edit-by-key';
import { applyPlan, StoredStateError } from '../pipeline';
import { KvLimitError } from '../plan';
import { type ArticleWalk, changedArticleFiles, saveRecordedFolders } from './changed-files';
import { type FileTable, openCompileCache } from './compile-cache';
import type { PersistentGroupIndex } from './group-index-file';
import { publishedArticles } from './group-index-file';
import type { KvStore } from './kv-store';
import { type ListingSnapshot, newWriterToken, putWriterToken, writerStateOf } from './listing-snapshot';
import { sha256BytesSync, sha256HexSync } from './node-digest';
import { fileStamps, readImages, shown } from './read-content';
import type { PersistentRecordMemo } from './record-memo-file';

/** What the command has opened that an edit by key reads and saves. */
export interface ByKeyState {
  contentDir: string;
  now: Date;
  fileTable: FileTable;
  memo: PersistentRecordMemo;
  groupIndex: PersistentGroupIndex;
  snapshot: ListingSnapshot;
  /** The compile cache's file (it is opened here, and closed before the command opens it again). */
  cachePath: string;
  /** The folders' digests' file (changed-files.ts), and their walk begun from it (beginArticleWalk). */
  foldersPath: string;
  walk: Promise<ArticleWalk | undefined>;
  /** KV, once the command has it (the local worker starts meanwhile). */
  store: () => Promise<KvStore>;
  /** The site as the publish signs it, and the key (the command's own rules: a local development key). */
  signing: (site: SiteConfig) => Promise<{ site: SiteConfig; signingKey: SecretKey | null }>;
}

/** An edit planned by key, ready to write: the plan, and what to save once written. */
export interface EditTaken {
  planned: PlannedEdit;
  site: SiteConfig;
  /** Writes the plan (the writer token first) and saves what the next publish reads. */
  write(target: Pick<KvStore, 'put' | 'delete'>): Promise<void>;
  /** Lets go of the compile cache it holds open (after `write`, or instead: a dry run). */
  close(): void;
}

/** Plans an edit by key, or says why not (nothing written, nothing saved either way). */
export async function planPublishByKey(state: ByKeyState): Promise<EditTaken | { declined: string }> {
  const { fileTable, groupIndex } = state;
  const writer = fileTable.recordedWith();
  const walk = await state.walk;
  const unrecorded = 'the last publish left no record of its files and groups for this state of KV';
  if (typeof writer !== 'string' || walk?.recorded.writer !== writer) return { declined: unrecorded };
  if (groupIndex.recordedWith !== writer) {
    // The walk begun is waited for: a thread left walking would hold the command's exit.
    await walk.walking;
    return { declined: unrecorded };
  }
  // KV is read while the files are stat-ed (its writer token and manifest, and the listing's
  // end), and waited for once the edited files are compiled: a broken file is reported first.
  const reading = (async () => {
    const store = await state.store();
    // A listing that cannot be read vouches for nothing: the publish of every article lists KV.
    const last = await state.snapshot.lastCommit().catch(() => undefined);
    return { store, state: await writerStateOf(store), last };
  })();
  reading.catch(() => undefined);
  const changes = await changedArticleFiles(walk, fileTable, () => reading.catch(() => undefined));
  if ('declined' in changes) return changes;
  if (changes.edited.length === 0) return { declined: 'no article file changed' };

  const sitePath = join(state.contentDir, 'site.yaml');
  const siteFile: SourceFile = { path: shown(sitePath), text: await readFile(sitePath, 'utf8') };
  const images = await readImages(state.contentDir, { knownImage: fileTable.knownImage });
  if (images.problems.length > 0 || images.files.some((image) => image.read))
    return { declined: 'an image changed' };
  const sources = await Promise.all(
    changes.edited.map(async ({ found, stamp }) => {
      const file: SourceFile = { path: found.shown, text: await readFile(found.path, 'utf8') };
      fileStamps.set(file, { stamp });
      return file;
    }),
  );
  const cache = await openCompileCache(
    state.cachePath,
    { site: siteFile, images: images.images },
    { bodiesWhenAsked: true },
  );
  // Held open by an edit taken, which saves it after its writes; closed here otherwise.
  let taken = false;
  try {
    // Another compiler, site.yaml or set of images: every article may compile otherwise.
    if (!cache.continued) return { declined: 'site.yaml, an image or the compiler changed' };
    // A broken file stops here (ContentError), as it would the publish of every article.
    const content = compileContent({ site: siteFile, articles: sources, images: images.images }, cache);
    if (content.articles.length !== sources.length)
      return { declined: 'an edited file is a draft, removed, or not an article' };
    // Each file still claims the id it was published with: another id would be another article's.
    for (const article of content.articles) {
      const path = content.ids?.get(article.id)?.path;
      const before = path === undefined ? undefined : fileTable.previousKey(path);
      if (!before || cache.previousArticle(before)?.article.id !== article.id)
        return { declined: `${path ?? 'a file'} claims another id than it did` };
    }
    if (content.articles.some((article) => Date.parse(article.published) > state.now.getTime()))
      return { declined: 'an edited article is scheduled' };
    const kv = await reading;
    if (kv.state.token !== writer || kv.last?.token !== writer || kv.last.manifest !== kv.state.manifest)
      return { declined: "KV is not as this machine's last publish left it" };
    const { site, signingKey } = await state.signing(content.site);
    const { store } = kv;
    const { memo } = state;
    let planned: PlannedEdit;
    try {
      planned = await planEditByKey(
        content.articles,
        site,
        {
          groupsOf: (id) => groupIndex.groupsOf(id),
          group: (key) => groupIndex.group(key),
          articles: publishedArticles(groupIndex, cache),
          memo,
          getText: (key) => store.getText(key),
          digest: sha256BytesSync,
          olderSearchParts: groupIndex.olderSearchParts,
        },
        state.now,
        signingKey,
      );
    } catch (error) {
      if (error instanceof DeclinedByKey) return { declined: error.message };
      // A record over KV's limits, or a change-log page that does not decode: the publish of every
      // article says which, as it would without an edit by key.
      if (error instanceof KvLimitError) return { declined: 'a record is over Workers KV limits' };
      if (error instanceof StoredStateError) return { declined: `${error.key} cannot be read` };
      throw error;
    }
    const { plan } = planned;
    // A file saved again as it was: the publish of every article records its stamp, writing nothing.
    if (plan.phases.every((phase) => phase.writes.length === 0) && plan.deletes.length === 0)
      return { declined: 'the edited files change no record' };
    const seen = kv.state;
    taken = true;
    return {
      planned,
      site,
      close: () => cache.close(),
      async write(target) {
        const token = newWriterToken();
        const unchangedBefore = await putWriterToken(store, { state: seen }, token);
        await applyPlan(planned.plan, {
          put: (writes) => target.put(writes),
          delete: (keys) => target.delete(keys),
        });
        // Saved only once the writes succeeded, as the publish of every article saves.
        await cache.save({ partial: true });
        cache.close();
        await fileTable.save(sources, [], token.value, { partial: true });
        await saveRecordedFolders(state.foldersPath, { writer: token.value, folders: changes.folders });
        planned.remember();
        await memo.save();
        const recorder = groupIndex.begin(writer);
        for (const { builder, group } of planned.remade) await recorder.record(builder, group);
        // Taken only with none of the search index's older parts stored, it leaves none.
        await groupIndex.save(token.value, [], 0);
        // The listing's commit: only if no other writer began meanwhile, and this token is still KV's.
        if (unchangedBefore && (await store.getText(token.key)) === token.value) {
          const manifest = planned.plan.phases.find((phase) => phase.name === 'manifest')?.writes ?? [];
          const [written] = [...manifest];
          // As a listing sees KV: owned keys only (change-log pages are written, never listed).
          await state.snapshot.append(
            seen,
            planned.plan.phases
              .flatMap((phase) => [...phase.writes])
              .filter((write) => isOwnedKey(write.key)),
            planned.plan.deletes.filter(isOwnedKey),
            { token: token.value, manifest: written ? sha256HexSync(written.value) : seen.manifest },
          );
        }
      },
    };
  } finally {
    if (!taken) cache.close();
  }
}
