// The local memory a publish keeps between runs (the compile cache, the record memo): an
// append-only file of JSON lines, `[key, value]`, after a header line naming what wrote them. A
// publish appends what it added; the file is rewritten (to a new file, then renamed over the old
// one) only when most of its lines would be stale, so its cost follows what changed. A line cut
// short by an interrupted append is skipped; a file with another header counts as empty.
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface JsonLinesFile<V> {
  /** What the file held, by key: empty when it is absent, unreadable or from other code. */
  readonly previous: ReadonlyMap<string, V>;
  /**
   * Keeps `live` (the entries this publish used) and returns whether the file was rewritten:
   * appends `added` while at most about half the lines are stale, rewrites the file otherwise.
   */
  save(live: ReadonlyMap<string, V>, added: readonly (readonly [string, V])[]): Promise<boolean>;
}

/** `what` names the file in the warning printed when it cannot be read. */
export async function openJsonLinesFile<V>(
  path: string,
  header: string,
  what: string,
): Promise<JsonLinesFile<V>> {
  const previous = new Map<string, V>();
  let lines = 0;
  // A file that does not end its last line (a torn append): the next append starts a new line.
  let torn = false;
  try {
    const text = await readFile(path, 'utf8');
    torn = text.length > 0 && !text.endsWith('\n');
    const [first, ...rest] = text.split('\n');
    if (first === header) {
      for (const line of rest) {
        if (line === '') continue;
        lines++;
        try {
          const [key, value] = JSON.parse(line) as [string, V];
          previous.set(key, value);
        } catch {
          // Cut short by an interrupted append: that entry is simply built again.
        }
      }
    }
  } catch (error) {
    // None yet, or an unreadable one: everything is built, as on a first publish.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      console.warn(`publish: ignoring the ${what} (${error})`);
  }
  const fresh = lines === 0;
  const body = (entries: Iterable<readonly [string, V]>) => {
    const parts: string[] = [];
    for (const entry of entries) parts.push(`${JSON.stringify(entry)}\n`);
    return parts.join('');
  };
  return {
    previous,
    async save(live, added) {
      await mkdir(dirname(path), { recursive: true });
      if (!fresh && lines + added.length <= 2 * live.size + 1000) {
        if (added.length > 0) await appendFile(path, (torn ? '\n' : '') + body(added));
        return false;
      }
      if (fresh && live.size === 0) return false;
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${header}\n${body(live)}`);
      await rename(temporary, path);
      return true;
    },
  };
}
