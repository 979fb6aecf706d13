// The publish-time feed model: URLs inside article bodies become absolute on the placeholder
// origin, and feed records depend on the content alone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileContent } from '../../src/content/compile';
import { absolutizeHtml } from '../../src/feeds/feed-items';
import { buildRecords } from '../../src/publish/build-records';
import { MemoryRecordStore, type RecordStore } from '../../src/publish/record-store';
import { ORIGIN_PLACEHOLDER } from '../../src/sites/origin-placeholder';
import { repositoryContent } from '../support/content';

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

describe('feed records', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('do not depend on the time of the publish', async () => {
    const content = compileContent(repositoryContent());
    // Both the publish's `now` and the clock move: a writer that fell back to the clock would show it.
    const buildAt = (iso: string) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(iso));
      return buildRecords(content, {
        previous: null,
        now: new Date(iso),
        changeLog: { head: 0, pages: new MemoryRecordStore() },
      });
    };
    const early = await buildAt('2026-01-01T00:00:00Z');
    const late = await buildAt('2027-06-30T12:00:00Z');
    const feeds = (records: RecordStore) => [...records].filter(([key]) => key.startsWith('feed:'));
    expect(feeds(early.indexes).length).toBeGreaterThan(3);
    expect(feeds(late.indexes)).toEqual(feeds(early.indexes));
  });
});
