// The compile step: what an editor's mistakes produce (file, line, reason) and what hostile
// markup in a body becomes (nothing executable).
import { describe, expect, it } from 'vitest';
import { compileArticle, compileContent } from '../../src/content/compile';
import { ContentError } from '../../src/content/problems';
import { repositoryContent } from '../support/content';
import { parseHtml } from '../support/html';

const input = repositoryContent();
const site = compileContent(input).site;
const PATH = 'content/articles/test.md';

function article(frontMatter: string, body = 'A first paragraph.'): { path: string; text: string } {
  return { path: PATH, text: `---\n${frontMatter}\n---\n${body}\n` };
}

const VALID = ['id: 1', 'title: A headline', 'section: russia', 'published: 2022-01-18T14:05:00Z'].join('\n');

function problemsOf(file: { path: string; text: string }) {
  const result = compileArticle(file, site, input.images, input.site.path);
  return Array.isArray(result) ? result : [];
}

function bodyOf(markdown: string): string {
  const result = compileArticle(
    article(`${VALID}\nsummary: Given.`, markdown),
    site,
    input.images,
    input.site.path,
  );
  if (Array.isArray(result)) throw new Error(JSON.stringify(result));
  return result.article.bodyHtml;
}

describe('compiling an article', () => {
  it('derives slug, path, GUID and summary', () => {
    const result = compileArticle(
      article(VALID, 'First *paragraph* here.\n\nSecond.'),
      site,
      input.images,
      input.site.path,
    );
    expect(result).toMatchObject({
      article: {
        slug: 'A-headline',
        path: '/Detail/2022/01/18/1/A-headline',
        guid: 'tag:presstv.ir,2022-01-18:1',
        summary: 'First paragraph here.',
      },
    });
  });

  it.each([
    ['a missing title', VALID.replace('title: A headline\n', ''), 2, /title/],
    [
      'a date without offset',
      VALID.replace('2022-01-18T14:05:00Z', '2022-01-18 14:05'),
      5,
      /published: must be an ISO 8601/,
    ],
    ['an unknown section', VALID.replace('section: russia', 'section: weather'), 4, /no section "weather"/],
    [
      'an update before publication',
      `${VALID}\nupdated: 2021-01-01T00:00:00Z`,
      6,
      /updated: must not be before/,
    ],
    ['an unknown field', `${VALID}\nheadline: x`, 6, /unknown field "headline"/],
    ['a negative id', VALID.replace('id: 1', 'id: -5'), 2, /id:/],
    [
      'an image that does not exist',
      `${VALID}\nimage:\n  src: images/none.jpg\n  alt: x`,
      7,
      /no file content\/images\/none.jpg/,
    ],
    [
      'an image over plain http',
      `${VALID}\nimage:\n  src: http://example.com/x.jpg\n  alt: x`,
      7,
      /must name a file under content\/images/,
    ],
  ])('rejects %s with its line', (_name, frontMatter, line, reason) => {
    const problems = problemsOf(article(frontMatter));
    expect(problems).toEqual([
      expect.objectContaining({ path: PATH, line, reason: expect.stringMatching(reason) }),
    ]);
  });

  it.each([
    [
      'a year past 9999 once in UTC',
      '9999-12-31T23:30:00-01:00',
      /published: .*10000-01-01T00:30:00Z.*1970.*9999/,
    ],
    ['a year before 1970 once in UTC', '0000-01-01T00:30:00+01:00', /published: .*1970.*9999/],
    ['a day the month does not have', '2023-02-30T00:00:00Z', /published: .*February 2023 has 28 days/],
    ['hour 24', '2023-01-01T24:00:00Z', /published: .*hour must be 00 to 23/],
    ['minute 60', '2023-01-01T23:60:00Z', /published: .*minute must be 00 to 59/],
    ['second 60', '2023-01-01T23:59:60Z', /published: .*second must be 00 to 59/],
    ['month 13', '2023-13-01T00:00:00Z', /published: .*month must be 01 to 12/],
    ['an offset past 23:59', '2023-01-01T00:00:00+24:00', /published: .*offset/],
  ])('rejects %s in published, at its line', (_name, date, reason) => {
    expect(problemsOf(article(VALID.replace('2022-01-18T14:05:00Z', date)))).toEqual([
      { path: PATH, line: 5, reason: expect.stringMatching(reason) },
    ]);
  });

  it('rejects an impossible updated date too, instead of shifting it', () => {
    expect(problemsOf(article(`${VALID}\nupdated: 2023-02-29T10:00:00Z`))).toEqual([
      { path: PATH, line: 6, reason: expect.stringMatching(/^updated: .*February 2023 has 28 days/) },
    ]);
  });

  it('compares no date that did not parse: a broken published is the one problem, not a valid updated', () => {
    const broken = VALID.replace('2022-01-18T14:05:00Z', 'yesterday');
    expect(problemsOf(article(`${broken}\nupdated: 2022-01-19T09:00:00Z`))).toEqual([
      { path: PATH, line: 5, reason: expect.stringMatching(/^published: /) },
    ]);
    expect(
      problemsOf(article(`${broken}\ncorrections:\n  - at: 2022-01-19T09:00:00Z\n    text: A fix.`)),
    ).toEqual([{ path: PATH, line: 5, reason: expect.stringMatching(/^published: /) }]);
  });

  it.each([
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z'],
    ['1970-01-01T01:00:00+01:00', '1970-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
    ['2024-02-29T23:30:00-01:00', '2024-03-01T00:30:00Z'],
    ['2022-01-18T14:05Z', '2022-01-18T14:05:00Z'],
  ])('accepts %s as %s in UTC', (date, utc) => {
    const result = compileArticle(
      article(VALID.replace('2022-01-18T14:05:00Z', date)),
      site,
      input.images,
      input.site.path,
    );
    expect(result).toMatchObject({ article: { published: utc } });
  });

  it('reports broken YAML and a missing front matter fence', () => {
    expect(problemsOf(article(`${VALID}\ntags: [a, b`))[0]).toMatchObject({
      path: PATH,
      reason: /invalid YAML/,
    });
    expect(problemsOf({ path: PATH, text: 'no front matter' })[0]).toMatchObject({ line: 1 });
  });

  it('reports every broken file and a duplicated id in both files', () => {
    const duplicate = { ...input.articles[0], path: 'content/articles/copy.md' } as {
      path: string;
      text: string;
    };
    const broken = article(VALID.replace('section: russia', 'section: nope'));
    let error: unknown;
    try {
      compileContent({ ...input, articles: [...input.articles, duplicate, broken] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ContentError);
    const paths = (error as ContentError).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([duplicate.path, input.articles[0]?.path, PATH]));
  });

  it('removes characters XML 1.0 forbids from every field', () => {
    const result = compileArticle(
      article(VALID.replace('A headline', 'A\u0001 head\uFFFEline'), 'Body\u0008 text.'),
      site,
      input.images,
      input.site.path,
    );
    expect(result).toMatchObject({ article: { title: 'A headline', summary: 'Body text.' } });
  });
});

describe('content limits, so that every record an accepted article produces fits in KV', () => {
  const CYRILLIC_TAG = 'Ж'.repeat(90);
  const withBody = (markdown: string) => article(`${VALID}\nsummary: Given.`, markdown);
  // The body starts on the line after the closing fence: VALID is 4 lines, plus summary and fences.
  const BODY_LINE = 8;

  it.each([
    [
      'a 90-character Cyrillic tag (180 bytes)',
      `${VALID}\ntags: [Russia, ${CYRILLIC_TAG}]`,
      6,
      /^tags\.1: .*100 bytes/,
    ],
    [
      '31 tags',
      `${VALID}\ntags: [${Array.from({ length: 31 }, (_, i) => `t${i}`).join(', ')}]`,
      6,
      /^tags: .*30/,
    ],
    ['a title of 301 characters', VALID.replace('A headline', 'x'.repeat(301)), 3, /^title: .*300/],
    ['a summary of 1,001 characters', `${VALID}\nsummary: ${'x'.repeat(1001)}`, 6, /^summary: .*1000/],
    ['an author of 201 characters', `${VALID}\nauthor: ${'x'.repeat(201)}`, 6, /^author: .*200/],
    [
      'an image caption of 501 characters',
      `${VALID}\nimage:\n  src: images/675904.jpg\n  alt: x\n  caption: ${'x'.repeat(501)}`,
      9,
      /^image\.caption: .*500/,
    ],
    ['a custom slug of 101 characters', `${VALID}\nslug: ${'x'.repeat(101)}`, 6, /^slug: .*100/],
  ])('rejects %s at its line', (_name, frontMatter, line, reason) => {
    expect(problemsOf(article(frontMatter))).toEqual([
      { path: PATH, line, reason: expect.stringMatching(reason) },
    ]);
  });

  it('rejects a Markdown body over 128 KiB at its first line, without rendering it', () => {
    const problems = problemsOf(withBody('word '.repeat(27_000)));
    expect(problems).toEqual([
      { path: PATH, line: BODY_LINE, reason: expect.stringMatching(/^body: .*132 KiB.*128 KiB/) },
    ]);
  });

  it('rejects a body whose rendered HTML is over 256 KiB although its Markdown is small', () => {
    // A reference definition is written once and repeated by every use.
    const body = `${'[a][r] '.repeat(10_000)}\n\n[r]: /${'x'.repeat(200)}`;
    expect(problemsOf(withBody(body))).toEqual([
      { path: PATH, line: BODY_LINE, reason: expect.stringMatching(/^body: .*HTML.*256 KiB/) },
    ]);
  });

  it('rejects a body whose API record would be over 400 KiB (site links become absolute there)', () => {
    // 16,000 empty links: 250 KiB of HTML, 800 KiB once each href carries the origin.
    expect(problemsOf(withBody('[](/)'.repeat(16_000)))).toEqual([
      { path: PATH, line: BODY_LINE, reason: expect.stringMatching(/^body: .*API record.*400 KiB/) },
    ]);
  });

  it('rejects a whole file over 160 KiB at line 1 before parsing it', () => {
    const problems = problemsOf(withBody('word '.repeat(6_000_000)));
    expect(problems).toEqual([{ path: PATH, line: 1, reason: expect.stringMatching(/28\.6 MiB.*160 KiB/) }]);
  });

  it('cuts a summary taken from a long first paragraph to 1,000 characters at a word', () => {
    const result = compileArticle(article(VALID, 'word '.repeat(1000)), site, input.images, input.site.path);
    if (Array.isArray(result)) throw new Error(JSON.stringify(result));
    expect(result.article.summary.length).toBeLessThanOrEqual(1000);
    expect(result.article.summary).toMatch(/^(?:word )+word…$/);
  });

  it('accepts an article at every limit', () => {
    const tags = Array.from({ length: 30 }, (_, i) => `${'Ж'.repeat(48)}${String(i).padStart(2, '0')}`);
    const frontMatter = [
      VALID.replace('A headline', 'T'.repeat(300)),
      `summary: ${'s'.repeat(1000)}`,
      `author: ${'a'.repeat(200)}`,
      `slug: ${'x'.repeat(100)}`,
      `tags: [${tags.join(', ')}]`,
    ].join('\n');
    const result = compileArticle(
      article(frontMatter, 'word '.repeat(26_000)),
      site,
      input.images,
      input.site.path,
    );
    expect(Array.isArray(result) ? result : []).toEqual([]);
  });
});

describe('sanitising hostile markup in a body', () => {
  /** Every element name and every `name=value` attribute in the sanitised body. */
  function markupOf(markdown: string): string[] {
    return parseHtml(bodyOf(markdown))
      .all('*')
      .flatMap((el) => [el.name, ...Object.entries(el.attribs).map(([name, value]) => `${name}=${value}`)]);
  }

  it.each([
    ['a script element', '<script>alert(1)</script>Text', /^script$/],
    ['an event handler', '<p onclick="alert(1)">Text</p>', /^on/],
    ['a javascript: link', '[x](javascript:alert(1)) <a href="javascript:alert(1)">y</a>', /javascript:/i],
    ['an iframe', '<iframe src="https://evil.example"></iframe>', /^iframe$/],
    [
      'a style element and attribute',
      '<style>body{display:none}</style><p style="position:fixed">x</p>',
      /^style/,
    ],
    ['an off-site image', '<img src="https://tracker.example/pixel.gif" alt="">', /tracker/],
    ['an svg with script', '<svg><script>alert(1)</script></svg>', /^(svg|script)$/],
    ['a data: URL', '<a href="data:text/html,<script>alert(1)</script>">x</a>', /data:/i],
    ['a form', '<form action="https://evil.example"><input name="q"></form>', /^(form|input)$/],
  ])('removes %s', (_name, markdown, forbidden) => {
    expect(markupOf(markdown).filter((item) => forbidden.test(item))).toEqual([]);
  });

  it('keeps ordinary article markup: subheadings, tables, quotes, links and site images', () => {
    const html = bodyOf(
      '## Sub\n\n> quote\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n[link](https://example.com/) ![pic](/images/articles/675904.jpg)',
    );
    expect(html).toContain('<h2>Sub</h2>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<td style="text-align:right">2</td>');
    expect(html).toContain('<a href="https://example.com/">link</a>');
    expect(html).toContain('<img src="/images/articles/675904.jpg" alt="pic" />');
  });
});
