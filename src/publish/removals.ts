// Removed articles: which ids were taken down, carried from one publish to the next in one registry
// record (their files are gone, so content/ cannot say), the 410 record of each, and the refusal of
// a removed id reused. Pure apart from the reads the pipeline hands it.

import type { CompiledContent } from '../content/compile';
import type { Problem } from '../content/problems';
import { removalRegistryKey, removedArticleIdOf, removedArticleKey } from '../storage/keys';
import {
  type RemovalRegistry,
  type RemovedArticle,
  removalRegistrySchema,
  removedArticleSchema,
} from '../storage/records';
import type { Records } from './indexes/index-builder';
import { parseStored } from './stored-json';

/** What a removal reads: single values by key (the pipeline's PublishSource). */
interface RemovalSource {
  getText(key: string): Promise<string | null>;
}

/** Thrown when the stored registry cannot be read; the pipeline turns it into its own stored-state error. */
export class UnreadableRegistryError extends Error {
  override readonly name = 'UnreadableRegistryError';
  constructor(readonly key: string) {
    super(`${key} is not a removal registry`);
  }
}

/**
 * The removed articles KV knows of, by id. The registry is one read; without one (the first publish
 * that has removals, or a repair of a garbled one) it is rebuilt from the per-article records listed.
 */
export async function readRemovedArticles(
  source: RemovalSource,
  listedKeys: Iterable<string>,
  repair: boolean,
): Promise<Map<number, RemovedArticle>> {
  const stored = parseStored(await source.getText(removalRegistryKey()));
  if (stored !== null) {
    const parsed = removalRegistrySchema.safeParse(stored);
    if (parsed.success) return new Map(parsed.data.articles.map((article) => [article.id, article]));
    if (!repair) throw new UnreadableRegistryError(removalRegistryKey());
  }
  const found = new Map<number, RemovedArticle>();
  for (const key of listedKeys) {
    const id = removedArticleIdOf(key);
    if (id === null) continue;
    const parsed = removedArticleSchema.safeParse(parseStored(await source.getText(key)));
    // A repair keeps what it can read; the id of an unreadable record is lost with it.
    if (parsed.success && parsed.data.id === id) found.set(id, parsed.data);
  }
  return found;
}

/** `path:line` problems for every file that claims an id removed earlier without `removed: true`. */
export function reusedIdProblems(
  content: CompiledContent,
  removed: ReadonlyMap<number, RemovedArticle>,
): Problem[] {
  const problems: Problem[] = [];
  for (const [id, claim] of content.ids ?? []) {
    const earlier = removed.get(id);
    if (!earlier || claim.removed) continue;
    problems.push({
      path: claim.path,
      line: claim.line,
      reason: `id: ${id} was removed on ${earlier.removedAt}; a removed id is never reused`,
    });
  }
  return problems.sort((a, b) => a.path.localeCompare(b.path));
}

export interface RemovalInput {
  /** What KV knew before this publish. */
  stored: ReadonlyMap<number, RemovedArticle>;
  /**
   * Articles whose API record is stored but that no file claims any more (deleted from content/),
   * with what their last record said. A draft is not among them: it may come back.
   */
  deleted: ReadonlyMap<number, { guid: string; section: string }>;
  stamp: string;
}

/** The registry after this publish: the stored one, plus files marked removed, plus files deleted. */
export function nextRemovals(content: CompiledContent, input: RemovalInput): RemovedArticle[] {
  const next = new Map(input.stored);
  for (const file of content.removedFiles ?? []) {
    const earlier = next.get(file.id);
    // The file is still there, so it has the last word on the public reason.
    next.set(file.id, {
      id: file.id,
      guid: file.guid,
      section: file.section,
      removedAt: earlier?.removedAt ?? input.stamp,
      ...(file.reason !== undefined && { reason: file.reason }),
    });
  }
  for (const [id, last] of input.deleted) {
    if (!next.has(id)) next.set(id, { id, ...last, removedAt: input.stamp });
  }
  return [...next.values()].sort((a, b) => a.id - b.id);
}

/** The registry and one record per removed article (read by the 410 page when the article is missing). */
export function buildRemovalRecords(content: CompiledContent): Records {
  const records: Records = new Map();
  const articles = content.removals?.articles ?? [];
  for (const article of articles) records.set(removedArticleKey(article.id), JSON.stringify(article));
  // Absent until the first removal (the registry never shrinks), so a site without any has no key.
  if (articles.length === 0) return records;
  const registry: RemovalRegistry = { articles };
  records.set(removalRegistryKey(), JSON.stringify(registry));
  return records;
}
