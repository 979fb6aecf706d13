// The validation suite over everything in content/: CI fails when any record breaks the contract.
import { describe, expect, it } from 'vitest';
import { compileArticle, compileContent, compileSiteConfig } from '../../src/content/compile';
import { repositoryContent } from '../support/content';

const input = repositoryContent();
const site = compileSiteConfig(input.site);

describe('content/', () => {
  it.each(input.articles.map((file) => [file.path, file] as const))(
    '%s is a valid article',
    (_path, file) => {
      const result = compileArticle(file, site, input.images, input.site.path);
      expect(Array.isArray(result) ? result : []).toEqual([]);
    },
  );

  it('has unique ids and at least twelve published articles in three sections', () => {
    const content = compileContent(input);
    const ids = content.articles.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(content.articles.length).toBeGreaterThanOrEqual(12);
    expect(new Set(content.articles.map((a) => a.section)).size).toBeGreaterThanOrEqual(3);
  });

  it('gives every published article a picture with alt text, caption, credit and known size', () => {
    for (const article of compileContent(input).articles) {
      expect(article.image, article.path).toMatchObject({
        alt: expect.any(String),
        caption: expect.any(String),
        credit: expect.any(String),
        width: expect.any(Number),
        height: expect.any(Number),
      });
    }
  });

  it('holds the sample article as the outlet published it', () => {
    const sample = compileContent(input).articles.find((a) => a.id === 675904);
    expect(sample).toMatchObject({
      title: 'Russia says no new talks on Ukraine until West responds to demands',
      section: 'russia',
      published: '2022-01-18T14:05:00Z',
      guid: 'tag:presstv.ir,2022-01-18:675904',
      image: {
        caption:
          "Germany's Foreign Minister Annalena Baerbock (L) and her Russian counterpart, Sergei Lavrov",
        credit: 'AFP',
      },
    });
    expect(sample?.bodyHtml).toContain(
      '<h2>Russia calls on US to abandon plans to provide more weapons to Ukraine</h2>',
    );
    expect(site.sections.find((s) => s.slug === 'russia')?.parent).toBe('news');
  });

  it('serves the primary and keeps mirrors and redirects on reserved sample names', () => {
    expect(site.primary).toBe('www.presstv.ir');
    expect(site.redirects).toContain('presstv.ir');
    for (const host of site.mirrors) expect(host).toMatch(/\.example$/);
  });
});
