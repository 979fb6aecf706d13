// `npx tsx bench/search-http.ts`: search through the built worker under Miniflare, on the bench's
// published synthetic archive (BENCH_ARTICLES, default 10,000): each query's latency with every
// request a cache miss (the uncached app: shard reads, ranking, article reads, render) and its KV reads.
import { buildWorker, ensureArchive, log, startRuntime } from './harness';
import { probe, timingOf } from './probe';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const QUERIES = ['said', 'officials said', 'central bank interest rates', 'caspian', 'zzzqqq'];

const { scriptPath } = await buildWorker();
const persistTo = await ensureArchive(ARTICLES);
const runtime = await startRuntime(scriptPath, persistTo);
try {
  console.log(`| query (${ARTICLES} articles, every request a miss) | status | KV reads | p50 ms | p95 ms |`);
  console.log('| ----- | -----: | -------: | -----: | -----: |');
  for (const query of QUERIES) {
    const path = `/search?${new URLSearchParams({ q: query })}`;
    const times: number[] = [];
    let last = await probe(runtime.ports.appUncached, path);
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      last = await probe(runtime.ports.appUncached, path);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (p: number) =>
      (times[Math.min(times.length - 1, Math.floor(times.length * p))] ?? 0).toFixed(1);
    console.log(`| ${query} | ${last.status} | ${timingOf(last).kvReads} | ${at(0.5)} | ${at(0.95)} |`);
  }
} finally {
  await runtime.miniflare.dispose();
  log('done');
}
