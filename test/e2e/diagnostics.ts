// What a failed browser test leaves to read: the requests the browser had sent and not seen through,
// and what wrangler dev printed meanwhile (its request lines say which requests the worker answered),
// so a navigation that times out says whether the page, a subresource or the server held it up.
import type { Browser, BrowserContext, BrowserContextOptions, Request } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';
import type { RunningSite } from './server';

interface Seen {
  sent: number;
  status?: number;
}

// The current test's unfinished requests, cleared before each test, and the contexts still open.
const unfinished = new Map<Request, Seen>();
const open = new Set<BrowserContext>();

/** A browser context whose requests are followed until they finish or fail. */
export async function openContext(
  browser: Browser,
  options?: BrowserContextOptions,
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  open.add(context);
  context.on('close', () => open.delete(context));
  context.on('request', (request) => unfinished.set(request, { sent: Date.now() }));
  context.on('response', (response) => {
    const seen = unfinished.get(response.request());
    if (seen) seen.status = response.status();
  });
  context.on('requestfinished', (request) => unfinished.delete(request));
  context.on('requestfailed', (request) => unfinished.delete(request));
  return context;
}

function describeUnfinished(testStart: number): string {
  if (unfinished.size === 0) return '  (none)';
  return [...unfinished]
    .map(([request, seen]) => {
      const answer = seen.status === undefined ? 'no response' : `HTTP ${seen.status}, body unfinished`;
      const by = request.serviceWorker() ? ', by the service worker' : '';
      return `  +${seen.sent - testStart} ms ${request.method()} ${request.url()} (${request.resourceType()}${by}): ${answer}`;
    })
    .join('\n');
}

/** The last `lines` lines of `text`. */
const lastLines = (text: string, lines: number) => text.split('\n').slice(-lines).join('\n');

/**
 * Registers, for every test of the file, a report printed when an attempt fails, and closes the
 * contexts a test left open (a failed attempt's would go on loading beside the retry).
 */
export function reportFailures(site: () => RunningSite | undefined): void {
  let testStart = Date.now();
  let printedBefore = 0;
  let report = '';
  beforeEach(({ onTestFailed }) => {
    unfinished.clear();
    testStart = Date.now();
    printedBefore = site()?.printed().length ?? 0;
    onTestFailed(() => console.log(report));
  });
  // Vitest runs afterEach before onTestFailed: the report is written before the contexts close.
  afterEach(async () => {
    const printed = site()?.printed().slice(printedBefore) ?? '(not started)';
    report =
      `The test started at ${new Date(testStart).toISOString()}.\n` +
      `Requests the browser sent and never saw finish:\n${describeUnfinished(testStart)}\n` +
      `What wrangler dev printed meanwhile (its last 60 lines):\n${lastLines(printed, 60)}\n` +
      `wrangler's debug log (timed; the worker's fetches through ASSETS): ${site()?.debugLog ?? '(not started)'}`;
    await Promise.all([...open].map((context) => context.close()));
  });
}
