// Which articles a publish may have changed since the last one, when the change moves nothing (a
// correction): the files read this time, the file table knowing every other one unchanged, each
// compiled to an article placed exactly as its last version was (placement.ts). A new, deleted,
// renamed, re-dated or re-tagged article, or a compiler, site.yaml or code other than the last
// publish's, answers undefined, and the publish looks at every group as usual. The answer holds
// only for the state of KV the files were recorded with (FileTable.recordedWith), which the
// pipeline checks against what it finds (pipeline.ts, PublishOptions.edited).
import type { EditedInPlace } from '../pipeline';
import { placementOf } from '../placement';
import type { FileTable, PersistentCompileCache } from './compile-cache';
import type { PersistentRecordMemo } from './record-memo-file';

export function editedInPlace(
  cache: Pick<PersistentCompileCache, 'continued' | 'readThisTime' | 'previousArticle'>,
  files: Pick<FileTable, 'previousKey' | 'recordedWith'>,
  memo: Pick<PersistentRecordMemo, 'continued'>,
): EditedInPlace | undefined {
  const recordedWith = files.recordedWith();
  if (!cache.continued || !memo.continued || typeof recordedWith !== 'string') return undefined;
  const edited = new Set<number>();
  for (const [path, compiled] of cache.readThisTime) {
    const key = files.previousKey(path);
    const before = key === undefined ? undefined : cache.previousArticle(key);
    if (!before || placementOf(before) !== placementOf(compiled)) return undefined;
    edited.add(compiled.article.id);
  }
  return { articles: edited, recordedWith };
}
