// YAML parsing that remembers where every value came from, so that a schema failure can be
// reported as `file:line: reason` for the exact key at fault.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import * as z from 'zod/v4/core';
import type { Problem } from './problems';
import { stripXmlIllegalChars } from './xml-chars';

export interface ParsedYaml {
  data: unknown;
  /** The 1-based file line of the value at `path` (or of its nearest existing ancestor). */
  lineOf(path: readonly PropertyKey[]): number;
}

/** Front matter and site.yaml have no use for aliases; a handful is plenty, thousands is an attack. */
const MAX_ALIAS_COUNT = 100;

function firstAliasOffset(doc: ReturnType<typeof parseDocument>): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** Parses YAML that starts at `firstLine` of the file `path`; syntax errors become problems. */
export function parseYaml(path: string, text: string, firstLine: number): ParsedYaml | Problem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line + firstLine - 1;
  if (doc.errors.length > 0) {
    return doc.errors.map((error) => ({
      path,
      line: lineAt(error.pos[0]),
      reason: `invalid YAML: ${error.message.split('\n')[0]}`,
    }));
  }
  let data: unknown;
  try {
    // An alias to an anchor that does not exist (`title: *x`), or too many aliases (an alias bomb),
    // is only found when the document is resolved, and the yaml package throws for it.
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : 'cannot be resolved';
    return [{ path, line: lineAt(firstAliasOffset(doc) ?? 0), reason: `invalid YAML: ${message}` }];
  }
  return {
    // The file was stripped of XML-illegal characters, but YAML escapes ("\0", "\uD800") spell them
    // again inside quoted values: strip every parsed string too.
    data: stripStrings(data),
    lineOf(keyPath) {
      let node: unknown = doc.contents;
      let line = firstLine;
      for (const key of keyPath) {
        let keyNode: YamlNode | undefined;
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
          keyNode = pair?.key as YamlNode | undefined;
          node = pair?.value;
        } else if (isSeq(node)) {
          node = node.items[Number(key)];
          keyNode = node as YamlNode | undefined;
        } else {
          break;
        }
        if (!keyNode?.range) break;
        line = lineAt(keyNode.range[0]);
      }
      return line;
    },
  };
}

/** Validates parsed YAML with a schema; every issue becomes a problem at the line of its key. */
export function validateYaml<S extends z.$ZodType>(
  path: string,
  parsed: ParsedYaml,
  schema: S,
): { value: z.output<S> } | { problems: Problem[] } {
  const result = z.safeParse(schema, parsed.data);
  if (result.success) return { value: result.data };
  return {
    problems: result.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const where = keys.length > 0 ? [...issue.path, keys[0] as string] : issue.path;
      const field = issue.path.join('.');
      const reason =
        issue.code === 'unrecognized_keys'
          ? `unknown field ${keys.map((k) => `"${[...issue.path, k].join('.')}"`).join(', ')}`
          : `${field || 'front matter'}: ${issue.message}`;
      return { path, line: parsed.lineOf(where), reason };
    }),
  };
}

function stripStrings(value: unknown): unknown {
  if (typeof value === 'string') return stripXmlIllegalChars(value);
  if (Array.isArray(value)) return value.map(stripStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [stripXmlIllegalChars(key), stripStrings(item)]),
    );
  }
  return value;
}
