// Publishes content into the test's KV namespace with the same pipeline as `npm run publish`
// (src/publish/pipeline.ts: compile → build records → log changes → plan → write in order).
// The mirror list is signed with a throwaway key made here, never the sample site's secret key.
import { env } from 'cloudflare:workers';
import { type CompiledContent, type ContentInput, compileContent } from '../../src/content/compile';
import { encodePublicKey, generateSecretKey, type SecretKey } from '../../src/mirrors/minisign';
import { applyPlan, type PreparedPublish, preparePublish } from '../../src/publish/pipeline';
import type { KvWrite } from '../../src/publish/plan';
import type { RecordMemo } from '../../src/publish/record-memo';
import { runPool } from '../../src/shared/run-pool';
import { readValueMetadata, type ValueMetadata } from '../../src/storage/consistency';
import { OWNED_KEY_PREFIXES } from '../../src/storage/keys';
import { repositoryContent } from './content';

export const FIXED_NOW = new Date('2026-01-01T00:00:00Z');

/** What stands for KV's writer token where a test vouches that it alone wrote (PublishTestOptions.edited). */
const TEST_WRITER = 'this test';

async function storedHashes(kv: KVNamespace): Promise<Map<string, Partial<ValueMetadata>>> {
  const keys = new Map<string, Partial<ValueMetadata>>();
  for (const prefix of OWNED_KEY_PREFIXES) {
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<unknown> = await kv.list({
        prefix,
        ...(cursor && { cursor }),
      });
      for (const key of page.keys) keys.set(key.name, readValueMetadata(key.metadata));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }
  return keys;
}

export type PublishResult = PreparedPublish;

export interface PublishTestOptions {
  repair?: boolean;
  preview?: boolean;
  memo?: RecordMemo;
  /** The articles edited in place since the last publish, which this test applied (PublishOptions.edited). */
  edited?: ReadonlySet<number>;
}

let testKey: Promise<SecretKey> | undefined;

/** This test file's signing key: generated once, like the key CI makes for itself. */
export function testSigningKey(): Promise<SecretKey> {
  testKey ??= generateSecretKey();
  return testKey;
}

/** The compiled content with site.yaml's `signing_key` replaced by the test key's public key. */
export async function signedByTestKey(content: CompiledContent): Promise<CompiledContent> {
  return { ...content, site: { ...content.site, signing_key: encodePublicKey(await testSigningKey()) } };
}

/**
 * What compile made of an input, by the input object and the preview flag: a test that plans the
 * same input twice (with and without a record memo, say) compiles it once. Compiling is a pure
 * function of the input, and nothing downstream changes what it returns. The texts (and images)
 * it was made from are kept beside it, so an input edited in place since (a file added, a text
 * replaced) is compiled again.
 */
const compiled = new WeakMap<ContentInput, Map<boolean, { texts: unknown[]; content: CompiledContent }>>();

const textsOf = (input: ContentInput): unknown[] => [
  input.images,
  input.site.text,
  ...input.articles.flatMap((file) => [file.path, file.text]),
];

function compileOnce(input: ContentInput, preview: boolean): CompiledContent {
  const byPreview = compiled.get(input) ?? new Map<boolean, { texts: unknown[]; content: CompiledContent }>();
  compiled.set(input, byPreview);
  const texts = textsOf(input);
  const known = byPreview.get(preview);
  if (known && known.texts.length === texts.length && known.texts.every((text, i) => text === texts[i]))
    return known.content;
  const content = compileContent(input, undefined, { preview });
  byPreview.set(preview, { texts, content });
  return content;
}

/** Builds and plans a publish of `input` against env.ARTICLES, writing nothing. */
export async function planFor(
  input: ContentInput = repositoryContent(),
  now = FIXED_NOW,
  options: PublishTestOptions = {},
): Promise<PublishResult> {
  const kv = env.ARTICLES;
  const { preview, edited, ...publishOptions } = options;
  return preparePublish(
    await signedByTestKey(compileOnce(input, preview ?? false)),
    {
      listKeys: () => storedHashes(kv),
      getText: (key) => kv.get(key, 'text'),
      // A test that names edited articles has just applied the last plan, and nothing else wrote.
      rememberedWriter: () => (edited ? TEST_WRITER : undefined),
    },
    now,
    {
      signingKey: await testSigningKey(),
      ...publishOptions,
      ...(edited && { edited: { articles: edited, recordedWith: TEST_WRITER } }),
    },
  );
}

/**
 * KV operations in flight at once, as the CLI's local writer keeps a few dozen: with a whole phase
 * in flight (a thousand writes and more), the runtime's KV took twice the CPU per write.
 */
const IN_FLIGHT = 20;

/** Writes one batch of a plan, as the CLI does for each phase. */
export async function writeBatch(writes: readonly KvWrite[]): Promise<void> {
  const kv = env.ARTICLES;
  await runPool(writes, IN_FLIGHT, (w) => kv.put(w.key, w.value, { metadata: w.metadata }));
}

/** Publishes `input` (default: the repository's content/) into env.ARTICLES. */
export async function publish(
  input: ContentInput = repositoryContent(),
  now = FIXED_NOW,
  options: PublishTestOptions = {},
): Promise<PublishResult> {
  return applyPrepared(await planFor(input, now, options));
}

/** Everything a plan does, in order: what two ways of planning one publish must agree on. */
export function planOf(prepared: PublishResult) {
  const { plan, records } = prepared;
  return {
    phases: plan.phases.map((phase) => [phase.name, [...phase.writes].map((w) => [w.key, w.metadata])]),
    deletes: plan.deletes,
    retire: plan.retire,
    unchanged: plan.unchanged,
    manifest: records.manifest.value,
    releases: prepared.releases,
  };
}

/** Writes a plan made by planFor, as publish does once it has planned: for a test that has just planned the same publish. */
export async function applyPrepared(prepared: PublishResult): Promise<PublishResult> {
  await applyPlan(prepared.plan, {
    put: writeBatch,
    delete: (keys) => runPool(keys, IN_FLIGHT, (key) => env.ARTICLES.delete(key)),
  });
  return prepared;
}

let sample: Promise<PublishResult> | undefined;

/**
 * The repository's content published once per test file: the files of sample-site.test.ts only
 * read it, so they share one publish instead of each making its own.
 */
export function publishSample(): Promise<PublishResult> {
  sample ??= publish();
  return sample;
}
