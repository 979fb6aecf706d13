// One request over loopback with an explicit Host header (fetch forbids setting Host), for probes.
import { request } from 'node:http';
import { PRIMARY_HOST } from './harness';

export interface Probe {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function probe(port: number, path: string, host = PRIMARY_HOST): Promise<Probe> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolvePromise({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** `kv;desc="N reads"` and `cache;desc="hit|miss"` from Server-Timing. */
export function timingOf(response: Probe): { kvReads: number | undefined; cache: string | undefined } {
  const header = String(response.headers['server-timing'] ?? '');
  const reads = /kv;desc="(\d+) reads"/.exec(header)?.[1];
  return {
    kvReads: reads === undefined ? undefined : Number(reads),
    cache: /cache;desc="(\w+)"/.exec(header)?.[1],
  };
}
