// The publish-time feed model: URLs inside article bodies become absolute on the placeholder origin.
import { describe, expect, it } from 'vitest';
import { absolutizeHtml } from '../../src/feeds/feed-items';
import { ORIGIN_PLACEHOLDER } from '../../src/sites/origin-placeholder';

const PAGE = `${ORIGIN_PLACEHOLDER}/Detail/2022/01/18/675904/Slug`;

describe('absolutizeHtml', () => {
  it('makes root-relative links and images absolute on the placeholder origin', () => {
    const html = '<p><a href="/section/russia">x</a><img src="/images/a.jpg" alt=""></p>';
    expect(absolutizeHtml(html, PAGE)).toBe(
      `<p><a href="${ORIGIN_PLACEHOLDER}/section/russia">x</a><img src="${ORIGIN_PLACEHOLDER}/images/a.jpg" alt=""></p>`,
    );
  });

  it('points in-page anchors and page-relative links at the article', () => {
    expect(absolutizeHtml('<a href="#notes">n</a>', PAGE)).toBe(`<a href="${PAGE}#notes">n</a>`);
    expect(absolutizeHtml('<a href="Other">o</a>', PAGE)).toBe(
      `<a href="${ORIGIN_PLACEHOLDER}/Detail/2022/01/18/675904/Other">o</a>`,
    );
  });

  it('leaves absolute and mailto links alone, and ignores look-alike text', () => {
    const html =
      '<a href="https://example.org/a?b=1&amp;c=2">e</a> <a href="mailto:desk@example.org">m</a> href="/x"';
    expect(absolutizeHtml(html, PAGE)).toBe(html);
  });
});
