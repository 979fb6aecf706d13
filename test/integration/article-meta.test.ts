// What search engines and social networks read from an article page: NewsArticle JSON-LD,
// OpenGraph and Twitter tags, and the share links, read through HTMLRewriter as a parser would.
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryArticles, repositoryImages } from '../support/content';
import { publish } from '../support/publish';
import { get, MIRROR, PRIMARY } from '../support/request';

/** Two sample articles: the head of each page is built from its own article. */
const sampleContent = () => repositoryArticles([675904, 675738]);

/** The sample's lead image: its largest rendition in R2, under a content-hashed name. */
const SAMPLE_IMAGE = repositoryImages.get('images/675904.jpg')?.plan.asset.src;
const SAMPLE = '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';
const CANONICAL = `https://${PRIMARY}${SAMPLE}`;
const HOSTILE_TITLE = 'Breaking </script><script>alert(1)</script> & more';
const HOSTILE_ID = 990010;

interface PageHead {
  meta: Map<string, string[]>;
  jsonLd: string[];
  scripts: number;
  shareLinks: Map<string, string>;
}

async function readHead(response: Response): Promise<PageHead> {
  const head: PageHead = { meta: new Map(), jsonLd: [], scripts: 0, shareLinks: new Map() };
  let currentLd: string[] | null = null;
  let currentShare: string | null = null;
  await new HTMLRewriter()
    .on('meta', {
      element(el) {
        const name = el.getAttribute('property') ?? el.getAttribute('name');
        const content = el.getAttribute('content');
        if (name && content !== null) head.meta.set(name, [...(head.meta.get(name) ?? []), content]);
      },
    })
    // Inline scripts only: the layout's one external script (the offline reader) cannot carry a title.
    .on('script:not([src])', {
      element(el) {
        head.scripts++;
        if (el.getAttribute('type') === 'application/ld+json') {
          currentLd = [];
          head.jsonLd.push('');
        }
      },
      text(chunk) {
        if (currentLd) {
          currentLd.push(chunk.text);
          head.jsonLd[head.jsonLd.length - 1] = currentLd.join('');
          if (chunk.lastInTextNode) currentLd = null;
        }
      },
    })
    .on('.share a', {
      element(el) {
        // HTMLRewriter gives attribute values as written: undo the one entity the links use.
        currentShare = el.getAttribute('href')?.replaceAll('&amp;', '&') ?? null;
      },
      text(chunk) {
        if (currentShare && chunk.text.trim()) head.shareLinks.set(chunk.text.trim(), currentShare);
      },
    })
    .transform(response)
    .text();
  return head;
}

/** The page's NewsArticle among its JSON-LD blocks. */
function newsArticleOf(head: PageHead) {
  const found = head.jsonLd.map((text) => JSON.parse(text)).filter((ld) => ld['@type'] === 'NewsArticle');
  expect(found).toHaveLength(1);
  return found[0];
}

beforeAll(async () => {
  const input = sampleContent();
  input.articles.push({
    path: 'content/articles/hostile.md',
    text: `---\nid: ${HOSTILE_ID}\ntitle: '${HOSTILE_TITLE}'\nsection: economy\npublished: 2022-01-20T10:00:00Z\nauthor: Jane Doe\n---\n\nText.\n`,
  });
  await publish(input);
});

describe('article metadata', () => {
  it('describes the sample article as a NewsArticle with canonical URLs on the primary', async () => {
    const head = await readHead(await get(MIRROR, SAMPLE));
    // The article and its breadcrumb.
    expect(head.jsonLd).toHaveLength(2);
    const ld = newsArticleOf(head);
    expect(ld['@context']).toBe('https://schema.org');
    expect(ld['@type']).toBe('NewsArticle');
    expect(ld.headline).toBe('Russia says no new talks on Ukraine until West responds to demands');
    expect(ld.mainEntityOfPage['@id']).toBe(CANONICAL);
    expect(ld.datePublished).toBe('2022-01-18T14:05:00Z');
    expect(ld.dateModified).toBe('2022-01-18T14:05:00Z');
    expect(SAMPLE_IMAGE).toMatch(/^\/images\/[0-9a-f]{16}\/675904-1200\.jpg$/);
    expect(ld.image[0].url).toBe(`https://${PRIMARY}${SAMPLE_IMAGE}`);
    expect(ld.image[0].width).toBe(1200);
    expect(ld.author[0].name).toBe('Press TV');
    expect(ld.publisher.name).toBe('Press TV');
    expect(ld.publisher.logo.url).toBe(`https://${PRIMARY}/images/logo.png`);
  });

  it('describes the visible breadcrumb as a BreadcrumbList', async () => {
    const head = await readHead(await get(MIRROR, SAMPLE));
    const trail = head.jsonLd.map((text) => JSON.parse(text)).find((ld) => ld['@type'] === 'BreadcrumbList');
    expect(trail.itemListElement).toEqual([
      { '@type': 'ListItem', position: 1, name: 'News', item: `https://${PRIMARY}/section/news` },
      { '@type': 'ListItem', position: 2, name: 'Russia', item: `https://${PRIMARY}/section/russia` },
    ]);
  });

  it('gives social networks OpenGraph and Twitter card tags with absolute URLs', async () => {
    const head = await readHead(await get(MIRROR, SAMPLE));
    const one = (name: string) => head.meta.get(name)?.[0];
    expect(one('og:type')).toBe('article');
    expect(one('og:title')).toBe('Russia says no new talks on Ukraine until West responds to demands');
    expect(one('og:description')).toMatch(/^Moscow says/);
    expect(one('og:url')).toBe(CANONICAL);
    expect(one('og:image')).toBe(`https://${PRIMARY}${SAMPLE_IMAGE}`);
    expect(one('og:site_name')).toBe('Press TV');
    expect(one('article:published_time')).toBe('2022-01-18T14:05:00Z');
    expect(head.meta.get('article:tag')).toEqual(['Russia', 'Ukraine', 'NATO', 'United States', 'Germany']);
    expect(one('twitter:card')).toBe('summary_large_image');
    expect(one('twitter:image')).toBe(`https://${PRIMARY}${SAMPLE_IMAGE}`);
  });

  it('serves the same bytes on every host', async () => {
    const primary = await (await get(PRIMARY, SAMPLE)).text();
    const mirror = await (await get(MIRROR, SAMPLE)).text();
    expect(mirror).toBe(primary);
  });

  it('keeps a headline with </script> inside the JSON-LD block', async () => {
    const page = await get(PRIMARY, `/Detail/2022/01/20/${HOSTILE_ID}/x`, {});
    const location = page.headers.get('Location') ?? '';
    const head = await readHead(await get(PRIMARY, location));
    expect(head.scripts).toBe(2);
    const ld = newsArticleOf(head);
    expect(ld.headline).toBe(HOSTILE_TITLE);
    expect(ld.author[0]).toEqual({
      '@type': 'Person',
      name: 'Jane Doe',
      url: `https://${PRIMARY}/author/jane-doe`,
    });
  });

  it('offers plain share links for X, Facebook, Telegram, WhatsApp and e-mail', async () => {
    const head = await readHead(await get(MIRROR, SAMPLE));
    const url = encodeURIComponent(CANONICAL);
    expect([...head.shareLinks.keys()]).toEqual(['X', 'Facebook', 'Telegram', 'WhatsApp', 'E-mail']);
    expect(head.shareLinks.get('X')).toMatch(new RegExp(`^https://x\\.com/intent/post\\?url=${url}&text=`));
    expect(head.shareLinks.get('Facebook')).toBe(`https://www.facebook.com/sharer/sharer.php?u=${url}`);
    expect(head.shareLinks.get('Telegram')).toMatch(
      new RegExp(`^https://t\\.me/share/url\\?url=${url}&text=`),
    );
    expect(head.shareLinks.get('WhatsApp')).toMatch(/^https:\/\/wa\.me\/\?text=Russia/);
    expect(head.shareLinks.get('WhatsApp')).toContain(url);
    expect(head.shareLinks.get('E-mail')).toBe(
      `mailto:?subject=${encodeURIComponent('Russia says no new talks on Ukraine until West responds to demands')}&body=${url}`,
    );
  });
});
