// Set-up of every file of the `workers` project (vitest.config.ts). Its files take turns in a few
// shared workerds (isolate: false) instead of starting one each, so each file starts with what a
// fresh workerd gave it:
// - empty storage. The pool's reset() empties KV, R2, queues and the Cache API, but (pool 0.15) a
//   KV namespace can come through it with an earlier file's keys, so KV and R2 are also emptied
//   through their bindings, which costs one list each when reset() did its job;
// - an edge cache of its own: caches.default, and every named cache, is this file's alone, so no
//   entry stored by an earlier file that published the same content version can answer here;
// - the project's own modules (src/, test/) evaluated anew, so no memory of an earlier file (the
//   manifest memo, the isolate's response cache, a test helper's memo) reaches this one.
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

/** What Vitest keeps of an evaluated module, as its own vi.resetModules() clears it (Vitest 4.1). */
interface EvaluatedModule {
  promise: unknown;
  exports: unknown;
  evaluated: boolean;
  importers: Set<string>;
}

/**
 * Evaluates the project's modules anew on their next import, and keeps the dependencies'. What
 * vi.resetModules() does, but for node_modules: evaluating hono, zod, sanitize-html, markdown-it and
 * fast-check again for every file cost about a fifth of the project's CPU, and they keep no state of
 * a file's. Vitest's module registry is internal; where this version does not expose it,
 * vi.resetModules() resets everything, as it always did.
 */
function evaluateOwnModulesAnew(): void {
  const worker = (globalThis as { __vitest_worker__?: { evaluatedModules?: { idToModuleMap?: unknown } } })
    .__vitest_worker__;
  const modules = worker?.evaluatedModules?.idToModuleMap;
  if (!(modules instanceof Map)) {
    vi.resetModules();
    return;
  }
  for (const [id, module] of modules as Map<string, EvaluatedModule>) {
    // Vitest's own modules and its mocks stay, as vi.resetModules() leaves them.
    if (id.includes('/node_modules/') || /vitest-virtual-\w+\/dist/.test(id) || id.startsWith('mock:'))
      continue;
    module.promise = undefined;
    module.exports = undefined;
    module.evaluated = false;
    module.importers.clear();
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
evaluateOwnModulesAnew();
