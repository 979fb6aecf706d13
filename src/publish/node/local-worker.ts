// The local state a publish writes and `wrangler dev` serves (`--persist-to DIR`): its KV namespaces
// and its images bucket, opened in one Miniflare with a small worker that takes whole batches per
// request. One runtime for both: a second Miniflare for the bucket cost a start of its own, and its
// binding proxy took seconds to list the renditions of an archive's photos.
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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

/**
 * Runs in a thread of its own: Miniflare's module takes a second or more to load and workerd as long
 * to start, which then pass beside the files being read and compiled (publish-command.ts starts the
 * worker first) rather than before the first KV read. Plain CommonJS without the TypeScript loader,
 * which would only slow the load; the thread answers with the address of the worker's entry.
 */
const THREAD_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const { Miniflare } = require(workerData.miniflare);
const miniflare = new Miniflare(workerData.options);
miniflare.ready.then(
  (url) => parentPort.postMessage({ url: url.href }),
  (error) => parentPort.postMessage({ error: String((error && error.stack) || error) }),
);
parentPort.on('message', async () => {
  await miniflare.dispose();
  parentPort.close();
});`;

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
  const miniflareOptions = {
    modules: true,
    script: WORKER_SCRIPT,
    compatibilityDate: '2026-04-20',
    kvNamespaces: await kvNamespacesOf(options.configPath),
    kvPersist: localKvPath(options.persistTo),
    ...(options.imagesBucket && {
      r2Buckets: { [IMAGES_BINDING]: options.imagesBucket },
      r2Persist: localR2Path(options.persistTo),
    }),
  };
  const thread = new Worker(THREAD_SCRIPT, {
    eval: true,
    execArgv: [],
    workerData: { miniflare: createRequire(import.meta.url).resolve('miniflare'), options: miniflareOptions },
  });
  const exited = once(thread, 'exit');
  const [answer] = (await Promise.race([
    once(thread, 'message'),
    exited.then(([code]) => [{ error: `the local worker's thread ended (${code}) before it started` }]),
  ])) as [{ url?: string; error?: string }];
  if (answer.url === undefined) {
    await thread.terminate();
    throw new Error(`the local state could not be opened: ${answer.error}`);
  }
  const entry = answer.url;
  return {
    async call(path, params, body) {
      const url = new URL(path, entry);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      const response = await fetch(url, body === undefined ? {} : { method: 'POST', body });
      if (!response.ok && response.status !== 404)
        throw new Error(`local state ${path}: ${await response.text()}`);
      return response;
    },
    async dispose() {
      thread.postMessage('dispose');
      await exited;
    },
  };
}
