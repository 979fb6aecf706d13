// What the benchmark and the soak share: build the worker as it deploys, make (or reuse) a
// published synthetic archive, and run the worker under Miniflare on loopback, beside a reference worker.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { localKvPath } from '../src/publish/node/local-kv';
import { SETTLING_WINDOW_SECONDS } from '../src/storage/consistency';

const run = promisify(execFile);

export const BENCH_DIR = resolve('.bench');
export const CONFIG_PATH = 'wrangler.toml';
/** The Host every request carries: the primary domain of content/site.yaml (copied by content:synth). */
export const PRIMARY_HOST = 'www.presstv.ir';

export interface Ports {
  app: number;
  appUncached: number;
  reference: number;
  /** The reference worker again, with the no-op cache of the uncached app (its `/miss/NAME`). */
  referenceUncached: number;
}

/** Loopback ports: BENCH_PORT (default 8810) and the next three: apart from the browser suite's (8793–8798), so both can run at once. */
export function benchPorts(): Ports {
  const base = Number(process.env.BENCH_PORT ?? 8810);
  return { app: base, appUncached: base + 1, reference: base + 2, referenceUncached: base + 3 };
}

export function log(message: string): void {
  console.error(`bench: ${message}`);
}

/**
 * `wrangler deploy --dry-run`: the exact bundle a deploy uploads, and its gzipped size. With
 * BENCH_WORKER (the `index.js` of such a build, say of an earlier commit), that bundle is measured
 * instead, against the same archive: a before-and-after comparison in one setting.
 */
export async function buildWorker(): Promise<{ scriptPath: string; gzipBytes: number; bytes: number }> {
  let scriptPath = process.env.BENCH_WORKER;
  if (!scriptPath) {
    const outdir = join(BENCH_DIR, 'dist');
    await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--config', CONFIG_PATH], {
      maxBuffer: 64 * 1024 * 1024,
    });
    scriptPath = join(outdir, 'index.js');
  }
  const script = await readFile(scriptPath);
  return { scriptPath, bytes: script.length, gzipBytes: gzipSync(script, { level: 9 }).length };
}

/**
 * A published synthetic archive of `count` articles under .bench/, made once and reused while its
 * inputs (count, seed, the publish code's commit) are unchanged.
 */
export async function ensureArchive(count: number): Promise<string> {
  const contentDir = join(BENCH_DIR, `content-${count}`);
  const persistTo = join(BENCH_DIR, `state-${count}`);
  const stamp = join(persistTo, 'bench-archive.json');
  // Any module under src/ can shape a record (views, feeds, the API's schemas), as the record memo
  // assumes too. Outside a git checkout the archive is simply rebuilt on every run.
  const commit = await run('git', ['log', '-1', '--format=%H', '--', 'src']).then(
    ({ stdout }) => stdout.trim(),
    () => `uncommitted-${Date.now()}`,
  );
  const wanted = JSON.stringify({ count, seed: 1, commit });
  if (existsSync(stamp) && (await readFile(stamp, 'utf8')) === wanted) {
    log(`reusing the published ${count}-article archive in ${persistTo}`);
    return persistTo;
  }
  // The repository's commands, started as `npm run` starts them.
  const launch = (script: string) => [resolve('scripts/run-bundled.mjs'), script];
  // The articles depend on the generator alone (same count and seed, same files): kept while it is unchanged.
  const synthInputs = ['src/publish/node/synth.ts', 'content/site.yaml'];
  const synthCommit = await run('git', ['log', '-1', '--format=%H', '--', ...synthInputs]).then(
    ({ stdout }) => stdout.trim(),
    () => `uncommitted-${Date.now()}`,
  );
  const contentStamp = join(BENCH_DIR, `content-${count}.json`);
  const wantedContent = JSON.stringify({ count, seed: 1, synthCommit });
  if (existsSync(contentStamp) && (await readFile(contentStamp, 'utf8')) === wantedContent) {
    log(`publishing the ${count} synthetic articles in ${contentDir} (once; reused by later runs)`);
  } else {
    log(`writing ${count} synthetic articles and publishing them (once; reused by later runs)`);
    await rm(contentDir, { recursive: true, force: true });
    await run(process.execPath, [
      ...launch('src/publish/node/synth.ts'),
      '--count',
      String(count),
      '--out',
      contentDir,
    ]);
    await writeFile(contentStamp, wantedContent);
  }
  await rm(persistTo, { recursive: true, force: true });
  const started = performance.now();
  // Dated one settling window ago: a first publish is too large to list in its manifest, so reads
  // stay unverifiable (never cached) for that window after its time. Local KV has no propagation
  // to wait for, and a bench run right after the publish measures hits, not ten minutes of misses.
  const backdated = Math.floor(Date.now() / 1000) - SETTLING_WINDOW_SECONDS - 60;
  await run(
    process.execPath,
    [...launch('src/publish/node/cli.ts'), '--local', '--content', contentDir, '--persist-to', persistTo],
    {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SOURCE_DATE_EPOCH: String(backdated) },
    },
  );
  log(`published in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await writeFile(stamp, wanted);
  return persistTo;
}

/**
 * The reference worker: the same bytes as a route (body and response headers), served from isolate
 * memory (`/mem/NAME`) or after exactly one KV read of the body (`/kv/NAME`). It is the floor the app
 * is measured against. `/hit/NAME` is the least any cache hit does besides sending the bytes (the
 * host checked, reads only, a conditional request answered, Server-Timing set). `/miss/NAME` is the least any edge-cached miss does: look the URL up in the
 * cache, read KV once, store a copy in the cache (run on the no-op cache, as the uncached app is).
 * `/headers/NAME` (POST) sets the headers it answers with.
 */
const REFERENCE_SCRIPT = `
const SERVED_HOST = ${JSON.stringify(PRIMARY_HOST)};
const headers = new Map();
const bodies = new Map();
export default {
  async fetch(request, env, ctx) {
    const [, mode, name] = new URL(request.url).pathname.split('/');
    if (mode === 'headers') {
      // A Headers object, as the app's isolate memory keeps them: a Response copies it natively,
      // where a list of pairs costs a conversion per entry (tens of microseconds for a page's).
      headers.set(name, new Headers(await request.json()));
      bodies.delete(name);
      return new Response('ok');
    }
    if (mode === 'mem') {
      let body = bodies.get(name);
      if (body === undefined) {
        body = await env.REF.get(name, 'text');
        bodies.set(name, body);
      }
      return new Response(body, { headers: headers.get(name) });
    }
    if (mode === 'hit') {
      // The hit floor: what any cache hit must do besides sending the bytes. Refuse a host it does
      // not serve and a method other than a read, answer a conditional request, say what it cost.
      if (request.headers.get('host') !== SERVED_HOST) return new Response(null, { status: 421 });
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
      let body = bodies.get(name);
      if (body === undefined) {
        body = await env.REF.get(name, 'text');
        bodies.set(name, body);
      }
      const stored = headers.get(name);
      const conditional = request.headers.get('if-none-match');
      if (conditional !== null && conditional === stored?.get('etag'))
        return new Response(null, { status: 304, headers: stored });
      const response = new Response(body, { headers: stored });
      response.headers.set('Server-Timing', 'kv;desc="0 reads";dur=0.0, cache;desc="hit"');
      return response;
    }
    if (mode === 'kv') {
      const body = await env.REF.get(name, 'text');
      if (body === null) return new Response('no such reference', { status: 404 });
      return new Response(body, { headers: headers.get(name) });
    }
    if (mode === 'miss') {
      const cached = await caches.default.match(request.url);
      if (cached) return cached;
      const body = await env.REF.get(name, 'text');
      if (body === null) return new Response('no such reference', { status: 404 });
      const stored = new Response(body, { headers: headers.get(name) });
      ctx.waitUntil(caches.default.put(request.url, stored.clone()));
      return stored;
    }
    return new Response('not found', { status: 404 });
  },
};`;

/** Headers the runtime sets per response, or that describe the app's own costs: not copied. */
const PER_RESPONSE_HEADERS = new Set([
  'date',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'server-timing',
]);

export interface Runtime {
  miniflare: Miniflare;
  ports: Ports;
  /** Makes the reference worker answer `name` with this body and these response headers. */
  putReference(
    name: string,
    body: string,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<void>;
}

/**
 * One workerd process, four workers, each on its own loopback socket (no Miniflare entry proxy):
 * the app with the Cache API, the same app with Miniflare's no-op cache (every lookup misses, so
 * every request renders), and the reference worker with either cache.
 */
export async function startRuntime(
  scriptPath: string,
  persistTo: string,
  options: { inspectorPort?: number } = {},
): Promise<Runtime> {
  const ports = benchPorts();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG_PATH);
  // Miniflare serves [assets] through two extra router workers on every request, run_worker_first
  // included: a local-only cost (the platform routes assets outside the isolate) that would swamp
  // the route costs measured here. No benchmarked route reads an asset, so ASSETS is a stub.
  const { assets: _assets, ...withoutAssets } = workerOptions as WorkerOptions;
  const app = (name: string, port: number, cache: boolean): WorkerOptions => ({
    ...withoutAssets,
    serviceBindings: {
      ASSETS: () => new Response('assets are not served by the benchmark', { status: 404 }),
    },
    name,
    modules: [{ type: 'ESModule', path: scriptPath }],
    modulesRoot: resolve(scriptPath, '..'),
    cache,
    // The benchmark measures what a route costs, not the partner quota: one client sends thousands
    // of requests a second, so the API's limiter is lifted (production keeps wrangler.toml's limit).
    ratelimits: { API_RATE_LIMITER: { simple: { limit: 1_000_000_000, period: 60 } } },
    // The uncached twin also turns off the isolate memory layer: every request renders.
    bindings: { ...withoutAssets.bindings, ...(cache ? {} : { EDGE_MEMORY_CACHE_BYTES: '0' }) },
    // A queue has one consumer per runtime: the twin only produces (the benchmark pushes nothing).
    ...(!cache && { queueConsumers: undefined }),
    unsafeDirectSockets: [{ host: '127.0.0.1', port }],
  });
  const reference = (name: string, port: number, cache: boolean): WorkerOptions => ({
    name,
    modules: true,
    script: REFERENCE_SCRIPT,
    compatibilityDate: workerOptions.compatibilityDate ?? '2026-04-20',
    cache,
    kvNamespaces: { REF: 'bench-reference' },
    unsafeDirectSockets: [{ host: '127.0.0.1', port }],
  });
  const miniflare = new Miniflare({
    host: '127.0.0.1',
    // A debugger port, for CPU profiles of a worker under load (`core:user:app`); off by default.
    ...(options.inspectorPort !== undefined && { inspectorPort: options.inspectorPort }),
    kvPersist: localKvPath(persistTo),
    // The Cache API's store is per run: nothing from an earlier run can be a hit.
    cachePersist: false,
    workers: [
      app('app', ports.app, true),
      app('app-uncached', ports.appUncached, false),
      reference('reference', ports.reference, true),
      reference('reference-uncached', ports.referenceUncached, false),
    ],
  });
  await miniflare.ready;
  const references = await miniflare.getKVNamespace('REF', 'reference');
  return {
    miniflare,
    ports,
    async putReference(name, body, headers) {
      await references.put(name, body);
      const kept = Object.entries(headers).flatMap(([header, value]) =>
        value === undefined || PER_RESPONSE_HEADERS.has(header)
          ? []
          : (Array.isArray(value) ? value : [value]).map((v) => [header, v]),
      );
      for (const port of [ports.reference, ports.referenceUncached]) {
        const response = await fetch(`http://127.0.0.1:${port}/headers/${name}`, {
          method: 'POST',
          body: JSON.stringify(kept),
        });
        await response.text();
      }
    },
  };
}

/** Resident memory of the workerd processes this one started (Linux /proc), in bytes. */
export async function workerdRss(): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'pid=,rss=,comm=', '--ppid', String(process.pid)]);
  let kib = 0;
  for (const line of stdout.trim().split('\n')) {
    const [, rss, comm] = line.trim().split(/\s+/);
    if (comm?.startsWith('workerd')) kib += Number(rss);
  }
  return kib * 1024;
}
