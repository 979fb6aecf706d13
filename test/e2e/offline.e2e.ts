// A mirror reader whose address goes dark, in a real browser: the service worker (public/sw.js)
// keeps the article they opened readable offline, and a page they never opened shows the offline
// page with the other addresses (from a mirror list verified against the pinned key) and the
// articles kept. No request ever leaves the reader's host.
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext, reportFailures } from './diagnostics';
import { type RunningSite, startSite } from './server';

// Ports of their own, so this file can run beside a reader.e2e.ts started elsewhere.
const PORT = Number(process.env.E2E_OFFLINE_PORT ?? 8793);
const INSPECTOR_PORT = Number(process.env.E2E_OFFLINE_INSPECTOR_PORT ?? 8794);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARTICLE =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';
const HEADLINE = 'Russia says no new talks on Ukraine until West responds to demands';
const NEVER_OPENED = '/section/sport';

const LIST = '/.well-known/mirrors.json';
const SERVING_HOSTS = ['www.presstv.ir', 'presstv.example', 'mirror.presstv.example'];
/** A well-formed key (`RW…`) that did not sign the list. */
const OTHER_KEY = `RWQ${'A'.repeat(53)}`;

/** What the worker answers when a page hands it a key (public/sw.js, checkMirrors). */
interface TrustState {
  key: string;
  sequence: number;
  refused?: string;
  rejected?: boolean;
}

let site: RunningSite;
let browser: Browser;

beforeAll(async () => {
  site = await startSite(PORT, INSPECTOR_PORT);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

reportFailures(() => site);

/** Opens the home page on `origin` and waits until the service worker controls it. */
async function openControlled(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  // The worker installs, caches the offline page, then controls the page (clients.claim).
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 })
    .toBe(true);
  return page;
}

/**
 * Hands the worker a key, as /assets/offline.js does with the page's meta element, and waits for
 * its check of the mirror list. Without `key`, the one the page carries.
 */
function handKey(page: Page, key?: string): Promise<TrustState> {
  return page.evaluate(async (given) => {
    const registration = await navigator.serviceWorker.ready;
    const meta = document.querySelector('meta[name="mirrorwire-signing-key"]');
    const channel = new MessageChannel();
    const answer = new Promise((resolve) => {
      channel.port1.onmessage = (event) => resolve(event.data);
    });
    registration.active?.postMessage({ key: given ?? meta?.getAttribute('content') }, [channel.port2]);
    return answer as Promise<TrustState>;
  }, key);
}

/** Offline, a page never opened: the offline page's address list, as the reader sees it. */
async function offlineAddresses(context: BrowserContext, page: Page, origin: string): Promise<string> {
  await context.setOffline(true);
  await page.goto(`${origin}${NEVER_OPENED}`);
  expect((await page.locator('h1').first().textContent())?.trim()).toBe('This page cannot be reached');
  return (await page.locator('.alternate-addresses ul').textContent()) ?? '';
}

describe('offline reading on a mirror', () => {
  it('keeps an opened article readable and shows the other addresses for a page never opened', async () => {
    // `localhost` is a second serving address of the local site, as a mirror is in production.
    const mirror = `http://localhost:${site.port}`;
    const context = await openContext(browser);
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await openControlled(context, mirror);
    // The page's key is pinned and the list it signed is kept.
    const state = await handKey(page);
    expect(state.key).toMatch(/^RW/);
    expect(state.sequence).toBeGreaterThan(0);
    expect(state.rejected).toBeUndefined();
    await page.goto(`${mirror}${ARTICLE}`);
    expect((await page.locator('h1').first().textContent())?.trim()).toBe(HEADLINE);

    await context.setOffline(true);

    const again = await page.goto(`${mirror}${ARTICLE}`);
    expect(again?.ok()).toBe(true);
    expect((await page.locator('h1').first().textContent())?.trim()).toBe(HEADLINE);
    // The stylesheet came from the worker's cache: the page is still laid out.
    expect(await page.evaluate(() => document.styleSheets[0]?.cssRules.length ?? 0)).toBeGreaterThan(10);

    await page.goto(`${mirror}${NEVER_OPENED}`);
    expect((await page.locator('h1').first().textContent())?.trim()).toBe('This page cannot be reached');
    const addresses = (await page.locator('.alternate-addresses').textContent()) ?? '';
    for (const host of SERVING_HOSTS) expect(addresses).toContain(host);
    const kept = await page
      .locator('.offline-articles a')
      .evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent]));
    expect(kept).toEqual([[ARTICLE, HEADLINE]]);

    // Nothing, online or offline, was asked of any other host.
    const hosts = new Set(requested.map((url) => new URL(url).host));
    expect([...hosts]).toEqual([`localhost:${site.port}`]);
    await context.close();
  });

  it('keeps only a mirror list that verifies against the pinned key, never an older sequence', async () => {
    const mirror = `http://localhost:${site.port}`;
    const context = await openContext(browser);
    const page = await openControlled(context, mirror);
    const pinned = await handKey(page);
    expect(pinned.sequence).toBeGreaterThan(0);

    // The same host now serves a list with one more address, under the old signature.
    let tampered = 0;
    await context.route(`**${LIST}`, async (route) => {
      const original = await route.fetch();
      const body = (await original.text()).replace(
        '"mirrors": [',
        '"mirrors": [\n    "https://evil.example/",',
      );
      tampered += 1;
      await route.fulfill({ response: original, body });
    });
    const afterTamper = await handKey(page);
    expect(tampered).toBeGreaterThan(0);
    expect(afterTamper).toMatchObject({ key: pinned.key, sequence: pinned.sequence, rejected: true });
    // Another key is refused: the first one stays pinned.
    expect(await handKey(page, OTHER_KEY)).toMatchObject({ key: pinned.key, refused: OTHER_KEY });

    // The genuine list again, but the worker has since verified a newer one: a replay, refused.
    await context.unrouteAll();
    expect(await handKey(page)).toEqual({ key: pinned.key, sequence: pinned.sequence });
    await page.evaluate(
      async (newer) => {
        const trust = await caches.open('mw-trust');
        await trust.put('/.mirrorwire/pin', Response.json(newer));
      },
      { key: pinned.key, sequence: pinned.sequence + 1 },
    );
    expect(await handKey(page)).toMatchObject({ sequence: pinned.sequence + 1, rejected: true });

    const addresses = await offlineAddresses(context, page, mirror);
    for (const host of SERVING_HOSTS) expect(addresses).toContain(host);
    expect(addresses).not.toContain('evil.example');
    // The reader is on localhost: the list names the other addresses only.
    expect(addresses).not.toContain('localhost');
    await context.close();
  });

  it('says no list is verified yet when the first one fails its check', async () => {
    const context = await openContext(browser);
    await context.route(`**${LIST}`, async (route) => {
      const original = await route.fetch();
      await route.fulfill({ response: original, body: (await original.text()).replace('www.', 'evil.') });
    });
    const mirror = `http://localhost:${site.port}`;
    const page = await openControlled(context, mirror);
    expect(await handKey(page)).toMatchObject({ sequence: 0, rejected: true });
    const addresses = await offlineAddresses(context, page, mirror);
    expect(addresses).toContain('No list of addresses has been verified on this device yet.');
    expect(addresses).not.toContain('evil.');
    await context.close();
  });

  it('reads the same article with JavaScript off, the worker never registered', async () => {
    const context = await openContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto(`http://localhost:${site.port}${ARTICLE}`);
    expect(response?.ok()).toBe(true);
    expect((await page.locator('h1').first().textContent())?.trim()).toBe(HEADLINE);
    expect((await page.locator('.alternate-addresses').textContent()) ?? '').toContain('www.presstv.ir');
    await context.close();
  });
});
