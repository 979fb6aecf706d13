// Keeps the lines the worker logs on purpose out of the test output, in the files that provoke
// them: a refused request (4xx) is logged as one warning line, a scheduled release as one info line,
// and (with `pushFailures`, for the files whose stand-in receivers fail on purpose) a push delivery's
// retry as a warning and its move to the dead letters as an error. Any other line (another error, a
// 5xx, a line that is not the worker's JSON) still prints.
import { afterAll, afterEach, beforeAll, beforeEach, type MockInstance, vi } from 'vitest';

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

function isExpected(method: LogMethod, args: unknown[], pushFailures: boolean): boolean {
  const line = parsedLine(args);
  if (!line) return false;
  if (pushFailures && method === 'log') {
    if (line.push === 'retry' && line.level === 'warn') return true;
    if (line.push === 'dead' && line.level === 'error') return true;
  }
  if (method === 'warn') {
    return (
      line.level === 'warn' && typeof line.status === 'number' && line.status >= 400 && line.status < 500
    );
  }
  return line.level === 'info' && Array.isArray(line.released);
}

/**
 * In the calling file, drops the worker's refusal warnings and release lines; prints the rest. With
 * `pushFailures`, also the push retry and dead-letter lines, for the whole file: deliveries retry in
 * the background, between one test and the next.
 */
export function muteExpectedLogLines({ pushFailures = false }: { pushFailures?: boolean } = {}): void {
  const spies: MockInstance[] = [];
  const mute = () => {
    for (const method of ['log', 'warn'] as const) {
      const print = console[method].bind(console);
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          if (!isExpected(method, args, pushFailures)) print(...args);
        }),
      );
    }
  };
  const unmute = () => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  };
  if (pushFailures) {
    beforeAll(mute);
    afterAll(unmute);
  } else {
    beforeEach(mute);
    afterEach(unmute);
  }
}
