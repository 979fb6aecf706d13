// The publish's compile cache: unchanged files are not recompiled, an edited file is, and a change
// to site.yaml drops the whole generation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { openCompileCache } from '../../src/publish/node/compile-cache';
import { readContent } from '../../src/publish/node/read-content';

const scratch = await mkdtemp(join(tmpdir(), 'mirrorwire-compile-cache-'));
const cachePath = join(scratch, 'compiled.json');

afterAll(() => rm(scratch, { recursive: true, force: true }));

async function publishOnce(input: ContentInput) {
  const cache = await openCompileCache(cachePath, input);
  const content = compileContent(input, cache);
  await cache.save();
  return { hits: cache.hits, content };
}

describe('compile cache', () => {
  it('recompiles only what changed, and everything when site.yaml changes', async () => {
    const input = await readContent('content');
    const total = input.articles.length;
    const first = await publishOnce(input);
    expect(first.hits).toBe(0);

    const second = await publishOnce(input);
    expect(second.hits).toBe(total);
    expect(JSON.stringify(second.content)).toBe(JSON.stringify(first.content));

    const [edited, ...rest] = input.articles;
    if (!edited) throw new Error('no articles');
    const changed = {
      ...input,
      articles: [{ ...edited, text: `${edited.text}\n\nCorrection appended.\n` }, ...rest],
    };
    const third = await publishOnce(changed);
    expect(third.hits).toBe(total - 1);
    expect(third.content.articles.some((a) => a.bodyHtml.includes('Correction appended.'))).toBe(true);

    const renamed = {
      ...changed,
      site: { ...changed.site, text: changed.site.text.replace('name: Press TV', 'name: Press TV World') },
    };
    expect((await publishOnce(renamed)).hits).toBe(0);
  });
});
