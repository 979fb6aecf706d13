// Publishes content into the test's KV namespace with the same pipeline as `npm run publish`
// (compile → build records → plan → write in order), against miniflare's real KV.
import { env } from 'cloudflare:workers';
import { type Manifest, manifestSchema } from '../../src/articles/article';
import { manifestKey, OWNED_KEY_PREFIXES } from '../../src/articles/keys';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { buildRecords, type RecordSet } from '../../src/publish/build-records';
import { type KvWrite, type PublishPlan, planPublish } from '../../src/publish/plan';
import { repositoryContent } from './content';

export const FIXED_NOW = new Date('2026-01-01T00:00:00Z');

async function storedHashes(kv: KVNamespace): Promise<Map<string, string | undefined>> {
  const keys = new Map<string, string | undefined>();
  for (const prefix of OWNED_KEY_PREFIXES) {
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<{ hash?: string }> = await kv.list({
        prefix,
        ...(cursor && { cursor }),
      });
      for (const key of page.keys) keys.set(key.name, key.metadata?.hash);
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }
  return keys;
}

export interface PublishResult {
  records: RecordSet;
  plan: PublishPlan;
}

/** The manifest now in KV, or null when it is absent or garbled (as the CLI treats it). */
function decodeManifest(text: string | null): Manifest | null {
  if (!text) return null;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not JSON: a publish overwrites it.
    return null;
  }
}

/** Builds and plans a publish of `input` against env.ARTICLES, writing nothing. */
export async function planFor(
  input: ContentInput = repositoryContent(),
  now = FIXED_NOW,
): Promise<PublishResult> {
  const kv = env.ARTICLES;
  const previous = decodeManifest(await kv.get(manifestKey()));
  const records = await buildRecords(compileContent(input), { previous, now });
  const plan = await planPublish(records, await storedHashes(kv));
  return { records, plan };
}

/** Writes one batch of a plan, as the CLI does for each phase. */
export async function writeBatch(writes: readonly KvWrite[]): Promise<void> {
  const kv = env.ARTICLES;
  await Promise.all(writes.map((w) => kv.put(w.key, w.value, { metadata: { hash: w.hash } })));
}

/** Publishes `input` (default: the repository's content/) into env.ARTICLES. */
export async function publish(
  input: ContentInput = repositoryContent(),
  now = FIXED_NOW,
): Promise<PublishResult> {
  const { records, plan } = await planFor(input, now);
  for (const phase of plan.phases) await writeBatch(phase.writes);
  await Promise.all(plan.deletes.map((key) => env.ARTICLES.delete(key)));
  return { records, plan };
}
