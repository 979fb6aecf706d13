// Where a publish writes: the local KV state that `wrangler dev` serves (Miniflare, in a thread,
// batched) or the deployed namespace (Cloudflare's REST API). Both record a value's hash in its KV
// metadata through the same two functions, so the next publish can diff without reading values.

import { messageOf } from '../../shared/error-message';
import { sourcedGetter } from '../../shared/read-when-asked';
import { readValueMetadata, type ValueMetadata } from '../../storage/consistency';
import { OWNED_KEY_PREFIXES } from '../../storage/keys';
import { type KvWrite, type PlannedWrites, type StoredKeys, valueBytesOf } from '../plan';
import {
  createKvApi,
  KvApiConfigError,
  type KvApiSettings,
  type KvPair,
  kvApiSettingsFromEnv,
} from './cloudflare-kv';
import { kvNamespacesOf, localKv } from './local-kv';
import type { LocalWorker } from './local-worker';

export const KV_BINDING = 'ARTICLES';

export interface KvStore {
  /** Every owned key with the hash recorded in its metadata. */
  listKeys(): Promise<StoredKeys>;
  getText(key: string): Promise<string | null>;
  put(writes: PlannedWrites, onProgress?: (done: number) => void): Promise<void>;
  delete(keys: string[], onProgress?: (done: number) => void): Promise<void>;
  close(): Promise<void>;
}

/** The KV metadata written with a value. Its shape is decided here and nowhere else. */
export function metadataFor(write: KvWrite): ValueMetadata {
  return write.metadata;
}

/** A read failed earlier in this publish, so nothing it planned may be written. */
export class StoreReadError extends Error {
  override name = 'StoreReadError';
}

/**
 * A store that, once a read has failed, refuses every write. The pipeline takes an unreadable
 * manifest for an absent one (it repairs garbled JSON that way), which must not extend to a read
 * that never got an answer: a plan made on a guess is not written.
 */
function refuseWritesAfterFailedRead(store: KvStore): KvStore {
  let failure: unknown;
  const remember = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      failure ??= error;
      throw error;
    }
  };
  const check = () => {
    if (failure !== undefined) throw new StoreReadError(messageOf(failure), { cause: failure });
  };
  return {
    listKeys: () => remember(() => store.listKeys()),
    getText: (key) => remember(() => store.getText(key)),
    async put(writes, onProgress) {
      check();
      await store.put(writes, onProgress);
    },
    async delete(keys, onProgress) {
      check();
      await store.delete(keys, onProgress);
    },
    close: () => store.close(),
  };
}

/** Keys and values per round trip to the local writer: big enough to amortise it, small enough to stream. */
const LOCAL_BATCH_SIZE = 500;

/**
 * And at most about this many characters of values per round trip: 500 full-text feed archives
 * (a few hundred KB each) made one request of a hundred MB, a first publish's peak at 10,000 articles.
 */
const LOCAL_BATCH_CHARS = 4 * 2 ** 20;

/** The local namespace through the local publish worker; closing the store leaves the worker to its owner. */
export function localStore(worker: LocalWorker): KvStore {
  const kv = localKv(worker);
  return refuseWritesAfterFailedRead({
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
      // Each value is read as its batch is made, never the whole phase at once.
      let batch: { key: string; value: string; metadata: ValueMetadata }[] = [];
      let chars = 0;
      let sent = 0;
      const send = async () => {
        await kv.put(KV_BINDING, batch);
        sent += batch.length;
        onProgress?.(sent);
        batch = [];
        chars = 0;
      };
      for (const write of writes) {
        const { value } = write;
        batch.push({ key: write.key, value, metadata: metadataFor(write) });
        chars += value.length;
        if (batch.length === LOCAL_BATCH_SIZE || chars >= LOCAL_BATCH_CHARS) await send();
      }
      if (batch.length > 0) await send();
    },
    async delete(keys, onProgress) {
      for (let start = 0; start < keys.length; start += LOCAL_BATCH_SIZE) {
        const slice = keys.slice(start, start + LOCAL_BATCH_SIZE);
        await kv.delete(KV_BINDING, slice);
        onProgress?.(start + slice.length);
      }
    },
    close: async () => {},
  });
}

/**
 * How to reach the deployed namespace: its id from the ARTICLES binding in the wrangler
 * configuration, credentials and tuning from the environment. Throws KvApiConfigError.
 */
export async function remoteSettings(configPath: string, env: NodeJS.ProcessEnv): Promise<KvApiSettings> {
  const namespaceId = (await kvNamespacesOf(configPath))[KV_BINDING];
  if (!namespaceId) throw new KvApiConfigError(`${configPath} has no KV namespace bound as ${KV_BINDING}`);
  return kvApiSettingsFromEnv(env, namespaceId);
}

/** A pair's value, read from its planned write once, when its batch is made, never the whole phase at once. */
const valueFromWrite = sourcedGetter<{ key: string }, KvWrite>('value', (write) => write.value);

/** The deployed namespace, through Cloudflare's REST API; `log` gets a line per retried request. */
export function openRemoteStore(settings: KvApiSettings, log?: (line: string) => void): KvStore {
  const api = createKvApi(settings, log);
  return refuseWritesAfterFailedRead({
    async listKeys() {
      const keys = new Map<string, Partial<ValueMetadata>>();
      for (const prefix of OWNED_KEY_PREFIXES)
        for (const key of await api.listKeys(prefix)) keys.set(key.name, readValueMetadata(key.metadata));
      return keys;
    },
    getText: (key) => api.getValue(key),
    put: (writes, onProgress) =>
      api.putPairs(
        // Each pair made as it is read, never the whole phase's at once (a million article records
        // at 500,000 articles, about 200 bytes each with their metadata).
        {
          *[Symbol.iterator]() {
            for (const write of writes) {
              const pair = valueFromWrite({ key: write.key }, write) as KvPair;
              pair.metadata = metadataFor(write);
              pair.bytes = valueBytesOf(write);
              yield pair;
            }
          },
        },
        onProgress,
      ),
    delete: (keys, onProgress) => api.deleteKeys(keys, onProgress),
    close: async () => {},
  });
}
