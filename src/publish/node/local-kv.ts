// The local KV state that `wrangler dev` serves (`--persist-to DIR`, layout DIR/v3/kv), opened with
// Miniflare directly. A small writer worker takes whole batches per request: one round trip per few
// hundred keys instead of one per key, which is what makes a 10,000-article publish take seconds.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where wrangler keeps local KV under a `--persist-to` folder. */
export function localKvPath(persistTo: string): string {
  return join(persistTo, 'v3', 'kv');
}

const TABLE_HEADER = /^\s*\[/;
const STRING_ENTRY = /^\s*(binding|id)\s*=\s*"([^"]*)"\s*(?:#.*)?$/;

/**
 * The KV namespaces of a wrangler configuration, as Miniflare wants them. The plain
 * `[[kv_namespaces]]` tables of our wrangler.toml are read directly: importing wrangler to parse
 * them costs seconds, most of a one-article publish. Anything unusual falls back to wrangler.
 */
export async function kvNamespacesOf(configPath: string): Promise<Record<string, string>> {
  const namespaces: Record<string, string> = {};
  let table: { binding?: string; id?: string } | undefined;
  let plain = true;
  const close = () => {
    if (!table) return;
    if (table.binding && table.id) namespaces[table.binding] = table.id;
    else plain = false;
  };
  for (const line of (await readFile(configPath, 'utf8')).split('\n')) {
    if (TABLE_HEADER.test(line)) {
      close();
      table = line.trim() === '[[kv_namespaces]]' ? {} : undefined;
      if (!table && /kv_namespaces/.test(line)) plain = false;
      continue;
    }
    const entry = table && STRING_ENTRY.exec(line);
    if (table && entry) table[entry[1] as 'binding' | 'id'] = entry[2];
  }
  close();
  if (plain && Object.keys(namespaces).length > 0) return namespaces;
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
  return Object.fromEntries(
    Object.entries(workerOptions.kvNamespaces ?? {}).map(([binding, value]) => [
      binding,
      typeof value === 'string' ? value : ((value as { id?: string }).id ?? binding),
    ]),
  );
}

// Every KV operation in flight holds a file (and a socket) in workerd: 32 at a time, not a whole
// batch, so a publish works under a descriptor limit of 256 (macOS's default).
const WRITER_SCRIPT = `
const IN_FLIGHT = 32;
async function eachLimited(items, fn) {
  for (let start = 0; start < items.length; start += IN_FLIGHT)
    await Promise.all(items.slice(start, start + IN_FLIGHT).map(fn));
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const kv = env[url.searchParams.get('binding')];
    if (url.pathname === '/put') {
      const batch = await request.json();
      await eachLimited(batch, (w) => kv.put(w.key, w.value, { metadata: w.metadata }));
      return new Response('ok');
    }
    if (url.pathname === '/delete') {
      const keys = await request.json();
      await eachLimited(keys, (key) => kv.delete(key));
      return new Response('ok');
    }
    if (url.pathname === '/list') {
      const cursor = url.searchParams.get('cursor') || undefined;
      return Response.json(await kv.list({ prefix: url.searchParams.get('prefix') ?? '', cursor }));
    }
    if (url.pathname === '/get') {
      const value = await kv.get(url.searchParams.get('key'), 'text');
      return value === null ? new Response(null, { status: 404 }) : new Response(value);
    }
    return new Response('not found', { status: 404 });
  },
};`;

export interface LocalKv {
  put(binding: string, batch: { key: string; value: string; metadata?: unknown }[]): Promise<void>;
  delete(binding: string, keys: string[]): Promise<void>;
  list(
    binding: string,
    prefix: string,
    cursor?: string,
  ): Promise<{ keys: { name: string; metadata?: unknown }[]; list_complete: boolean; cursor?: string }>;
  get(binding: string, key: string): Promise<string | null>;
  dispose(): Promise<void>;
}

export async function openLocalKv(options: { configPath: string; persistTo: string }): Promise<LocalKv> {
  // Loaded here, not at the top: a remote publish, or one refused at its arguments, never needs it.
  const { Miniflare } = await import('miniflare');
  const miniflare = new Miniflare({
    modules: true,
    script: WRITER_SCRIPT,
    compatibilityDate: '2026-04-20',
    kvNamespaces: await kvNamespacesOf(options.configPath),
    kvPersist: localKvPath(options.persistTo),
  });
  const call = async (path: string, params: Record<string, string>, body?: unknown) => {
    const url = new URL(`http://writer.invalid${path}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await miniflare.dispatchFetch(
      url,
      body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
    );
    if (!response.ok && response.status !== 404)
      throw new Error(`local KV ${path}: ${await response.text()}`);
    return response;
  };
  return {
    async put(binding, batch) {
      await (await call('/put', { binding }, batch)).text();
    },
    async delete(binding, keys) {
      await (await call('/delete', { binding }, keys)).text();
    },
    async list(binding, prefix, cursor) {
      const response = await call('/list', { binding, prefix, ...(cursor && { cursor }) });
      return (await response.json()) as Awaited<ReturnType<LocalKv['list']>>;
    },
    async get(binding, key) {
      const response = await call('/get', { binding, key });
      return response.status === 404 ? null : response.text();
    },
    dispose: () => miniflare.dispose(),
  };
}
