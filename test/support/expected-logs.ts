// Keeps the lines the worker logs on purpose out of the test output, in the files that provoke
// them: a refused request (4xx) is logged as one warning line, a scheduled release as one info line.
// Any other line (an error, a 5xx, a line that is not the worker's JSON) still prints.
import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';

type LogMethod = 'log' | 'warn';

function parsedLine(args: unknown[]): Record<string, unknown> | undefined {
  const [line] = args;
  if (args.length !== 1 || typeof line !== 'string' || !line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    // Not one of the worker's JSON lines: it is printed.
    return undefined;
  }
}

function isExpected(method: LogMethod, args: unknown[]): boolean {
  const line = parsedLine(args);
  if (!line) return false;
  if (method === 'warn') {
    return (
      line.level === 'warn' && typeof line.status === 'number' && line.status >= 400 && line.status < 500
    );
  }
  return line.level === 'info' && Array.isArray(line.released);
}

/** In the calling file, drops the worker's refusal warnings and release lines; prints the rest. */
export function muteExpectedLogLines(): void {
  const spies: MockInstance[] = [];
  beforeEach(() => {
    for (const method of ['log', 'warn'] as const) {
      const print = console[method].bind(console);
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          if (!isExpected(method, args)) print(...args);
        }),
      );
    }
  });
  afterEach(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });
}
