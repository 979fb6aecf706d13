// Where a publish writes: the local KV state that `wrangler dev` serves (Miniflare, in-process,
// batched) or the deployed namespace (through the wrangler CLI, bulk).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OWNED_KEY_PREFIXES } from '../../articles/keys';
import { readValueMetadata, type ValueMetadata } from '../../storage/consistency';
import type { KvWrite, StoredKeys } from '../plan';
import { openLocalKv } from './local-kv';

export const KV_BINDING = 'ARTICLES';

export interface KvStore {
  /** Every owned key with the hash recorded in its metadata. */
  listKeys(): Promise<StoredKeys>;
  getText(key: string): Promise<string | null>;
  put(writes: KvWrite[], onProgress?: (done: number) => void): Promise<void>;
  delete(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The KV metadata a write carries; the worker and the next publish read it back. */
function metadataOf(write: KvWrite): ValueMetadata {
  return write.metadata;
}

/** Keys and values per round trip to the local writer: big enough to amortise it, small enough to stream. */
const LOCAL_BATCH_SIZE = 500;

export async function openLocalStore(options: { configPath: string; persistTo: string }): Promise<KvStore> {
  const kv = await openLocalKv(options);
  return {
    async listKeys() {
      const keys = new Map<string, Partial<ValueMetadata>>();
      for (const prefix of OWNED_KEY_PREFIXES) {
        let cursor: string | undefined;
        do {
          const page = await kv.list(KV_BINDING, prefix, cursor);
          for (const key of page.keys) keys.set(key.name, readValueMetadata(key.metadata));
          cursor = page.list_complete ? undefined : page.cursor;
        } while (cursor);
      }
      return keys;
    },
    getText: (key) => kv.get(KV_BINDING, key),
    async put(writes, onProgress) {
      for (let start = 0; start < writes.length; start += LOCAL_BATCH_SIZE) {
        const slice = writes.slice(start, start + LOCAL_BATCH_SIZE);
        await kv.put(
          KV_BINDING,
          slice.map((w) => ({ key: w.key, value: w.value, metadata: metadataOf(w) })),
        );
        onProgress?.(start + slice.length);
      }
    },
    async delete(keys) {
      for (let start = 0; start < keys.length; start += LOCAL_BATCH_SIZE)
        await kv.delete(KV_BINDING, keys.slice(start, start + LOCAL_BATCH_SIZE));
    },
    close: () => kv.dispose(),
  };
}

const run = promisify(execFile);

/** The deployed namespace; credentials come from CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID. */
export async function openRemoteStore(options: { configPath: string }): Promise<KvStore> {
  const wrangler = async (...args: string[]) => {
    const { stdout } = await run(
      'npx',
      ['wrangler', ...args, '--binding', KV_BINDING, '--remote', '--config', options.configPath],
      {
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    return stdout;
  };
  const scratch = await mkdtemp(join(tmpdir(), 'mirrorwire-publish-'));
  let batch = 0;
  const bulk = async (command: 'put' | 'delete', payload: unknown) => {
    const file = join(scratch, `batch-${batch++}.json`);
    await writeFile(file, JSON.stringify(payload));
    await wrangler('kv', 'bulk', command, file, ...(command === 'delete' ? ['--force'] : []));
  };
  return {
    async listKeys() {
      const keys = new Map<string, Partial<ValueMetadata>>();
      for (const prefix of OWNED_KEY_PREFIXES) {
        const listed = JSON.parse(await wrangler('kv', 'key', 'list', '--prefix', prefix)) as {
          name: string;
          metadata?: unknown;
        }[];
        for (const key of listed) keys.set(key.name, readValueMetadata(key.metadata));
      }
      return keys;
    },
    async getText(key) {
      try {
        return await wrangler('kv', 'key', 'get', key, '--text');
      } catch {
        // wrangler exits non-zero for a missing key: that is "no value", not a failure.
        return null;
      }
    },
    async put(writes, onProgress) {
      // The bulk API takes at most 10,000 pairs per request.
      for (let start = 0; start < writes.length; start += 5000) {
        const slice = writes.slice(start, start + 5000);
        await bulk(
          'put',
          slice.map((w) => ({ key: w.key, value: w.value, metadata: metadataOf(w) })),
        );
        onProgress?.(start + slice.length);
      }
    },
    async delete(keys) {
      for (let start = 0; start < keys.length; start += 5000)
        await bulk('delete', keys.slice(start, start + 5000));
    },
    close: () => rm(scratch, { recursive: true, force: true }),
  };
}
