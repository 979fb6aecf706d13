// Publishes content into the test's KV namespace with the same pipeline as `npm run publish`
// (compile → build records → plan → write in order), against miniflare's real KV.
import { env } from 'cloudflare:workers';
import { manifestSchema } from '../../src/articles/article';
import { manifestKey, OWNED_KEY_PREFIXES } from '../../src/articles/keys';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { buildRecords, type RecordSet } from '../../src/publish/build-records';
import { type PublishPlan, planPublish } from '../../src/publish/plan';
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

/** Publishes `input` (default: the repository's content/) into env.ARTICLES. */
export async function publish(
  input: ContentInput = repositoryContent(),
  now = FIXED_NOW,
): Promise<PublishResult> {
  const kv = env.ARTICLES;
  const previousText = await kv.get(manifestKey());
  const previous = previousText ? manifestSchema.parse(JSON.parse(previousText)) : null;
  const records = await buildRecords(compileContent(input), { previous, now });
  const plan = await planPublish(records, await storedHashes(kv));
  for (const phase of plan.phases) {
    await Promise.all(phase.writes.map((w) => kv.put(w.key, w.value, { metadata: { hash: w.hash } })));
  }
  await Promise.all(plan.deletes.map((key) => kv.delete(key)));
  return { records, plan };
}
