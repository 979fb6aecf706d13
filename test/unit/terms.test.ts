// Tags and authors as terms: slugs readable in every script and bounded in bytes, spellings that
// fold alike grouped into one term, and bylines given as a string or a list.
import { describe, expect, it } from 'vitest';
import { compileArticle, compileContent } from '../../src/content/compile';
import { isCanonicalTermSlug, MAX_TERM_SLUG_BYTES, termSlug } from '../../src/taxonomy/term-slug';
import { collectTerms, termLinks } from '../../src/taxonomy/terms';
import { foldText } from '../../src/text/fold';
import { repositoryContent } from '../support/content';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('term slugs', () => {
  it('keeps words in their own script, lower-cased and joined by hyphens', () => {
    expect(termSlug('Bank of Russia')).toBe('bank-of-russia');
    expect(termSlug('Россия сегодня')).toBe('россия-сегодня');
    expect(termSlug('ایران')).toBe('ایران');
    expect(termSlug('Café Crème')).toBe('cafe-creme');
    expect(termSlug('U.S. & Iran')).toBe('u-s-iran');
  });

  it('gives Arabic- and Persian-keyboard spellings of one word one slug', () => {
    // Arabic yeh and kaf versus Persian yeh and keheh, a zero-width non-joiner, harakat and tatweel.
    expect(termSlug('انرژي')).toBe(termSlug('انرژی'));
    expect(termSlug('كتاب')).toBe(termSlug('کتاب'));
    expect(termSlug('می‌رود')).toBe(termSlug('میرود'));
    expect(termSlug('مُحَمَّد')).toBe(termSlug('محمد'));
    expect(termSlug('عـــربي')).toBe(termSlug('عربی'));
    expect(foldText('۱۴۰۱ and ١٤٠١')).toBe('1401 and 1401');
    expect(termSlug('Ёлка')).toBe(termSlug('елка'));
  });

  it('keeps Cyrillic letters that only look accented', () => {
    expect(termSlug('Йошкар-Ола')).toBe('йошкар-ола');
  });

  it('bounds a slug in UTF-8 bytes, cutting after a whole word', () => {
    const persian = Array.from({ length: 60 }, () => 'واژه').join(' ');
    const slug = termSlug(persian);
    expect(bytes(slug)).toBeLessThanOrEqual(MAX_TERM_SLUG_BYTES);
    expect(slug.endsWith('واژه')).toBe(true);
    expect(bytes(termSlug('ж'.repeat(500)))).toBeLessThanOrEqual(MAX_TERM_SLUG_BYTES);
  });

  it('is empty for a name without a letter or digit, and stable when applied again', () => {
    expect(termSlug('!!! ---')).toBe('');
    for (const name of ['Bank of Russia', 'انرژي هسته اي', 'Россия', 'İstanbul']) {
      expect(termSlug(termSlug(name))).toBe(termSlug(name));
      expect(isCanonicalTermSlug(termSlug(name))).toBe(true);
    }
    expect(isCanonicalTermSlug('Russia')).toBe(false);
    expect(isCanonicalTermSlug('russia--x')).toBe(false);
  });
});

describe('collecting terms', () => {
  const article = (tags: string[], id: number) => ({ id, tags });

  it('groups spellings that slug alike into one term named as most articles spell it', () => {
    const terms = collectTerms(
      [article(['russia'], 3), article(['Russia'], 2), article(['Russia', 'RUSSIA'], 1)],
      'tag',
    );
    expect([...terms.keys()]).toEqual(['russia']);
    expect(terms.get('russia')?.name).toBe('Russia');
    expect(terms.get('russia')?.articles.map((a) => a.id)).toEqual([3, 2, 1]);
  });

  it('links no page for a name that has no slug', () => {
    expect(termLinks({ tags: ['Iran', '!!!'] }, 'tag')).toEqual([
      { name: 'Iran', path: '/tag/iran' },
      { name: '!!!', path: undefined },
    ]);
  });
});

describe('bylines', () => {
  const input = repositoryContent();
  const site = compileContent(input).site;
  const compile = (author: string) =>
    compileArticle(
      {
        path: 'content/articles/a.md',
        text: `---\nid: 1\ntitle: T\nsection: russia\npublished: 2022-01-18T14:05:00Z\nauthor: ${author}\n---\nText.\n`,
      },
      site,
      input.images,
      input.site.path,
    );

  it('accepts one author as a string and several as a list', () => {
    expect(compile('Jane Doe')).toMatchObject({ article: { author: 'Jane Doe' } });
    expect(compile('Jane Doe')).not.toHaveProperty('article.authors');
    expect(compile('[Jane Doe, Ali Rezaei, Олег Петров]')).toMatchObject({
      article: {
        author: 'Jane Doe, Ali Rezaei and Олег Петров',
        authors: ['Jane Doe', 'Ali Rezaei', 'Олег Петров'],
      },
    });
  });

  it('refuses an empty list with the file and line', () => {
    expect(compile('[]')).toEqual([expect.objectContaining({ path: 'content/articles/a.md', line: 6 })]);
  });
});
