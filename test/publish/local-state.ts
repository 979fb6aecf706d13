// What a local publish left in its `--persist-to` folder, read back the way `wrangler dev` serves it:
// a Miniflare of its own over the same KV and R2 state, bound as wrangler.toml binds them. Found
// through the same helpers the publish command uses, not through wrangler's platform proxy: importing
// wrangler costs seconds of CPU per file.
import { Miniflare } from 'miniflare';
import { KV_BINDING } from '../../src/publish/node/kv-store';
import { kvNamespacesOf, localKvPath } from '../../src/publish/node/local-kv';
import { bucketNameOf, IMAGES_BINDING, localR2Path } from '../../src/publish/node/local-r2';
import { CONFIG } from './command';

/**
 * A worker that answers with every key, value and metadata of its KV binding in one JSON body: reading them
 * through Miniflare's binding proxy, a round trip and a serialisation per bulk read, cost a second
 * and more per read of the sample site. At /bucket, every object of the images bucket with its
 * bytes (base64), type and upload time: the proxy reads an object's bytes through a synchronous
 * channel that, on a loaded machine, failed its own check on which answer it had received.
 */
const DUMP_SCRIPT = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/bucket') {
      const bucket = env.${IMAGES_BINDING};
      const objects = [];
      let cursor;
      do {
        const page = await bucket.list(cursor ? { cursor } : {});
        for (const { key } of page.objects) {
          const object = await bucket.get(key);
          if (!object) continue;
          const bytes = new Uint8Array(await object.arrayBuffer());
          let binary = '';
          for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          objects.push([key, btoa(binary), object.httpMetadata?.contentType, object.uploaded.getTime()]);
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return Response.json(objects);
    }
    const kv = env[url.searchParams.get('binding')];
    const entries = [];
    let cursor;
    do {
      const page = await kv.list(cursor ? { cursor } : {});
      // A list page is at most 1,000 keys, a bulk read at most 100.
      const names = page.keys.map((key) => key.name);
      for (let start = 0; start < names.length; start += 100) {
        const values = await kv.get(names.slice(start, start + 100), 'text');
        for (const key of page.keys.slice(start, start + 100))
          entries.push([key.name, values.get(key.name) ?? '', ...(key.metadata === undefined ? [] : [key.metadata])]);
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return Response.json(entries);
  },
};`;

/** A Miniflare over the local state in `persistTo`, for the length of `read`. */
async function withLocalState<T>(persistTo: string, read: (miniflare: Miniflare) => Promise<T>): Promise<T> {
  const bucket = await bucketNameOf(CONFIG, IMAGES_BINDING);
  const miniflare = new Miniflare({
    modules: true,
    script: DUMP_SCRIPT,
    compatibilityDate: '2026-04-20',
    kvNamespaces: await kvNamespacesOf(CONFIG),
    kvPersist: localKvPath(persistTo),
    r2Buckets: bucket ? { [IMAGES_BINDING]: bucket } : {},
    r2Persist: localR2Path(persistTo),
  });
  try {
    return await read(miniflare);
  } finally {
    await miniflare.dispose();
  }
}

/** Every key in the local KV state with its value and metadata (absent where it has none). */
export function readKvEntries(
  persistTo: string,
): Promise<Map<string, { value: string; metadata?: unknown }>> {
  return withLocalState(persistTo, async (miniflare) => {
    const response = await miniflare.dispatchFetch(`http://dump.invalid/?binding=${KV_BINDING}`);
    const entries = (await response.json()) as [string, string, unknown?][];
    return new Map(
      entries.map(([key, value, metadata]) => [
        key,
        metadata === undefined ? { value } : { value, metadata },
      ]),
    );
  });
}

/** Every key and value in the local KV state, and every key in the local images bucket: one Miniflare for both. */
export function readKvAndBucketKeys(
  persistTo: string,
): Promise<{ kv: Map<string, string>; images: string[] }> {
  return withLocalState(persistTo, async (miniflare) => {
    const response = await miniflare.dispatchFetch(`http://dump.invalid/?binding=${KV_BINDING}`);
    const entries = (await response.json()) as [string, string, unknown?][];
    const bucket = await miniflare.getR2Bucket(IMAGES_BINDING);
    const images: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await bucket.list(cursor ? { cursor } : {});
      images.push(...page.objects.map((object) => object.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return { kv: new Map(entries.map(([key, value]) => [key, value])), images };
  });
}

/** Every key and value in the local KV state. */
export async function readKv(persistTo: string): Promise<Map<string, string>> {
  return new Map([...(await readKvEntries(persistTo))].map(([key, { value }]) => [key, value]));
}

/** The values of `keys` in the local KV state (null where there is none): a read of a few, not of all. */
export function readKvValues(
  persistTo: string,
  keys: readonly string[],
): Promise<Map<string, string | null>> {
  return withLocalState(persistTo, async (miniflare) => {
    const kv = await miniflare.getKVNamespace(KV_BINDING);
    return new Map(await Promise.all(keys.map(async (key) => [key, await kv.get(key, 'text')] as const)));
  });
}

export interface StoredObject {
  bytes: Buffer;
  contentType?: string;
  uploaded: number;
}

/** Every object in the local images bucket, with its bytes. */
export function readBucket(persistTo: string): Promise<Map<string, StoredObject>> {
  return withLocalState(persistTo, async (miniflare) => {
    const response = await miniflare.dispatchFetch('http://dump.invalid/bucket');
    const objects = (await response.json()) as [string, string, string | null, number][];
    return new Map(
      objects.map(([key, base64, contentType, uploaded]) => [
        key,
        { bytes: Buffer.from(base64, 'base64'), contentType: contentType ?? undefined, uploaded },
      ]),
    );
  });
}
