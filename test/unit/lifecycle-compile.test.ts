// What compile makes of the lifecycle fields: corrections (validated like `published`, `updated`
// raised to the latest), `removed: true` with its reason, and drafts in a local preview.
import { describe, expect, it } from 'vitest';
import { compileArticle, compileContent } from '../../src/content/compile';
import { formatProblem } from '../../src/content/problems';
import { repositoryContent } from '../support/content';

const input = repositoryContent();
const site = compileContent(input).site;
const PATH = 'content/articles/test.md';
const VALID = ['id: 1', 'title: A headline', 'section: russia', 'published: 2022-01-18T14:05:00Z'].join('\n');

function file(frontMatter: string) {
  return { path: PATH, text: `---\n${frontMatter}\n---\nA first paragraph.\n` };
}

function problemsOf(frontMatter: string): string[] {
  const result = compileArticle(file(frontMatter), site, input.images, input.site.path);
  return Array.isArray(result) ? result.map(formatProblem) : [];
}

describe('corrections in front matter', () => {
  it('sorts them oldest first and raises an earlier updated to the latest', () => {
    const result = compileArticle(
      file(
        `${VALID}\nupdated: 2022-01-19T00:00:00Z\ncorrections:\n  - at: 2022-01-21T10:00:00+02:00\n    text: Second.\n  - at: 2022-01-19T09:00:00Z\n    text: First.`,
      ),
      site,
      input.images,
      input.site.path,
    );
    if (Array.isArray(result)) throw new Error(JSON.stringify(result));
    expect(result.article.corrections).toEqual([
      { at: '2022-01-19T09:00:00Z', text: 'First.' },
      { at: '2022-01-21T08:00:00Z', text: 'Second.' },
    ]);
    expect(result.article.updated).toBe('2022-01-21T08:00:00Z');
  });

  it('keeps a later explicit updated', () => {
    const result = compileArticle(
      file(
        `${VALID}\nupdated: 2022-03-01T00:00:00Z\ncorrections:\n  - at: 2022-01-19T09:00:00Z\n    text: First.`,
      ),
      site,
      input.images,
      input.site.path,
    );
    expect(Array.isArray(result) ? null : result.article.updated).toBe('2022-03-01T00:00:00Z');
  });

  it.each([
    [
      'before published',
      '2021-12-31T00:00:00Z',
      'Text.',
      /:7: corrections\.0\.at: must not be before published/,
    ],
    ['not a real date', '2022-02-30T10:00:00Z', 'Text.', /:7: corrections\.0\.at: is not a real date/],
    [
      'in year 10000 in UTC',
      '9999-12-31T23:00:00-05:00',
      'Text.',
      /:7: corrections\.0\.at: is 10000-\S+ in UTC: it must be from 1970/,
    ],
    ['without an offset', '2022-02-01 10:00', 'Text.', /:7: corrections\.0\.at: must be an ISO 8601/],
    ['with empty text', '2022-02-01T10:00:00Z', "''", /:8: corrections\.0\.text: must not be empty/],
    ['with text too long', '2022-02-01T10:00:00Z', 'x'.repeat(1001), /:8: corrections\.0\.text:/],
  ])('refuses a correction %s, with path and line', (_name, at, text, reason) => {
    const problems = problemsOf(`${VALID}\ncorrections:\n  - at: ${at}\n    text: ${text}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${PATH}${reason.source}`));
  });

  it('refuses an unknown field in a correction', () => {
    expect(
      problemsOf(`${VALID}\ncorrections:\n  - at: 2022-02-01T10:00:00Z\n    text: T.\n    by: me`),
    ).toEqual([`${PATH}:9: unknown field "corrections.0.by"`]);
  });
});

describe('removed and draft articles', () => {
  it('keeps a removed article out of the list and records its reason and id line', () => {
    const content = compileContent({
      ...input,
      articles: [
        ...input.articles,
        file(`${VALID.replace('id: 1', 'id: 990001')}\nremoved: true\nreason: Legal advice.`),
      ],
    });
    expect(content.articles.some((a) => a.id === 990001)).toBe(false);
    expect(content.removedFiles).toEqual([
      { id: 990001, guid: 'tag:presstv.ir,2022-01-18:990001', section: 'russia', reason: 'Legal advice.' },
    ]);
    expect(content.ids?.get(990001)).toEqual({ path: PATH, line: 2, removed: true });
  });

  it('refuses a reason without removed: true', () => {
    expect(problemsOf(`${VALID}\nreason: Why.`)).toEqual([
      `${PATH}:6: reason: is only for an article with removed: true`,
    ]);
  });

  it('publishes drafts only in a preview, marked as drafts', () => {
    const draftId = 676063;
    expect(compileContent(input).articles.some((a) => a.id === draftId)).toBe(false);
    const preview = compileContent(input, undefined, { preview: true });
    expect(preview.articles.find((a) => a.id === draftId)?.draft).toBe(true);
    expect(preview.articles.filter((a) => a.draft)).toHaveLength(1);
  });
});
