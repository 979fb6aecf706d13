// The local state a publish writes and `wrangler dev` serves (`--persist-to DIR`): its KV namespaces
// and its images bucket, opened in one Miniflare with a small worker that takes whole batches per
// request. One runtime for both: a second Miniflare for the bucket cost a start of its own, and its
// binding proxy took seconds to list the renditions of an archive's photos.
import type { Response } from 'miniflare';
import { kvNamespacesOf, localKvPath } from './local-kv';
import { IMAGES_BINDING, localR2Path } from './local-r2';

// Every KV operation in flight holds a file (and a socket) in workerd: 32 at a time, not a whole
// batch, so a publish works under a descriptor limit of 256 (macOS's default).
const WORKER_SCRIPT = `
const IN_FLIGHT = 32;
async function eachLimited(items, fn) {
  for (let start = 0; start < items.length; start += IN_FLIGHT)
    await Promise.all(items.slice(start, start + IN_FLIGHT).map(fn));
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const param = (name) => url.searchParams.get(name);
    if (url.pathname.startsWith('/kv/')) {
      const kv = env[param('binding')];
      if (url.pathname === '/kv/put') {
        const batch = await request.json();
        await eachLimited(batch, (w) => kv.put(w.key, w.value, { metadata: w.metadata }));
        return new Response('ok');
      }
      if (url.pathname === '/kv/delete') {
        const keys = await request.json();
        await eachLimited(keys, (key) => kv.delete(key));
        return new Response('ok');
      }
      if (url.pathname === '/kv/list')
        return Response.json(await kv.list({ prefix: param('prefix') ?? '', cursor: param('cursor') || undefined }));
      if (url.pathname === '/kv/get') {
        const value = await kv.get(param('key'), 'text');
        return value === null ? new Response(null, { status: 404 }) : new Response(value);
      }
    }
    if (url.pathname === '/images/list') {
      const page = await env.${IMAGES_BINDING}.list({ prefix: param('prefix') ?? '', cursor: param('cursor') || undefined });
      return Response.json({
        keys: page.objects.map((object) => object.key),
        truncated: page.truncated,
        cursor: page.truncated ? page.cursor : undefined,
      });
    }
    if (url.pathname === '/images/put') {
      await env.${IMAGES_BINDING}.put(param('key'), await request.arrayBuffer(), {
        httpMetadata: { contentType: param('contentType'), cacheControl: param('cacheControl') },
      });
      return new Response('ok');
    }
    return new Response('not found', { status: 404 });
  },
};`;

export interface LocalWorker {
  /** One request to the worker; any answer but 2xx or 404 is thrown. */
  call(path: string, params: Record<string, string>, body?: string | ArrayBuffer): Promise<Response>;
  dispose(): Promise<void>;
}

export async function openLocalWorker(options: {
  configPath: string;
  persistTo: string;
  /** The images bucket's name (wrangler.toml's IMAGES binding), when this publish touches images. */
  imagesBucket?: string;
}): Promise<LocalWorker> {
  // Loaded here, not at the top: a remote publish, or one refused at its arguments, never needs it.
  const { Miniflare } = await import('miniflare');
  const miniflare = new Miniflare({
    modules: true,
    script: WORKER_SCRIPT,
    compatibilityDate: '2026-04-20',
    kvNamespaces: await kvNamespacesOf(options.configPath),
    kvPersist: localKvPath(options.persistTo),
    ...(options.imagesBucket && {
      r2Buckets: { [IMAGES_BINDING]: options.imagesBucket },
      r2Persist: localR2Path(options.persistTo),
    }),
  });
  return {
    async call(path, params, body) {
      const url = new URL(`http://publish.invalid${path}`);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      const response = await miniflare.dispatchFetch(url, body === undefined ? {} : { method: 'POST', body });
      if (!response.ok && response.status !== 404)
        throw new Error(`local state ${path}: ${await response.text()}`);
      return response;
    },
    dispose: () => miniflare.dispose(),
  };
}
