// Source files and the problems found in them: every rejection names file, line and reason.

export interface SourceFile {
  /** Path relative to the project, as printed in messages: content/articles/2022/01/x.md */
  path: string;
  text: string;
}

export interface Problem {
  path: string;
  line: number;
  reason: string;
}

export function formatProblem(problem: Problem): string {
  return `${problem.path}:${problem.line}: ${problem.reason}`;
}

/** Thrown by compile steps that cannot continue; carries every problem found so far. */
export class ContentError extends Error {
  override readonly name = 'ContentError';
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
