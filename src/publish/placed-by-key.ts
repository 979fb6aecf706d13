// The placed groups that show some articles, made again by key rather than cut from the archive:
// found in the group index (group-index.ts), their members read by id, and each made by its builder
// from its recipe (IndexBuilder.remake) twice. With the members as last published, the group's
// fingerprint names what the record memo remembers it to have produced, which is what KV holds
// while KV is as this machine's last publish left it; with the edited articles in their places, it
// gives the values an edit would write. What an edit by key writes of its placed groups is those
// values whose hashes differ from the remembered ones.
import type { SiteConfig } from '../config/site-config';
import type { CompiledContent } from '../content/compile';
import { groupFingerprint, siteInputOf } from './build-records';
import type { IndexedGroup } from './group-index';
import { ARTICLE_RECORDS } from './indexes/article-records';
import { buildGroups, type GroupContext, INDEX_BUILDERS, type Records } from './indexes/index-builder';
import type { GroupOutput, RecordMemo } from './record-memo';

type CompiledArticle = CompiledContent['articles'][number];

const BUILDERS = [ARTICLE_RECORDS, ...INDEX_BUILDERS];

export interface PlacedByKeySource {
  /** The site as the last publish built with it (its stored manifest's). */
  site: SiteConfig;
  /** The placed groups that list the article (group-index.ts). */
  groupsOf(id: number): Promise<IndexedGroup[]>;
  /** The articles as last published, in the order asked (the compile cache, by the index's file keys). */
  articles(ids: readonly number[]): Promise<CompiledArticle[]>;
  memo: RecordMemo;
  /** Names an article among a group's inputs as the publish does (build-records.ts articleInputs). */
  context: GroupContext;
}

/** One placed group showing an edited article, made again. */
export interface RemadeGroup {
  builder: string;
  /** Its first key: its name in the index. */
  key: string;
  /** What the memo remembers the group as last published to have produced (key and hash); undefined if nothing. */
  remembered: GroupOutput | undefined;
  /** Its values with the edited articles. */
  values: Records;
}

/**
 * Every placed group that lists one of `edited` (each an article as it is now, placed as it was:
 * placement.ts), made again, each once however many of them it lists.
 */
export async function remakePlacedByKey(
  edited: readonly CompiledArticle[],
  source: PlacedByKeySource,
): Promise<RemadeGroup[]> {
  const now = new Map(edited.map((article) => [article.id, article]));
  const groups = new Map<string, IndexedGroup>();
  for (const article of edited)
    for (const group of await source.groupsOf(article.id)) groups.set(group.key, group);
  const site = siteInputOf(source.memo, source.site);
  const remade: RemadeGroup[] = [];
  for (const group of groups.values()) {
    const remake = BUILDERS.find((builder) => builder.name === group.builder)?.remake;
    if (!remake) throw new Error(`the group index names ${group.builder}, which makes no placed group`);
    const before = await source.articles(group.members);
    const previous = remake(source.site, group.recipe, before, source.context);
    const inputs = previous.inputs?.();
    const remembered =
      inputs && source.memo.lookup(groupFingerprint(source.memo, group.builder, site, inputs));
    const after = before.map((article) => now.get(article.id) ?? article);
    remade.push({
      builder: group.builder,
      key: group.key,
      remembered,
      values: buildGroups([remake(source.site, group.recipe, after, source.context)]),
    });
  }
  return remade;
}
