// A correction notice added to an article file's front matter, as a desk adds one: the article's
// `updated` moves to the notice's time. For the publish tests and the publish bench.

/**
 * An article file's change that gives it one correction notice at `at` (to the second), in place
 * of any it had.
 */
export function withNotice(at: Date, text = 'An earlier version gave the wrong figure.') {
  const when = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (file: string): string =>
    file
      .replace(/\ncorrections:\n(?: {2}.*\n)+/, '\n')
      .replace(/\n---\n/, `\ncorrections:\n  - at: ${when}\n    text: "${text}"\n---\n`);
}
