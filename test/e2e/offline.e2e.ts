// A mirror reader whose address goes dark, in a real browser: the service worker (public/sw.js)
// keeps the article they opened readable offline, and a page they never opened shows the offline
// page with the other addresses and the articles kept. No request ever leaves the reader's host.
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSite, startSite } from './server';

// Ports of their own, so this file can run beside a reader.e2e.ts started elsewhere.
const PORT = Number(process.env.E2E_OFFLINE_PORT ?? 8793);
const INSPECTOR_PORT = Number(process.env.E2E_OFFLINE_INSPECTOR_PORT ?? 8794);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARTICLE =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';
const HEADLINE = 'Russia says no new talks on Ukraine until West responds to demands';
const NEVER_OPENED = '/section/sport';

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

describe('offline reading on a mirror', () => {
  it('keeps an opened article readable and shows the other addresses for a page never opened', async () => {
    // `localhost` is a second serving address of the local site, as a mirror is in production.
    const mirror = `http://localhost:${site.port}`;
    const context = await browser.newContext();
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();

    await page.goto(`${mirror}/`);
    // The worker installs, caches the offline page, then controls the page (clients.claim).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 10_000 })
      .toBe(true);
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
    for (const host of ['www.presstv.ir', 'presstv.example', 'mirror.presstv.example']) {
      expect(addresses).toContain(host);
    }
    const kept = await page
      .locator('.offline-articles a')
      .evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent]));
    expect(kept).toEqual([[ARTICLE, HEADLINE]]);

    // Nothing, online or offline, was asked of any other host.
    const hosts = new Set(requested.map((url) => new URL(url).host));
    expect([...hosts]).toEqual([`localhost:${site.port}`]);
    await context.close();
  });

  it('reads the same article with JavaScript off, the worker never registered', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto(`http://localhost:${site.port}${ARTICLE}`);
    expect(response?.ok()).toBe(true);
    expect((await page.locator('h1').first().textContent())?.trim()).toBe(HEADLINE);
    expect((await page.locator('.alternate-addresses').textContent()) ?? '').toContain('www.presstv.ir');
    await context.close();
  });
});
