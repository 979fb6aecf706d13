// Stand-ins for a WebSub hub and partner receivers: every outbound fetch the worker makes (the
// queue consumer runs in this isolate) is answered here and recorded, with per-host scripted failures.
import { vi } from 'vitest';

export interface Delivery {
  url: string;
  host: string;
  headers: Record<string, string>;
  body: string;
  /** The status the stand-in answered. */
  status: number;
}

/** How a host answers one request: a status, given what it has already received. */
export type Behaviour = (request: Delivery, earlier: Delivery[]) => number;

export const answerOk: Behaviour = () => 204;
export const alwaysDown: Behaviour = () => 503;

/** Fails the first `times` attempts of each webhook id, then accepts it. */
export const failsThenRecovers =
  (times: number): Behaviour =>
  (request, earlier) =>
    earlier.filter((d) => d.headers['webhook-id'] === request.headers['webhook-id']).length < times
      ? 500
      : 200;

export class StandIns {
  readonly deliveries: Delivery[] = [];
  private readonly behaviours = new Map<string, Behaviour>();

  /** Replaces fetch for the rest of the file; a host without a behaviour answers 204. */
  install(): void {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const delivery: Delivery = {
        url: request.url,
        host: url.host,
        headers: Object.fromEntries(request.headers),
        // Decoded by hand: workerd warns when .text() reads a form-encoded body.
        body: new TextDecoder().decode(await request.arrayBuffer()),
        status: 0,
      };
      const earlier = this.deliveries.filter((d) => d.host === delivery.host);
      delivery.status = (this.behaviours.get(url.host) ?? answerOk)(delivery, earlier);
      this.deliveries.push(delivery);
      return new Response(null, { status: delivery.status });
    });
  }

  behave(host: string, behaviour: Behaviour): void {
    this.behaviours.set(host, behaviour);
  }

  to(host: string): Delivery[] {
    return this.deliveries.filter((d) => d.host === host);
  }

  accepted(host: string): Delivery[] {
    return this.to(host).filter((d) => d.status >= 200 && d.status < 300);
  }
}

/** Polls `condition` until it holds; the queue delivers on its own schedule. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets the queue run for a while, for asserting that nothing (more) happens. */
export function settle(ms = 500): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
