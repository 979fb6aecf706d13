// Which articles a publish may have changed since the last one, when the change moves nothing (a
// correction): the files read this time, the file table knowing every other one unchanged, each
// compiled to an article placed exactly as its last version was (placement.ts). A new, deleted,
// renamed, re-dated or re-tagged article, or a compiler, site.yaml or code other than the last
// publish's, answers undefined, and the publish looks at every group as usual.
import { placementOf } from '../placement';
import type { FileTable, PersistentCompileCache } from './compile-cache';
import type { PersistentRecordMemo } from './record-memo-file';

export function editedInPlace(
  cache: Pick<PersistentCompileCache, 'continued' | 'readThisTime' | 'previousArticle'>,
  files: Pick<FileTable, 'previousKey'>,
  memo: Pick<PersistentRecordMemo, 'continued'>,
): ReadonlySet<number> | undefined {
  if (!cache.continued || !memo.continued) return undefined;
  const edited = new Set<number>();
  for (const [path, compiled] of cache.readThisTime) {
    const key = files.previousKey(path);
    const before = key === undefined ? undefined : cache.previousArticle(key);
    if (!before || placementOf(before) !== placementOf(compiled)) return undefined;
    edited.add(compiled.article.id);
  }
  return edited;
}
