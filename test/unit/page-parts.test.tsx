// What publish stores for pages, rendered once, must give the bytes the views give when rendered
// whole: a list's cards (the first one as the lead) and the frame around an article's parts.
import { describe, expect, it } from 'vitest';
import { compileSiteConfig } from '../../src/content/compile';
import { manifestSections } from '../../src/publish/indexes/list-pages';
import type { Article, Teaser } from '../../src/storage/records';
import { ArticleCard, leadCard, renderCard } from '../../src/views/ArticleCard';
import { ArticlePage, renderArticleRecord } from '../../src/views/ArticlePage';
import { formatDay, formatLongDate, formatShortDate } from '../../src/views/format';
import { escapeHtml, voidTag } from '../../src/views/head-tags';
import { assemblePage, layoutFrame } from '../../src/views/Layout';
import { repositoryContent } from '../support/content';

const site = compileSiteConfig(repositoryContent().site);
const sections = manifestSections({ site, articles: [], drafts: 0 });

const image = {
  src: '/images/0123456789abcdef/photo-1440.jpg',
  alt: 'A "quoted" <alt> & more',
  width: 1440,
  height: 810,
  srcset: '/images/0123456789abcdef/photo-480.jpg 480w, /images/0123456789abcdef/photo-1440.jpg 1440w',
  webpSrcset: '/images/0123456789abcdef/photo-480.webp 480w',
};

const teaser: Teaser = {
  id: 42,
  path: '/Detail/2022/01/18/42/A-headline',
  title: 'A headline with sizes="(min-width: 40rem) 24rem, 7.5rem" in it',
  section: 'russia',
  published: '2022-01-18T00:05:00Z',
  summary: 'Summary <b>not bold</b> & " sizes="x"',
  image,
};

const html = (node: unknown) => String(node);

describe('a stored card', () => {
  it.each([
    ['with a picture', teaser],
    ['with a plain image', { ...teaser, image: { ...image, webpSrcset: undefined } }],
    ['without an image', { ...teaser, image: undefined }],
  ])('%s is the card the view renders, and its lead form the lead card', (_, card: Teaser) => {
    expect(renderCard(card)).toBe(html(<ArticleCard article={card} />));
    expect(leadCard(renderCard(card))).toBe(html(<ArticleCard article={card} lead />));
  });

  it('changes only the sizes attributes when it leads a list', () => {
    const stored = renderCard(teaser);
    expect(leadCard(stored)).not.toBe(stored);
    expect(leadCard(stored).replaceAll('(min-width: 64rem) 50rem, ', '')).toBe(stored);
  });
});

describe('an article page from its stored parts', () => {
  const article: Article = {
    ...teaser,
    guid: 'tag:www.presstv.ir,2022-01-18:42',
    slug: 'A-headline',
    bodyHtml: '<p>Body.</p>',
    tags: ['Russia'],
    author: 'A & B',
    related: [{ ...teaser, id: 41 }],
  };

  it('is the page the view renders whole, in the frame for its section', () => {
    const record = renderArticleRecord(site, article);
    const frame = layoutFrame(site, sections, record.activeSection);
    expect(`<!DOCTYPE html>${assemblePage(frame, record)}`).toBe(
      `<!DOCTYPE html>${html(<ArticlePage site={site} sections={sections} article={article} />)}`,
    );
    expect(record.activeSection).toBe('news');
    expect(layoutFrame(site, sections, 'news')).toBe(frame);
  });
});

describe('dates on pages', () => {
  // Pages are rendered by publish (Node) and by the worker: Intl's ICU data differs between them.
  it('are written the same wherever they are rendered, midnight and noon included', () => {
    expect(formatLongDate('2022-01-18T00:05:00Z')).toBe('Tuesday, 18 January 2022 12:05 AM UTC');
    expect(formatLongDate('2022-01-18T12:05:00Z')).toBe('Tuesday, 18 January 2022 12:05 PM UTC');
    expect(formatLongDate('2022-09-03T21:40:59Z')).toBe('Saturday, 3 September 2022 9:40 PM UTC');
    expect(formatDay('2022-09-03T21:40:00Z')).toBe('3 September 2022');
    expect(formatShortDate('2022-09-03T21:40:00Z')).toBe('3 Sept 2022');
  });
});

describe('head tags written as strings', () => {
  const hostile = [
    'plain',
    `"quoted" & 'single' <b>tags</b>`,
    '&amp; already',
    '</head><script>x</script>',
    'ünï ‮ text',
  ];

  it.each(hostile)('are what JSX writes in <head>: %s', (text) => {
    expect(`<head>${voidTag('meta', { property: 'og:title', content: text })}</head>`).toBe(
      html(
        <head>
          <meta property="og:title" content={text} />
        </head>,
      ),
    );
    expect(`<head>${voidTag('link', { rel: 'alternate', title: text, href: `/${text}` })}</head>`).toBe(
      html(
        <head>
          <link rel="alternate" title={text} href={`/${text}`} />
        </head>,
      ),
    );
    expect(`<head><title>${escapeHtml(text)}</title></head>`).toBe(
      html(
        <head>
          <title>{text}</title>
        </head>,
      ),
    );
  });

  it('leave out an absent attribute, as JSX does', () => {
    expect(voidTag('meta', { name: 'a', content: undefined })).toBe('<meta name="a"/>');
  });
});
