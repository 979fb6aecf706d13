// README.md and docs/ held to the code: front-matter examples compile with the real compiler, JSON
// examples parse, GUID examples are what the publish builds. A fenced block whose info string has the
// word `invalid` (```markdown invalid) is an example of what the compiler must refuse; a record
// example in docs/storage.md decodes with the schema the worker reads that key with.
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { changesPageSchema, listBucketSchema } from '../../src/api/schemas';
import { compileContent } from '../../src/content/compile';
import { ContentError } from '../../src/content/problems';
import { articleGuid } from '../../src/sites/urls';
import {
  articlePageSchema,
  articleSchema,
  listShardSchema,
  manifestSchema,
  newsSitemapRecordSchema,
} from '../../src/storage/records';
import { repositoryContent } from '../support/content';

const pages = import.meta.glob<string>(['/README.md', '/docs/*.md'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

interface FencedBlock {
  /** `docs/storage.md:145`: the file and the line of the opening fence. */
  where: string;
  info: string;
  text: string;
  /** The first line of the paragraph above the opening fence: what the example is of. */
  caption: string;
}

interface Fences {
  blocks: FencedBlock[];
  /** Openings that nothing closes: everything after them would render as code. */
  unclosed: string[];
}

const OPENING = /^(\s*)(`{3,}|~{3,})(.*)$/;

/**
 * CommonMark fences: a closing fence uses the opening's character, at least as many times, and
 * nothing else. Indentation of the opening (a block inside a list item) is taken off each line.
 */
function fencedBlocks(file: string, markdown: string): Fences {
  const blocks: FencedBlock[] = [];
  const unclosed: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const opening = OPENING.exec(lines[i] ?? '');
    if (!opening) continue;
    const [, indent = '', fence = '', info = ''] = opening;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const end = lines.findIndex((line, j) => j > i && closing.test(line));
    const where = `${file}:${i + 1}`;
    if (end < 0) {
      unclosed.push(where);
      break;
    }
    const body = lines
      .slice(i + 1, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
    // The first line of the paragraph right above the fence.
    const above = lines.slice(0, i);
    const last = above.findLastIndex((line) => line.trim() !== '');
    const start = above.slice(0, last).findLastIndex((line) => line.trim() === '') + 1;
    const caption = above[start] ?? '';
    blocks.push({ where, info: info.trim(), text: body.join('\n'), caption });
    i = end;
  }
  return { blocks, unclosed };
}

const files = Object.entries(pages)
  .map(([path, text]) => ({ path: path.replace(/^\//, ''), text }))
  .sort((a, b) => a.path.localeCompare(b.path));
const fences = files.map((file) => fencedBlocks(file.path, file.text));
const blocks = fences.flatMap((f) => f.blocks);

const content = repositoryContent();
const site = compileContent(content).site;

/** An article file is front matter first: a block whose first line is `---`, whatever its info string. */
const frontMatterExamples = blocks.filter((block) => /^---[ \t]*$/.test(block.text.split('\n')[0] ?? ''));
const isInvalidExample = (block: FencedBlock) => block.info.split(/\s+/).includes('invalid');

function compileExample(block: FencedBlock) {
  return compileContent({ ...content, articles: [{ path: block.where, text: `${block.text}\n` }] });
}

describe('the documentation', () => {
  it('reads README.md and every page of docs/', () => {
    expect(files.map((f) => f.path)).toContain('README.md');
    expect(files.map((f) => f.path)).toContain('docs/storage.md');
  });

  it('closes every fenced block it opens', () => {
    expect(fences.flatMap((f) => f.unclosed)).toEqual([]);
  });

  it('shows at least one article an editor can copy', () => {
    expect(frontMatterExamples.filter((b) => !isInvalidExample(b)).map((b) => b.where)).toContainEqual(
      expect.stringMatching(/^README\.md:/),
    );
  });

  it.each(frontMatterExamples.filter((b) => !isInvalidExample(b)).map((b) => [b.where, b] as const))(
    '%s is an article the compiler accepts and publishes (not a draft)',
    (_where, block) => {
      let compiled: ReturnType<typeof compileExample> | undefined;
      try {
        compiled = compileExample(block);
      } catch (error) {
        // The problems, file and line, are the useful failure message.
        if (error instanceof ContentError) expect.fail(error.message);
        throw error;
      }
      expect(compiled.drafts).toBe(0);
      expect(compiled.articles).toHaveLength(1);
    },
  );

  it.each(frontMatterExamples.filter(isInvalidExample).map((b) => [b.where, b] as const))(
    '%s is refused by the compiler, as it says',
    (_where, block) => {
      expect(() => compileExample(block)).toThrow(ContentError);
    },
  );

  it.each(blocks.filter((b) => b.info.split(/\s+/)[0] === 'json').map((b) => [b.where, b] as const))(
    '%s is valid JSON',
    (_where, block) => {
      expect(() => JSON.parse(block.text)).not.toThrow();
    },
  );

  // The key a storage example is captioned with (`site:v1`, `list:v3:section:russia:b12`) → its schema.
  const RECORD_SCHEMAS: Array<[prefix: string, schema: z.ZodMiniType]> = [
    ['site:v1', manifestSchema],
    ['article:v1:', articleSchema],
    ['page:v1:', articlePageSchema],
    ['list:v3:', listShardSchema],
    ['api:v1:articles:', listBucketSchema],
    ['changes:v1:', changesPageSchema],
    ['seo:v1:news-sitemap', newsSitemapRecordSchema],
  ];
  const recordExamples = blocks.flatMap((block) => {
    const key = /^`([^`]+)`/.exec(block.caption)?.[1];
    const schema = RECORD_SCHEMAS.find(([prefix]) => key?.startsWith(prefix))?.[1];
    return block.where.startsWith('docs/storage.md:') && key && schema
      ? [[block.where, key, block, schema] as const]
      : [];
  });

  it('decodes a storage example of every JSON record the worker reads', () => {
    expect(new Set(recordExamples.map(([, key]) => key.split(':').slice(0, 2).join(':')))).toEqual(
      new Set(['site:v1', 'article:v1', 'page:v1', 'list:v3', 'api:v1', 'changes:v1', 'seo:v1']),
    );
  });

  it.each(recordExamples)('%s (%s) decodes as the worker reads it', (_where, _key, block, schema) => {
    const result = z.safeParse(schema, JSON.parse(block.text));
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('shows every GUID as the publish builds it', () => {
    const published = new Map(compileContent(content).articles.map((a) => [a.id, a.published]));
    const shown = files.flatMap((file) =>
      [...file.text.matchAll(/tag:[^\s,`"'<>]+,(\d{4}-\d{2}-\d{2}):(\d+)/g)].map((match) => ({
        where: `${file.path}:${file.text.slice(0, match.index).split('\n').length}`,
        guid: match[0],
        day: match[1] ?? '',
        id: Number(match[2]),
      })),
    );
    expect(shown.length).toBeGreaterThan(0);
    const wrong = shown.flatMap(({ where, guid, day, id }) => {
      // An article of content/ must show its own date; an invented one, at least the right authority.
      const expected = articleGuid(site.primary, { id, published: published.get(id) ?? `${day}T12:00:00Z` });
      return guid === expected ? [] : [`${where}: ${guid}, the publish builds ${expected}`];
    });
    expect(wrong).toEqual([]);
  });
});
