// A page's ETag from its sources (routes/page-etag.ts): it must change whenever the bytes can.
import { describe, expect, it } from 'vitest';
import { compileSiteConfig } from '../../src/content/compile';
import { manifestSections } from '../../src/publish/indexes/list-pages';
import { pageEtag } from '../../src/routes/page-etag';
import { repositoryContent } from '../support/content';

const site = compileSiteConfig(repositoryContent().site);
const sections = manifestSections({ site, articles: [], drafts: 0 });
const base = { codeVersion: 'code-1', site, sections, hashes: ['a'.repeat(64)], shown: ['3'] };

describe('a page ETag from stored hashes', () => {
  it('is a strong tag, the same for the same sources', async () => {
    const etag = await pageEtag(base);
    expect(etag).toMatch(/^"[0-9a-f]{16}-[0-9a-f]{24}\.3"$/);
    expect(await pageEtag({ ...base, site: { ...site }, sections: [...sections] })).toBe(etag);
  });

  it.each([
    ['another code version', { codeVersion: 'code-2' }],
    ['another stored value', { hashes: ['b'.repeat(64)] }],
    ['one more value shown', { hashes: ['a'.repeat(64), 'b'.repeat(64)] }],
    ['another page count', { shown: ['4'] }],
    ['another site name', { site: { ...site, name: 'Other' } }],
    ['another mirror (the footer)', { site: { ...site, mirrors: [...site.mirrors, 'new.example'] } }],
    [
      'a renamed section (the navigation)',
      { sections: sections.map((s, i) => (i === 0 ? { ...s, title: 'X' } : s)) },
    ],
  ])('changes with %s', async (_, change) => {
    expect(await pageEtag({ ...base, ...change })).not.toBe(await pageEtag(base));
  });

  it('stays when only section counts change, which the page does not show but as its page count', async () => {
    const grown = sections.map((s) => ({ ...s, articles: s.articles + 1 }));
    expect(await pageEtag({ ...base, sections: grown })).toBe(await pageEtag(base));
  });

  it('is not given for a value stored without a hash, or with one that is not hex', async () => {
    expect(await pageEtag({ ...base, hashes: ['a'.repeat(64), undefined] })).toBeUndefined();
    expect(await pageEtag({ ...base, hashes: ['"x"'.repeat(10)] })).toBeUndefined();
  });

  it('names a page that shows no stored value (an empty section) apart from any that does', async () => {
    expect(await pageEtag({ ...base, hashes: [] })).toMatch(/^"[0-9a-f]{16}\.3"$/);
  });
});
