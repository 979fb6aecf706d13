// Publishes content into the test's KV namespace with the same pipeline as `npm run publish`
// (src/publish/pipeline.ts: compile → build records → log changes → plan → write in order).
import { env } from 'cloudflare:workers';
import { OWNED_KEY_PREFIXES } from '../../src/articles/keys';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { applyPlan, type PreparedPublish, preparePublish } from '../../src/publish/pipeline';
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

export type PublishResult = PreparedPublish;

/** Publishes `input` (default: the repository's content/) into env.ARTICLES. */
export async function publish(
  input: ContentInput = repositoryContent(),
  now = FIXED_NOW,
): Promise<PublishResult> {
  const kv = env.ARTICLES;
  const prepared = await preparePublish(
    compileContent(input),
    { listKeys: () => storedHashes(kv), getText: (key) => kv.get(key, 'text') },
    now,
  );
  await applyPlan(prepared.plan, {
    put: async (writes) => {
      await Promise.all(writes.map((w) => kv.put(w.key, w.value, { metadata: { hash: w.hash } })));
    },
    delete: async (keys) => {
      await Promise.all(keys.map((key) => kv.delete(key)));
    },
  });
  return prepared;
}
