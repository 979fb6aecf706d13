// The local KV state that `wrangler dev` serves (`--persist-to DIR`, layout DIR/v3/kv): where it
// lives, its namespaces as wrangler.toml binds them, and its reads and writes through the local
// publish worker (local-worker.ts), whole batches per request: one round trip per few hundred keys
// instead of one per key, which is what makes a 10,000-article publish take seconds.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalWorker } from './local-worker';

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

export interface LocalKv {
  put(binding: string, batch: { key: string; value: string; metadata?: unknown }[]): Promise<void>;
  delete(binding: string, keys: string[]): Promise<void>;
  list(
    binding: string,
    prefix: string,
    cursor?: string,
  ): Promise<{ keys: { name: string; metadata?: unknown }[]; list_complete: boolean; cursor?: string }>;
  get(binding: string, key: string): Promise<string | null>;
}

/** The local KV namespaces through the local publish worker. */
export function localKv(worker: LocalWorker): LocalKv {
  return {
    async put(binding, batch) {
      await (await worker.call('/kv/put', { binding }, JSON.stringify(batch))).text();
    },
    async delete(binding, keys) {
      await (await worker.call('/kv/delete', { binding }, JSON.stringify(keys))).text();
    },
    async list(binding, prefix, cursor) {
      const response = await worker.call('/kv/list', { binding, prefix, ...(cursor && { cursor }) });
      return (await response.json()) as Awaited<ReturnType<LocalKv['list']>>;
    },
    async get(binding, key) {
      const response = await worker.call('/kv/get', { binding, key });
      return response.status === 404 ? null : response.text();
    },
  };
}
