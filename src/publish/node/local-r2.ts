// The local R2 bucket of article images that `wrangler dev` serves (`--persist-to DIR`, layout
// DIR/v3/r2), written through the local publish worker (local-worker.ts), so `npm start` shows what
// publish uploaded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageBucket } from '../images';
import type { LocalWorker } from './local-worker';

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

/** The local images bucket through the local publish worker (opened with its name). */
export function localImageBucket(worker: LocalWorker): ImageBucket {
  return {
    async list({ prefix, cursor }) {
      const response = await worker.call('/images/list', { prefix, ...(cursor && { cursor }) });
      const page = (await response.json()) as { keys: string[]; truncated: boolean; cursor?: string };
      return {
        objects: page.keys.map((key) => ({ key })),
        truncated: page.truncated,
        ...(page.cursor && { cursor: page.cursor }),
      };
    },
    async put(key, value, { httpMetadata }) {
      const params = { key, contentType: httpMetadata.contentType, cacheControl: httpMetadata.cacheControl };
      // A plain ArrayBuffer crosses into the runtime; a Node Buffer (sharp's output) is copied out.
      await (await worker.call('/images/put', params, new Uint8Array(value).buffer)).text();
    },
  };
}
