// The local R2 bucket of article images that `wrangler dev` serves (`--persist-to DIR`, layout
// DIR/v3/r2), opened with Miniflare as local-kv.ts opens KV, so `npm start` shows what publish uploaded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageBucket } from '../images';

/** The binding of the images bucket in wrangler.toml. */
export const IMAGES_BINDING = 'IMAGES';

/** Where wrangler keeps local R2 under a `--persist-to` folder. */
export function localR2Path(persistTo: string): string {
  return join(persistTo, 'v3', 'r2');
}

/**
 * The bucket name of `binding` in the top-level `[[r2_buckets]]` tables: wrangler dev stores a
 * local bucket under its name (the env's inline tables name the same bucket).
 */
export async function bucketNameOf(configPath: string, binding: string): Promise<string | undefined> {
  let table: Record<string, string> | undefined;
  const found: Record<string, string>[] = [];
  for (const line of (await readFile(configPath, 'utf8')).split('\n')) {
    if (/^\s*\[/.test(line)) {
      table = line.trim() === '[[r2_buckets]]' ? {} : undefined;
      if (table) found.push(table);
      continue;
    }
    const entry = table && /^\s*(binding|bucket_name)\s*=\s*"([^"]*)"/.exec(line);
    if (table && entry?.[1] && entry[2] !== undefined) table[entry[1]] = entry[2];
  }
  return found.find((each) => each.binding === binding)?.bucket_name;
}

export interface LocalImages {
  bucket: ImageBucket;
  dispose(): Promise<void>;
}

export async function openLocalImages(options: {
  configPath: string;
  persistTo: string;
}): Promise<LocalImages> {
  const bucketName = await bucketNameOf(options.configPath, IMAGES_BINDING);
  if (!bucketName) throw new Error(`${options.configPath} has no [[r2_buckets]] binding ${IMAGES_BINDING}`);
  // Loaded here, not at the top, as local-kv.ts loads it.
  const { Miniflare } = await import('miniflare');
  const miniflare = new Miniflare({
    modules: true,
    script: 'export default { fetch: () => new Response(null, { status: 404 }) };',
    compatibilityDate: '2026-04-20',
    r2Buckets: { [IMAGES_BINDING]: bucketName },
    r2Persist: localR2Path(options.persistTo),
  });
  const r2 = await miniflare.getR2Bucket(IMAGES_BINDING);
  return {
    bucket: {
      list: (listOptions) => r2.list(listOptions),
      // Miniflare's proxy serialises plain ArrayBuffers only: a Node Buffer (sharp's output) is copied out.
      put: (key, value, putOptions) => r2.put(key, new Uint8Array(value).buffer, putOptions),
    },
    dispose: () => miniflare.dispose(),
  };
}
