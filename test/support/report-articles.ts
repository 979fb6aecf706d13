// Synthetic articles for tests that need more of them than the sample has: one a day from
// 2018-01-01, over six sections, each tagged `Budget`, one of five `Tag N` and one of two `Half N`,
// enough that every index of a few hundred has several buckets, archives and parts.
import type { SourceFile } from '../../src/content/problems';

export const REPORT_SECTIONS = ['news', 'russia', 'middle-east', 'economy', 'science', 'sport'];

/** The first report's id: report `FIRST_REPORT_ID + n` is published n days after 2018-01-01. */
export const FIRST_REPORT_ID = 6_006_001;

/** Report `id`'s file, with its title, body or a correction notice given, or the usual ones. */
export function reportArticle(
  id: number,
  options: { title?: string; body?: string; notice?: string } = {},
): SourceFile {
  const published = new Date(Date.UTC(2018, 0, 1) + (id - FIRST_REPORT_ID) * 86_400_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const text = [
    '---',
    `id: ${id}`,
    `title: ${options.title ?? `Report number ${id} on the budget`}`,
    `section: ${REPORT_SECTIONS[id % REPORT_SECTIONS.length]}`,
    `published: ${published}`,
    `tags: [Budget, Tag ${id % 5}, Half ${id % 2}]`,
    ...(options.notice
      ? ['corrections:', '  - at: 2025-12-30T09:00:00Z', `    text: ${options.notice}`]
      : []),
    '---',
    '',
    options.body ?? `Report ${id} says what the ministry decided.`,
    '',
  ].join('\n');
  return { path: `content/articles/reports/${id}.md`, text };
}
