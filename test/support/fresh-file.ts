// Set-up of every file of the `workers` project (vitest.config.ts). Its files take turns in a few
// shared workerds (isolate: false) instead of starting one each, so each file starts with what a
// fresh workerd gave it:
// - empty storage. The pool's reset() empties KV, R2, queues and the Cache API, but (pool 0.15) a
//   KV namespace can come through it with an earlier file's keys, so KV and R2 are also emptied
//   through their bindings, which costs one list each when reset() did its job;
// - an edge cache of its own: caches.default, and every named cache, is this file's alone, so no
//   entry stored by an earlier file that published the same content version can answer here;
// - the worker's modules evaluated anew, so no memory of an earlier file (the manifest memo, the
//   isolate's response cache, a test helper's memo) reaches this one.
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';

async function emptyKv(kv: KVNamespace): Promise<void> {
  for (let page = await kv.list(); page.keys.length > 0; page = await kv.list()) {
    await Promise.all(page.keys.map((key) => kv.delete(key.name)));
  }
}

async function emptyR2(bucket: R2Bucket): Promise<void> {
  for (let page = await bucket.list(); page.objects.length > 0; page = await bucket.list()) {
    await bucket.delete(page.objects.map((object) => object.key));
  }
}

/** Points caches.default and caches.open at caches named for this file only. */
async function cachesOfThisFile(): Promise<void> {
  const file = crypto.randomUUID();
  const storage = Object.getPrototypeOf(caches) as CacheStorage;
  const open = (name: string) => storage.open.call(caches, `${file}:${name}`);
  Object.defineProperty(caches, 'default', { value: await open('default'), configurable: true });
  Object.defineProperty(caches, 'open', { value: open, configurable: true });
}

await reset();
await Promise.all([emptyKv(env.ARTICLES), emptyKv(env.DELIVERIES), emptyR2(env.IMAGES), cachesOfThisFile()]);
vi.resetModules();
