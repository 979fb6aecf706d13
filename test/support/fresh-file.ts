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
import { abortAllDurableObjects, reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';

/**
 * The set-up runs outside any test, where no timeout applies: a store that goes on listing what was
 * deleted would loop here for ever. (A CI run once spun for a quarter of an hour on a file that never
 * reported, its workerd busy on I/O and no test timing out; this loop is the one place that could.)
 * A round that lists the same keys as the one before made no progress, and the next waits a little
 * longer; after a few, the simulators' Durable Objects are restarted from what they stored; after
 * more, or after more rounds than any file's keys need, the file fails, naming the keys.
 */
const STALLS_BEFORE_RESTART = 3;
const STALLS_BEFORE_FAILING = 10;
const MAX_ROUNDS = 200;
const STALL_WAIT_MS = 20;

async function emptied(
  what: string,
  page: () => Promise<string[]>,
  remove: (names: string[]) => Promise<unknown>,
) {
  let stalls = 0;
  let before = '';
  let rounds = 0;
  for (let names = await page(); names.length > 0; names = await page()) {
    const listed = JSON.stringify(names);
    stalls = listed === before ? stalls + 1 : 0;
    before = listed;
    if (stalls === STALLS_BEFORE_FAILING || ++rounds > MAX_ROUNDS) {
      const shown = JSON.stringify(names.slice(0, 5)) + (names.length > 5 ? '…' : '');
      throw new Error(`${what} still lists ${shown} after ${rounds} rounds of deletes`);
    }
    if (stalls === STALLS_BEFORE_RESTART) {
      console.warn(`${what} still lists ${names.length} deleted keys: restarting the simulators' objects`);
      await abortAllDurableObjects();
    }
    if (stalls > 0) await new Promise((resolve) => setTimeout(resolve, STALL_WAIT_MS * stalls));
    await remove(names);
  }
}

const emptyKv = (kv: KVNamespace, name: string) =>
  emptied(
    `KV ${name}`,
    async () => (await kv.list()).keys.map((key) => key.name),
    (names) => Promise.all(names.map((key) => kv.delete(key))),
  );

const emptyR2 = (bucket: R2Bucket) =>
  emptied(
    'R2',
    async () => (await bucket.list()).objects.map((object) => object.key),
    (names) => bucket.delete(names),
  );

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
// One store at a time: a restart (emptied) would fail the requests a store emptied beside it has in flight.
await emptyKv(env.ARTICLES, 'ARTICLES');
await emptyKv(env.DELIVERIES, 'DELIVERIES');
await emptyR2(env.IMAGES);
await cachesOfThisFile();
evaluateOwnModulesAnew();
