// Scheduled articles: an article whose `published` is in the future is held back from every
// surface. Publish precomputes the state after each release (pipeline.ts) and stores the writes
// that lead to it; the cron trigger applies them when their time comes (storage/scheduled-release.ts).
import type { CompiledContent } from '../content/compile';
import type { PublishSource } from './pipeline';
import type { KvWrite, PublishPlan, StoredKeys } from './plan';

/**
 * Releases staged by one publish at most; later ones are staged by a publish after the first
 * releases (the CLI says so). Each costs a full build of the records at publish time.
 */
export const MAX_STAGED_RELEASES = 24;

export type { ReleaseRecord } from '../storage/release-record';

/** The content as of `at`: articles published at or before it (the rest are scheduled). */
export function contentAsOf(content: CompiledContent, at: Date): CompiledContent {
  const cutoff = at.getTime();
  const articles = content.articles.filter((article) => Date.parse(article.published) <= cutoff);
  return articles.length === content.articles.length ? content : { ...content, articles };
}

/** A local preview (`npm run preview`): scheduled articles are shown at once, marked as not published. */
export function previewOf(content: CompiledContent, now: Date): CompiledContent {
  const cutoff = now.getTime();
  const articles = content.articles.map((article) =>
    Date.parse(article.published) > cutoff ? { ...article, draft: true as const } : article,
  );
  return { ...content, articles };
}

/**
 * The instants at which scheduled articles go live, oldest first: one per minute that holds a
 * `published` time (the cron runs each minute), at the latest such time within it.
 */
export function releaseTimes(content: CompiledContent, now: Date): Date[] {
  const byMinute = new Map<number, number>();
  for (const article of content.articles) {
    const at = Date.parse(article.published);
    if (at <= now.getTime()) continue;
    const minute = Math.floor(at / 60_000);
    byMinute.set(minute, Math.max(byMinute.get(minute) ?? 0, at));
  }
  return [...byMinute.values()].sort((a, b) => a - b).map((ms) => new Date(ms));
}

/**
 * What KV would hold after a plan is applied, over what it holds now: the next release is
 * planned against the state the previous one leaves, without writing anything.
 */
export class PlannedState implements PublishSource {
  /** Planned writes (their values stay in the plan's record stores until read), or null for deletes. */
  private readonly writes = new Map<string, KvWrite | null>();

  constructor(
    private readonly base: PublishSource,
    private readonly listed: StoredKeys,
  ) {}

  apply(plan: PublishPlan): void {
    for (const phase of plan.phases) for (const write of phase.writes) this.set(write);
    for (const key of plan.deletes) this.writes.set(key, null);
  }

  private set(write: KvWrite): void {
    this.writes.set(write.key, write);
  }

  async listKeys(): Promise<StoredKeys> {
    const keys = new Map(this.listed);
    for (const [key, write] of this.writes) {
      if (write === null) keys.delete(key);
      // The overlay also holds change-log pages, which are not listed (not an owned prefix).
      else if (!key.startsWith('changes:')) keys.set(key, write.metadata);
    }
    return keys;
  }

  async getText(key: string): Promise<string | null> {
    const write = this.writes.get(key);
    return write === undefined ? this.base.getText(key) : (write?.value ?? null);
  }
}
