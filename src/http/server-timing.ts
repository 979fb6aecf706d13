// Per-request cost accounting, reported in the Server-Timing header (CONTRACT §5):
// `kv;desc="N reads";dur=MS` always, `cache;desc="hit|miss"` where the edge cache was consulted.
import { createMiddleware } from 'hono/factory';

export class RequestMetrics {
  kvReads = 0;
  kvMilliseconds = 0;
  cache: 'hit' | 'miss' | undefined;

  recordKvRead(milliseconds: number): void {
    this.kvReads += 1;
    this.kvMilliseconds += milliseconds;
  }

  toHeader(): string {
    const entries = [`kv;desc="${this.kvReads} reads";dur=${this.kvMilliseconds.toFixed(1)}`];
    if (this.cache) entries.push(`cache;desc="${this.cache}"`);
    return entries.join(', ');
  }
}

export type ServerTimingVariables = { metrics: RequestMetrics };

/** Installs a fresh RequestMetrics and writes the header on the way out, whatever the outcome. */
export const serverTiming = () =>
  createMiddleware<{ Variables: ServerTimingVariables }>(async function serverTiming(c, next) {
    const metrics = new RequestMetrics();
    c.set('metrics', metrics);
    await next();
    c.res.headers.set('Server-Timing', metrics.toHeader());
  });
