// Per-request cost accounting, reported in the Server-Timing header (CONTRACT §5):
// `kv;desc="N reads";dur=MS` always, `cache;desc="hit|miss"` where the edge cache was consulted,
// `kv-consistency;desc="behind|ahead|unverified"` when a read was not settled (not cached then).
import { createMiddleware } from 'hono/factory';
import { type ReadVerdict, worseVerdict } from '../storage/consistency';
import type { ReadObserver } from '../storage/repository';

export class RequestMetrics implements ReadObserver {
  kvReads = 0;
  kvMilliseconds = 0;
  cache: 'hit' | 'miss' | undefined;
  /** The worst verdict of this request's reads: anything but `settled` limits or forbids caching. */
  freshness: ReadVerdict = 'settled';

  recordVerdict(verdict: ReadVerdict): void {
    this.freshness = worseVerdict(this.freshness, verdict);
  }

  recordKvRead(milliseconds: number): void {
    this.kvReads += 1;
    this.kvMilliseconds += milliseconds;
  }

  toHeader(): string {
    const entries = [`kv;desc="${this.kvReads} reads";dur=${this.kvMilliseconds.toFixed(1)}`];
    if (this.cache) entries.push(`cache;desc="${this.cache}"`);
    if (this.freshness !== 'settled') entries.push(`kv-consistency;desc="${this.freshness}"`);
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
