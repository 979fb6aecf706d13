// What a failed browser test leaves to read: the requests the browser had sent and not seen through,
// and the end of wrangler dev's log (its request lines say which requests the worker answered), so a
// navigation that times out says whether the page, a subresource or the server held it up.
import type { Browser, BrowserContext, BrowserContextOptions, Request } from 'playwright-core';
import { beforeEach } from 'vitest';
import type { RunningSite } from './server';

interface Seen {
  sent: number;
  status?: number;
}

// The current test's unfinished requests; cleared before each test.
const unfinished = new Map<Request, Seen>();
let testStart = Date.now();

/** A browser context whose requests are followed until they finish or fail. */
export async function openContext(
  browser: Browser,
  options?: BrowserContextOptions,
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.on('request', (request) => unfinished.set(request, { sent: Date.now() }));
  context.on('response', (response) => {
    const seen = unfinished.get(response.request());
    if (seen) seen.status = response.status();
  });
  context.on('requestfinished', (request) => unfinished.delete(request));
  context.on('requestfailed', (request) => unfinished.delete(request));
  return context;
}

function describeUnfinished(): string {
  if (unfinished.size === 0) return '  (none)';
  return [...unfinished]
    .map(([request, seen]) => {
      const answer = seen.status === undefined ? 'no response' : `HTTP ${seen.status}, body unfinished`;
      const by = request.serviceWorker() ? ', by the service worker' : '';
      return `  +${seen.sent - testStart} ms ${request.method()} ${request.url()} (${request.resourceType()}${by}): ${answer}`;
    })
    .join('\n');
}

/** Registers, for every test of the file, a report printed when the test fails. */
export function reportFailures(site: () => RunningSite | undefined): void {
  beforeEach(({ onTestFailed }) => {
    unfinished.clear();
    testStart = Date.now();
    onTestFailed(() => {
      console.log(
        `Requests the browser sent and never saw finish:\n${describeUnfinished()}\n` +
          `The end of wrangler dev's log:\n${site()?.logTail() ?? '(not started)'}\n` +
          `Its debug log, the worker's subrequests included: ${site()?.debugLog ?? '(not started)'}`,
      );
    });
  });
}
