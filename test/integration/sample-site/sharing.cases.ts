// What a shared link to a list page shows (OpenGraph and Twitter card tags) and what search
// engines read from it (JSON-LD), on a mirror: every URL named is the canonical one on the primary.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHtml } from '../../support/html';
import { publishSample } from '../../support/publish';
import { get, MIRROR, PRIMARY } from '../../support/request';

beforeAll(async () => {
  await publishSample();
});

const jsonLdOf = (html: string) =>
  parseHtml(html)
    .all('script[type="application/ld+json"]')
    .map((script) => JSON.parse(script.children.map((c) => ('data' in c ? c.data : '')).join('')));

describe.each([
  ['home', '/', 'Press TV', 'WebSite'],
  ['section', '/section/russia', 'Russia', 'CollectionPage'],
  ['tag', '/tag/ukraine', 'Ukraine', 'CollectionPage'],
  ['author', '/author/economy-desk', 'Economy desk', 'ProfilePage'],
])('the %s page', (_name, path, title, type) => {
  it('carries a title card for social networks, with canonical URLs on the primary', async () => {
    const response = await get(MIRROR, path);
    expect(response.status).toBe(200);
    const page = parseHtml(await response.text());
    const meta = (key: string) =>
      page.attr(`meta[property="${key}"]`, 'content') ?? page.attr(`meta[name="${key}"]`, 'content');
    expect(meta('og:title')).toBe(title);
    expect(meta('og:description')).toBeTruthy();
    expect(meta('og:url')).toBe(`https://${PRIMARY}${path}`);
    expect(meta('og:image')).toBe(`https://${PRIMARY}/images/logo.png`);
    expect(meta('og:site_name')).toBe('Press TV');
    expect(meta('twitter:card')).toBe('summary');
    expect(meta('twitter:title')).toBe(title);
    expect(meta('twitter:image')).toBe(`https://${PRIMARY}/images/logo.png`);
  });

  it(`describes itself as a schema.org ${type}`, async () => {
    const blocks = jsonLdOf(await (await get(MIRROR, path)).text());
    const page = blocks.find((ld) => ld['@type'] === type);
    expect(page?.url).toBe(`https://${PRIMARY}${path}`);
  });
});

describe('breadcrumbs', () => {
  it('describes the visible section breadcrumb as a BreadcrumbList', async () => {
    const html = await (await get(MIRROR, '/section/russia')).text();
    const visible = parseHtml(html)
      .all('nav[aria-label="Breadcrumb"] a')
      .map((a) => ({
        name: a.children.map((c) => ('data' in c ? c.data : '')).join(''),
        path: a.attribs.href,
      }));
    expect(visible).toEqual([
      { name: 'News', path: '/section/news' },
      { name: 'Russia', path: '/section/russia' },
    ]);
    const trail = jsonLdOf(html).find((ld) => ld['@type'] === 'BreadcrumbList');
    expect(
      trail.itemListElement.map((item: { name: string; item: string }) => ({
        name: item.name,
        path: item.item.replace(`https://${PRIMARY}`, ''),
      })),
    ).toEqual(visible);
  });
});
