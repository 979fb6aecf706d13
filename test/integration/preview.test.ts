// A local preview (`npm run preview`): drafts are served, each page marked "Draft — not published"
// and kept out of search engines; a regular publish of the same content takes them down again.
import { describe, expect, it } from 'vitest';
import { repositoryArticles } from '../support/content';
import { elementsByClass, elementsByTag, parseHtml, textOf } from '../support/html';
import { publish } from '../support/publish';
import { fetchWorker, MIRROR, PRIMARY } from '../support/request';

const DRAFT =
  '/Detail/2022/03/10/676063/Wheat-importers-seek-alternative-suppliers-as-Black-Sea-shipments-stall';
const PUBLISHED =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';

async function page(host: string, path: string) {
  const response = await fetchWorker(`https://${host}${path}`);
  return { status: response.status, doc: parseHtml(await response.text()) };
}

/** The sample's draft and one published article: what a preview serves differently, and what not. */
const sample = () => repositoryArticles([676063, 675904]);

const robotsOf = (doc: ReturnType<typeof parseHtml>) =>
  elementsByTag(doc, 'meta').find((m) => m.attribs.name === 'robots')?.attribs.content;

describe('npm run preview', () => {
  it.each([PRIMARY, MIRROR])('serves a draft marked as such, on %s', async (host) => {
    await publish(sample(), undefined, { preview: true });
    const draft = await page(host, DRAFT);
    expect(draft.status).toBe(200);
    const banner = elementsByClass(draft.doc, 'p', 'draft-banner');
    expect(banner).toHaveLength(1);
    expect(textOf(banner[0])).toContain('Draft — not published.');
    expect(robotsOf(draft.doc)).toBe('noindex');

    const published = await page(host, PUBLISHED);
    expect(elementsByClass(published.doc, 'p', 'draft-banner')).toEqual([]);
    expect(robotsOf(published.doc)).toBe('max-image-preview:large');
  });

  it('leaves drafts unpublished everywhere once published normally', async () => {
    await publish(sample(), undefined, { preview: true });
    await publish(sample(), new Date('2026-01-02T00:00:00Z'));
    expect((await page(PRIMARY, DRAFT)).status).toBe(404);
    const api = await fetchWorker(`https://${MIRROR}/api/v1/articles/676063`);
    expect(api.status).toBe(404);
    const feed = await (await fetchWorker(`https://${MIRROR}/feed.json`)).json<{ items: { id: string }[] }>();
    expect(feed.items.some((item) => item.id.endsWith(':676063'))).toBe(false);
  });
});
