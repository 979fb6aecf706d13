// compile() against damaged files: hostile text spliced anywhere into a real article or site.yaml
// (front matter, fences, body) must compile or fail with file, line and reason, never crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { ContentError } from '../../src/content/problems';
import { repositoryContent } from '../support/content';
import { hostileText } from '../support/hostile-content';
import { sweepSize } from '../support/sweep-size';

const RUNS = sweepSize({ fast: 100, long: 300 });

const real = repositoryContent();
const article = real.articles[0];
if (!article) throw new Error('content/ has no articles');

/** Inserts `text` into `source` at a position chosen by `at`. */
function splice(source: string, at: number, text: string): string {
  const position = at % (source.length + 1);
  return source.slice(0, position) + text + source.slice(position);
}

function compileOrExplain(input: ContentInput): 'accepted' | 'rejected' {
  try {
    compileContent(input);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    const files = new Map([input.site, ...input.articles].map((f) => [f.path, f.text.split('\n').length]));
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(files.has(problem.path)).toBe(true);
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual((files.get(problem.path) ?? 0) + 1);
      expect(problem.reason.trim()).not.toBe('');
    }
    return 'rejected';
  }
}

describe('compile on damaged files', () => {
  it('accepts or rejects an article with hostile text spliced in anywhere, naming file and line', () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.nat(), hostileText(12), (at, text) => {
        const damaged = { ...article, text: splice(article.text, at, text) };
        outcomes[compileOrExplain({ ...real, articles: [damaged] })] += 1;
      }),
      { numRuns: RUNS },
    );
    // Both outcomes must occur, or the property tested only one path.
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('accepts or rejects a site.yaml with hostile text spliced in anywhere, naming file and line', () => {
    fc.assert(
      fc.property(fc.nat(), hostileText(12), (at, text) => {
        const site = { ...real.site, text: splice(real.site.text, at, text) };
        compileOrExplain({ ...real, site, articles: [article] });
      }),
      { numRuns: RUNS },
    );
  });

  // Found by the properties above: the yaml package throws while resolving these documents.
  it.each([
    ['an alias to a missing anchor', 'title: *x', 3, 'Unresolved alias'],
    ['an alias bomb', `title: ok\n${aliasBomb()}`, 5, 'resource exhaustion'],
  ])('rejects front matter with %s at its line', (_, yaml, line, reason) => {
    const text = `---\nid: 5\n${yaml}\nsection: news\npublished: 2022-01-01T00:00:00Z\n---\n\nBody.\n`;
    const damaged = { path: 'content/articles/damaged.md', text };
    expect(() => compileContent({ ...real, articles: [damaged] })).toThrow(ContentError);
    try {
      compileContent({ ...real, articles: [damaged] });
    } catch (error) {
      expect((error as ContentError).problems).toEqual([
        { path: damaged.path, line, reason: expect.stringContaining(reason) },
      ]);
    }
  });
});

/** Nine-fold nesting, five levels deep: 59 049 strings from a few lines if the parser expands it. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level <= 4; level++) {
    lines.push(
      `a${level}: &a${level} [${Array(9)
        .fill(`*a${level - 1}`)
        .join(', ')}]`,
    );
  }
  return lines.join('\n');
}
