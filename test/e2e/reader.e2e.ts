// A reader's visit in a real browser: home page → the sample article, at phone and desktop
// widths and through a second local host (as a mirror reader would), and a search from the header
// to the article and its topic page, with accessibility checks by axe-core and a watch on every
// request, console message and failure.
import { mkdir, readFile } from 'node:fs/promises';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext, reportFailures } from './diagnostics';
import { type RunningSite, startSite } from './server';

const PORT = Number(process.env.E2E_PORT ?? 8797);
const INSPECTOR_PORT = Number(process.env.E2E_INSPECTOR_PORT ?? 8798);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = 'test-results/screenshots';

const SAMPLE_ID = 675904;
const HEADLINE = 'Russia says no new talks on Ukraine until West responds to demands';
const CAPTION = "Germany's Foreign Minister Annalena Baerbock (L) and her Russian counterpart, Sergei Lavrov";
const SUBHEADING = 'Russia calls on US to abandon plans to provide more weapons to Ukraine';
const NOTICE = "Press TV's website can also be accessed at the following alternate addresses:";

const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };

let site: RunningSite;
let browser: Browser;
let axeSource: string;

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  axeSource = await readFile('node_modules/axe-core/axe.min.js', 'utf8');
  site = await startSite(PORT, INSPECTOR_PORT);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

reportFailures(() => site);

/** What the page did besides rendering: every request, failure and console error. */
interface Watch {
  requests: string[];
  failures: string[];
  consoleErrors: string[];
}

function watch(page: Page): Watch {
  const seen: Watch = { requests: [], failures: [], consoleErrors: [] };
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? 'failed';
    // A lazy picture the browser stops loading because the reader moved on (a click scrolls pictures
    // into view, then navigates) is no fault of the site; a missing picture still fails, as HTTP 404.
    if (error === 'net::ERR_ABORTED' && request.resourceType() === 'image') return;
    seen.failures.push(`${request.url()}: ${error}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) seen.failures.push(`${response.url()}: HTTP ${response.status()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => seen.consoleErrors.push(error.message));
  return seen;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core in the page. The page's CSP (default-src 'none') forbids inline and injected
 * scripts, so the source is evaluated through the DevTools protocol (page.evaluate), which CSP
 * does not govern: the page is tested with its real policy, no bypassCSP.
 */
async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: AxeViolation[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

function seriousOrWorse(violations: AxeViolation[]) {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Cumulative layout shift so far, from the browser's own layout-shift entries. */
function layoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
            if (!entry.hadRecentInput) total += entry.value;
          }
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 300);
      }),
  );
}

async function visibleText(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector).first();
  await expect.poll(() => locator.isVisible(), { timeout: 5_000 }).toBe(true);
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees.
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** Loads the lazy images (screenshot only: the checks above ran on the page as served). */
async function loadLazyImages(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const img of document.images) img.loading = 'eager';
  });
  await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0));
}

/**
 * Runs a visit's steps; when one fails, prints where the page was and what it last asked for, and
 * keeps a screenshot, before the failure goes on: an intermittent failure leaves nothing else to read.
 */
async function keepingWhatFailed(page: Page, seen: Watch, name: string, steps: () => Promise<void>) {
  try {
    await steps();
  } catch (error) {
    console.log(
      `[${name}] failed at ${page.url()}; last requests: ${seen.requests.slice(-10).join(' ')}; failures: ${seen.failures.join(' ') || 'none'}`,
    );
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-failure.png` }).catch(() => undefined);
    throw error;
  }
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

interface Visit {
  name: string;
  origin: () => string;
  context: BrowserContextOptions;
}

const VISITS: Visit[] = [
  { name: 'phone', origin: () => site.origin, context: PHONE },
  { name: 'desktop', origin: () => site.origin, context: DESKTOP },
  // A second host serving the same site: the reader must stay on it, as on a mirror.
  { name: 'phone-localhost', origin: () => `http://localhost:${PORT}`, context: PHONE },
];

describe.each(VISITS)('a reader on $name', ({ name, origin, context }) => {
  it('goes from the home page to the sample article and reads it', async () => {
    const ctx = await openContext(browser, context);
    try {
      const page = await ctx.newPage();
      const seen = watch(page);
      await keepingWhatFailed(page, seen, name, async () => {
        const home = await page.goto(`${origin()}/`, { waitUntil: 'load' });
        expect(home?.status()).toBe(200);
        expect(await visibleText(page, 'h1')).toBe('Latest news');
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        const homeViolations = await runAxe(page);
        await loadLazyImages(page);
        await page.screenshot({ path: `${SCREENSHOTS}/${name}-home.png`, fullPage: true });

        await page.locator(`a[href*="/${SAMPLE_ID}/"]`).first().click();
        await page.waitForURL(`**/Detail/2022/01/18/${SAMPLE_ID}/**`);
        await page.waitForLoadState('load');
        expect(new URL(page.url()).origin).toBe(origin());

        expect(await visibleText(page, 'h1')).toBe(HEADLINE);
        expect(await visibleText(page, 'nav[aria-label="Breadcrumb"]')).toBe('News / Russia');
        expect(await visibleText(page, '.lead-image figcaption')).toBe(`${CAPTION} (AFP)`);
        expect(await visibleText(page, '.lead-image .credit')).toBe('(AFP)');
        const subheading = page.getByRole('heading', { level: 2, name: SUBHEADING });
        expect(await subheading.isVisible()).toBe(true);
        expect(await visibleText(page, 'footer .alternate-addresses h2')).toBe(NOTICE);
        expect(await visibleText(page, 'footer .alternate-addresses ul')).toContain('www.presstv.ir');
        const leadLoaded = await page
          .locator('.lead-image img')
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);
        expect(leadLoaded).toBe(true);
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        expect(await layoutShift(page)).toBeLessThan(0.05);

        await page.screenshot({ path: `${SCREENSHOTS}/${name}-article-top.png` });
        await loadLazyImages(page);
        await page.screenshot({ path: `${SCREENSHOTS}/${name}-article.png`, fullPage: true });
        const articleViolations = await runAxe(page);

        // Up the breadcrumb to the section, as a reader wanting more would.
        await page
          .getByRole('navigation', { name: 'Breadcrumb' })
          .getByRole('link', { name: 'Russia' })
          .click();
        await page.waitForURL('**/section/russia');
        expect(await visibleText(page, 'h1')).toBe('Russia');
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        const sectionViolations = await runAxe(page);
        await loadLazyImages(page);
        await page.screenshot({ path: `${SCREENSHOTS}/${name}-section.png`, fullPage: true });

        const summary = [...homeViolations, ...articleViolations, ...sectionViolations].map(
          (v) => `${v.impact} ${v.id}`,
        );
        console.log(
          `[${name}] ${seen.requests.length} requests, axe violations: ${summary.length ? summary.join(', ') : 'none'}`,
        );
        expect(seriousOrWorse(homeViolations)).toEqual([]);
        expect(seriousOrWorse(articleViolations)).toEqual([]);
        expect(seriousOrWorse(sectionViolations)).toEqual([]);
        expect(seen.consoleErrors).toEqual([]);
        expect(seen.failures).toEqual([]);
        const offHost = seen.requests.filter(
          (url) => !url.startsWith('data:') && new URL(url).origin !== origin(),
        );
        expect(offHost).toEqual([]);
      });
    } finally {
      await ctx.close();
    }
  });
});

describe.each([
  { name: 'with scripts', javaScriptEnabled: true },
  { name: 'with scripts off', javaScriptEnabled: false },
])('a reader searching on a second host, $name', ({ name, javaScriptEnabled }) => {
  it('types a word from the sample article into the search box and reaches the article', async () => {
    // A second host serving the same site, as a mirror: the search must keep the reader on it.
    const origin = `http://localhost:${PORT}`;
    const ctx = await openContext(browser, { ...DESKTOP, javaScriptEnabled });
    try {
      const page = await ctx.newPage();
      const seen = watch(page);
      await page.goto(`${origin}/section/economy`, { waitUntil: 'load' });
      const box = page.getByRole('search').getByRole('searchbox', { name: 'Search articles' });
      await box.fill('Baerbock');
      await box.press('Enter');
      await page.waitForURL('**/search?q=Baerbock');
      expect(new URL(page.url()).origin).toBe(origin);
      expect(await visibleText(page, 'h1')).toBe('Results for “Baerbock”');
      expect(await visibleText(page, '.search-result mark')).toBe('Baerbock');
      expect(await box.inputValue()).toBe('Baerbock');
      // axe runs as a script in the page: with scripts off it cannot, and the bytes are the same.
      const resultsViolations = javaScriptEnabled ? await runAxe(page) : [];
      await page.screenshot({
        path: `${SCREENSHOTS}/search-${javaScriptEnabled ? 'js' : 'nojs'}.png`,
        fullPage: true,
      });

      await page.getByRole('link', { name: HEADLINE }).click();
      await page.waitForURL(`**/Detail/2022/01/18/${SAMPLE_ID}/**`);
      expect(new URL(page.url()).origin).toBe(origin);
      expect(await visibleText(page, 'h1')).toBe(HEADLINE);
      // The article's tags lead on to topic pages, on the same host.
      await page.getByRole('list', { name: 'Tags' }).getByRole('link', { name: 'Ukraine' }).click();
      await page.waitForURL('**/tag/ukraine');
      expect(new URL(page.url()).origin).toBe(origin);
      expect(await visibleText(page, 'h1')).toBe('Ukraine');
      const tagViolations = javaScriptEnabled ? await runAxe(page) : [];

      console.log(
        `[search ${name}] ${seen.requests.length} requests, axe violations: ${
          [...resultsViolations, ...tagViolations].map((v) => `${v.impact} ${v.id}`).join(', ') || 'none'
        }`,
      );
      expect(seriousOrWorse(resultsViolations)).toEqual([]);
      expect(seriousOrWorse(tagViolations)).toEqual([]);
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.failures).toEqual([]);
      const offHost = seen.requests.filter(
        (url) => !url.startsWith('data:') && new URL(url).origin !== origin,
      );
      expect(offHost).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

describe('the sample article', () => {
  it('fits a 320 px screen and shows a skip link on keyboard focus', async () => {
    const ctx = await openContext(browser, { viewport: { width: 320, height: 640 } });
    try {
      const page = await ctx.newPage();
      await page.goto(`${site.origin}/Detail/2022/01/18/${SAMPLE_ID}/x`);
      expect(await visibleText(page, 'h1')).toBe(HEADLINE);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.keyboard.press('Tab');
      const skip = page.locator('.skip-link');
      expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
      const box = await skip.boundingBox();
      expect(box && box.y >= 0 && box.height > 0).toBe(true);
      await page.screenshot({ path: `${SCREENSHOTS}/narrow-article-skip-link.png` });
    } finally {
      await ctx.close();
    }
  });

  it('prints without navigation, share links or footer links', async () => {
    const ctx = await openContext(browser, DESKTOP);
    try {
      const page = await ctx.newPage();
      await page.goto(`${site.origin}/Detail/2022/01/18/${SAMPLE_ID}/x`);
      await page.emulateMedia({ media: 'print' });
      for (const selector of ['.sections-nav', '.share', '.related', '.site-footer .feeds-line']) {
        expect(await page.locator(selector).isVisible(), selector).toBe(false);
      }
      expect(await visibleText(page, 'h1')).toBe(HEADLINE);
      await page.screenshot({ path: `${SCREENSHOTS}/print-article.png`, fullPage: true });
    } finally {
      await ctx.close();
    }
  });
});
