// Sitemap building and the news window as pure functions: splitting past the URL limit,
// and which entries a window step keeps.
import { describe, expect, it } from 'vitest';
import { compileContent } from '../../src/content/compile';
import { buildSitemaps, newsLanguage } from '../../src/publish/indexes/sitemaps';
import { NEWS_WINDOW_MS, NEWS_WINDOW_STEP_MS, renderNewsSitemap } from '../../src/seo/news-sitemap';
import { sitemapIndexKey, sitemapKey } from '../../src/storage/keys';
import { repositoryContent } from '../support/content';
import { parseXmlRecord } from '../support/xml';

describe('buildSitemaps', () => {
  it('splits a month past the URL limit into numbered parts listed in the index', () => {
    const records = buildSitemaps(compileContent(repositoryContent()), 2);
    const january = parseXmlRecord(records.get(sitemapKey('2022-01')) ?? '');
    expect((january.urlset as { url: unknown[] }).url).toHaveLength(2);
    expect(records.has(sitemapKey('2022-01-2'))).toBe(true);
    const index = records.get(sitemapIndexKey()) ?? '';
    expect(index).toContain('/sitemaps/2022-01-2.xml</loc>');
    for (const [key, body] of records) {
      // The pages sitemap holds the home page and the sections: bounded by the configuration.
      if (key === sitemapKey('pages')) continue;
      const parsed = parseXmlRecord(body);
      const urls = (parsed.urlset as { url?: unknown[] } | undefined)?.url;
      if (urls) expect(urls.length).toBeLessThanOrEqual(2);
    }
  });
});

describe('renderNewsSitemap', () => {
  const step = 1_000_000;
  const start = step * NEWS_WINDOW_STEP_MS;
  const entry = (ageMs: number, id: string) => ({
    published: new Date(start - ageMs).toISOString(),
    xml: `<url><loc>${id}</loc></url>`,
  });

  it('keeps entries up to two days before the step starts and drops older ones', () => {
    const body = renderNewsSitemap(
      { entries: [entry(0, 'now'), entry(NEWS_WINDOW_MS, 'edge'), entry(NEWS_WINDOW_MS + 1, 'old')] },
      step,
    );
    expect(body).toContain('<loc>now</loc>');
    expect(body).toContain('<loc>edge</loc>');
    expect(body).not.toContain('<loc>old</loc>');
    parseXmlRecord(body);
  });

  it('is a well-formed empty urlset when nothing is recent', () => {
    const body = renderNewsSitemap({ entries: [entry(NEWS_WINDOW_MS * 2, 'old')] }, step);
    expect(parseXmlRecord(body).urlset).not.toHaveProperty('url');
  });
});

describe('newsLanguage', () => {
  it('gives Google News the ISO 639 code, with its two Chinese exceptions', () => {
    expect(newsLanguage('en')).toBe('en');
    expect(newsLanguage('fa-IR')).toBe('fa');
    expect(newsLanguage('zh-Hans')).toBe('zh-cn');
    expect(newsLanguage('zh-TW')).toBe('zh-tw');
  });
});
