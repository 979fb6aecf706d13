// Splits an article file into its YAML front matter and Markdown body, keeping line numbers.
import type { Problem } from './problems';

export interface FrontMatterSplit {
  yaml: string;
  /** File line where the YAML text starts (1-based). */
  yamlLine: number;
  body: string;
  /** File line where the body starts (1-based). */
  bodyLine: number;
}

const FENCE = /^---[ \t]*$/;

export function splitFrontMatter(path: string, text: string): FrontMatterSplit | Problem {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) {
    return { path, line: 1, reason: 'the file must start with a "---" line opening the front matter' };
  }
  const close = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (close < 0)
    return { path, line: lines.length, reason: 'the front matter is not closed by a "---" line' };
  return {
    yaml: lines.slice(1, close).join('\n'),
    yamlLine: 2,
    body: lines.slice(close + 1).join('\n'),
    bodyLine: close + 2,
  };
}
