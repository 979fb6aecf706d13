// `npm run soak`: SOAK_SECONDS (default 60) of mixed reader traffic at 64 connections against the
// worker under Miniflare on loopback. Passes when there are no errors, no 5xx, no unexpected status
// and workerd's memory does not keep growing; prints a one-line verdict and exits non-zero otherwise.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'yaml';
import {
  BENCH_DIR,
  buildWorker,
  ensureArchive,
  log,
  PRIMARY_HOST,
  startRuntime,
  workerdRss,
} from './harness';
import { probe } from './probe';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 64);
const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 10_000);
/** Memory may settle upwards as caches fill; beyond this over the second half it is a leak. */
const RSS_GROWTH_LIMIT = 0.25;
const MIB = 2 ** 20;

/** Every route the soak may use: those that answer 200 in this build (feeds and API once merged). */
const CANDIDATE_PATHS = ['/', '/rss.xml', '/atom.xml', '/feed.json', '/api/v1/articles', '/sitemap.xml'];

async function discoverPaths(port: number, sections: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const path of CANDIDATE_PATHS) if ((await probe(port, path)).status === 200) paths.push(path);
  const articles = new Set<string>();
  for (const slug of sections) {
    for (const page of [1, 2, 5, 20]) {
      const response = await probe(port, `/section/${slug}${page > 1 ? `?page=${page}` : ''}`);
      if (response.status !== 200) continue;
      paths.push(`/section/${slug}${page > 1 ? `?page=${page}` : ''}`);
      for (const match of response.body.matchAll(/href="(\/Detail\/[^"]+)"/g))
        if (match[1]) articles.add(match[1]);
    }
  }
  return [...paths, ...articles];
}

async function main(): Promise<number> {
  const bundle = await buildWorker();
  const persistTo = await ensureArchive(ARTICLES);
  const runtime = await startRuntime(bundle.scriptPath, persistTo);
  try {
    const port = runtime.ports.app;
    const site = parse(await readFile(join(BENCH_DIR, `content-${ARTICLES}`, 'site.yaml'), 'utf8')) as {
      sections: { slug: string }[];
    };
    const sections = site.sections.map((section) => section.slug);
    const paths = await discoverPaths(port, sections);
    log(`soak: ${paths.length} distinct URLs, ${CONNECTIONS} connections, ${SECONDS} s`);
    let next = 0;
    const samples: number[] = [await workerdRss()];
    const sampler = setInterval(() => {
      void workerdRss().then((rss) => samples.push(rss));
    }, 5000);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      headers: { host: PRIMARY_HOST },
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          setupRequest: (request) => {
            // A fixed rotation (not random) so two soaks send the same mix.
            next = (next + 7919) % paths.length;
            return { ...request, path: paths[next] };
          },
        },
      ],
    });
    clearInterval(sampler);
    samples.push(await workerdRss());

    const half = samples.slice(Math.floor(samples.length / 2));
    const midRss = half[0] ?? 0;
    const endRss = samples.at(-1) ?? 0;
    const growth = midRss > 0 ? (endRss - midRss) / midRss : 0;
    const unexpected = result.non2xx - result['3xx'];
    const failures = [
      result.errors > 0 && `${result.errors} connection errors`,
      result.timeouts > 0 && `${result.timeouts} timeouts`,
      result['5xx'] > 0 && `${result['5xx']} 5xx`,
      unexpected > 0 && `${unexpected} non-2xx/3xx`,
      growth > RSS_GROWTH_LIMIT && `memory grew ${(growth * 100).toFixed(0)}% over the second half`,
    ].filter(Boolean);
    const rss = samples.map((s) => Math.round(s / MIB)).join(' → ');
    console.log(
      `soak: ${failures.length === 0 ? 'PASS' : 'FAIL'} — ${result.requests.total} requests in ${SECONDS} s ` +
        `(${Math.round(result.requests.average)}/s, p99 ${result.latency.p99} ms), ${result.errors} errors, ` +
        `${result.timeouts} timeouts, ${result['5xx']} 5xx, ${unexpected} non-2xx/3xx; workerd RSS MiB ${rss}` +
        (failures.length > 0 ? ` — ${failures.join(', ')}` : ''),
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    await runtime.miniflare.dispose();
  }
}

process.exitCode = await main();
