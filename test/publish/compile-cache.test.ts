// The publish's compile cache: unchanged files are not recompiled (wherever they moved), an edited
// file is, and a change to site.yaml drops the whole generation. The file table: unchanged files are not even read.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { open } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { type ContentInput, compileContent, imageSourceOf } from '../../src/content/compile';
import {
  bodiesPathOf,
  contentKey,
  openCompileCache,
  openFileTable,
} from '../../src/publish/node/compile-cache';
import { openEmbeddedTable } from '../../src/publish/node/embedded-table';
import { fileStamps, readContent } from '../../src/publish/node/read-content';
import { memoryScratch } from '../../src/publish/record-store';

const scratch = await mkdtemp(join(tmpdir(), 'mirrorwire-compile-cache-'));
const cachePath = join(scratch, 'compiled.json');

afterAll(() => rm(scratch, { recursive: true, force: true }));

async function publishOnce(input: ContentInput) {
  const cache = await openCompileCache(cachePath, input);
  const content = compileContent(input, cache);
  await cache.save();
  return { hits: cache.hits, content };
}

/** A scratch in memory that counts how many texts were read back from it. */
function countingParking() {
  const texts = memoryScratch();
  let count = 0;
  const parking = {
    park: (text: string) => texts.park(text),
    parkPieces: (pieces: Iterable<string>) => texts.parkPieces(pieces),
    unpark: (parked: number) => {
      count++;
      return texts.unpark(parked);
    },
  };
  return { parking, unparked: () => count };
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

    // Files moved to other folders keep their compiled form: the cache is keyed by content.
    const moved = {
      ...changed,
      articles: changed.articles.map((file) => ({
        ...file,
        path: file.path.replace('/articles/', '/articles/moved/'),
      })),
    };
    const fourth = await publishOnce(moved);
    expect(fourth.hits).toBe(total);
    expect(JSON.stringify(fourth.content)).toBe(JSON.stringify(third.content));

    const renamed = {
      ...changed,
      site: { ...changed.site, text: changed.site.text.replace('name: Press TV', 'name: Press TV World') },
    };
    expect((await publishOnce(renamed)).hits).toBe(0);
  });
  it('compiles everything when its bodies were saved by another generation (a publish killed between the two saves)', async () => {
    const input = await readContent('content');
    const other = { ...input, site: { ...input.site, text: `${input.site.text}\n# another generation\n` } };
    const [head, ...rest] = input.articles;
    if (!head) throw new Error('no articles');
    // An earlier version of one article, whose entry the first generation's table keeps too.
    const earlier = {
      ...input,
      articles: [{ ...head, text: `${head.text}\n\nAn earlier line.\n` }, ...rest],
    };
    const [first, second] = [join(scratch, 'first.mdb'), join(scratch, 'second.mdb')];
    for (const [path, generation] of [
      [first, earlier],
      [first, input],
      [second, other],
    ] as const) {
      const cache = await openCompileCache(path, generation);
      compileContent(generation, cache);
      await cache.save();
    }
    // The first generation's entries beside the second's bodies: what a kill after the bodies' save leaves.
    await cp(bodiesPathOf(second), bodiesPathOf(first));
    const cache = await openCompileCache(first, input);
    const content = compileContent(input, cache);
    expect(cache.continued).toBe(false);
    expect(cache.hits).toBe(0);
    expect(JSON.stringify(content)).toBe(JSON.stringify(compileContent(input)));
    // Saved over that pair, the next publish finds every article with its body.
    await cache.save();
    const again = await openCompileCache(first, input);
    const reread = compileContent(input, again);
    expect(again.hits).toBe(input.articles.length);
    expect(JSON.stringify(reread)).toBe(JSON.stringify(content));
    await again.save();
    // The earlier version again: its entry went with that pair, so it is compiled, not a hit without a body.
    const back = await openCompileCache(first, earlier);
    expect(JSON.stringify(compileContent(earlier, back))).toBe(JSON.stringify(compileContent(earlier)));
    expect(back.hits).toBe(earlier.articles.length - 1);
    back.close();
  });

  it('starts both tables afresh in a repair, keeping only the bodies it used', async () => {
    const path = join(scratch, 'repair.mdb');
    const input = await readContent('content');
    const [head, ...rest] = input.articles;
    if (!head) throw new Error('no articles');
    const edited = { ...input, articles: [{ ...head, text: `${head.text}\n\nA later line.\n` }, ...rest] };
    for (const [generation, trust] of [
      [input, true],
      [edited, true],
      [input, false],
    ] as const) {
      const cache = await openCompileCache(path, generation, { trust });
      compileContent(generation, cache);
      if (!trust) expect(cache.hits).toBe(0);
      await cache.save();
    }
    const bodies = open<string, string>({ path: bodiesPathOf(path), readOnly: true, encoding: 'string' });
    // The header and one body per article of the repaired content: the edited version's body is gone.
    expect(bodies.getKeysCount()).toBe(input.articles.length + 1);
    await bodies.close();
  });
});

describe('compile cache bodies', () => {
  it('keeps the largest fields of an article where its entry waits, read back when asked for', async () => {
    const path = join(scratch, 'read-back.mdb');
    const input = await readContent('content');
    const whole = JSON.stringify(compileContent(input).articles);
    const { parking, unparked } = countingParking();
    const publish = async () => {
      const cache = await openCompileCache(path, input, { parking });
      const content = compileContent(input, cache);
      const [article] = content.articles;
      if (!article) throw new Error('no articles');
      // Not held by the article: a getter, answering from the entry (parked, or in the table).
      for (const name of ['title', 'summary', 'image'])
        expect(Object.getOwnPropertyDescriptor(article, name)).toMatchObject({
          enumerable: true,
          get: expect.any(Function),
        });
      const before = unparked();
      const text = JSON.stringify(content.articles);
      const unparkedWhileRead = unparked() - before;
      await cache.save();
      return { hits: cache.hits, text, unparkedWhileRead };
    };
    const fresh = await publish();
    expect(fresh.hits).toBe(0);
    expect(fresh.text).toBe(whole);
    // A fresh compile's fields come from its parked entry: more reads than the bodies alone, and
    // no more than one entry an article besides its body (the entry read last is kept).
    const articles = input.articles.length;
    expect(fresh.unparkedWhileRead).toBeGreaterThan(articles);
    expect(fresh.unparkedWhileRead).toBeLessThanOrEqual(2 * articles);
    const hits = await publish();
    expect(hits.hits).toBe(input.articles.length);
    expect(hits.text).toBe(whole);
    // A hit's come from the cache's table, its body too: nothing parked is read.
    expect(hits.unparkedWhileRead).toBe(0);
  });

  it('knows the image each article shows without reading the article back', async () => {
    const path = join(scratch, 'image-sources.mdb');
    // The sample, with one image given by URL and one article showing none.
    const site = join(scratch, 'image-sources');
    await cp('content', site, { recursive: true });
    const byUrl = join(site, 'articles/2022/03/676048-moscow-big-circle-line.md');
    const url = 'https://images.example.org/676048.jpg';
    await writeFile(byUrl, (await readFile(byUrl, 'utf8')).replace('src: images/676048.jpg', `src: ${url}`));
    const bare = join(site, 'articles/2022/03/676081-iran-nowruz-new-year-1401.md');
    await writeFile(bare, (await readFile(bare, 'utf8')).replace(/^image:\n(?: {2}.*\n)+/m, ''));
    const input = await readContent(site);
    const sources = (options: { preview?: boolean } = {}) =>
      compileContent(input, undefined, options).articles.map((article) => article.image?.src);
    const expected = sources();
    // Not a vacuous check: an image of the site's own, one by URL, and none.
    expect(expected.filter((src) => src?.startsWith('/'))).not.toHaveLength(0);
    expect(expected).toContain(url);
    expect(expected).toContain(undefined);
    const { parking, unparked } = countingParking();
    // Compiled afresh: each article's entry waits parked, and nothing parked is read for its image.
    const fresh = await openCompileCache(path, input, { parking });
    const compiled = compileContent(input, fresh);
    expect(compiled.articles.map(imageSourceOf)).toEqual(expected);
    expect(unparked()).toBe(0);
    await fresh.save();
    fresh.close();
    // A preview's drafts are copies: each answers from the image it holds.
    const preview = await openCompileCache(path, input, { parking });
    const previewed = compileContent(input, preview, { preview: true });
    preview.close();
    expect(previewed.articles.some((article) => article.draft)).toBe(true);
    expect(previewed.articles.map(imageSourceOf)).toEqual(sources({ preview: true }));
    // From the table: answered with the table closed, where reading an image back fails.
    const hits = await openCompileCache(path, input, { parking });
    const cached = compileContent(input, hits);
    expect(hits.hits).toBe(input.articles.length);
    hits.close();
    expect(cached.articles.map(imageSourceOf)).toEqual(expected);
    const withImage = cached.articles.find((article) => imageSourceOf(article) !== undefined);
    expect(() => withImage?.image).toThrow();
  });

  it("compiles again an article whose body was lost with the bodies' table", async () => {
    const path = join(scratch, 'lost-bodies.mdb');
    const publish = async (input: ContentInput) => {
      const cache = await openCompileCache(path, input);
      const content = compileContent(input, cache);
      await cache.save();
      return { hits: cache.hits, content };
    };
    const original = await readContent('content');
    const [first, ...rest] = original.articles;
    if (!first) throw new Error('no articles');
    const edited = {
      ...original,
      articles: [{ ...first, text: `${first.text}\n\nA later line.\n` }, ...rest],
    };
    await publish(original);
    await publish(edited);
    // The bodies' file is lost: everything is compiled again, and the entries' table, which held the
    // original text's entry too, starts afresh with the bodies' (a hit reads no body to check).
    await rm(bodiesPathOf(path));
    expect((await publish(edited)).hits).toBe(0);
    // The original text again (a reverted edit): compiled, not taken from an entry without a body.
    const reverted = await publish(original);
    expect(reverted.hits).toBe(original.articles.length - 1);
    expect(JSON.stringify(reverted.content)).toBe(JSON.stringify(compileContent(original)));
  });
});

describe('compile cache bodies when asked', () => {
  it('reads a stored article’s body from its table when asked for, not with its entry', async () => {
    const path = join(scratch, 'bodies-when-asked.mdb');
    const input = await readContent('content');
    const first = await openCompileCache(path, input);
    const compiled = compileContent(input, first);
    await first.save();
    const [file] = input.articles;
    const id = Number(/^id: (\d+)$/m.exec(file?.text ?? '')?.[1]);
    const expected = compiled.articles.find((article) => article.id === id);
    if (!file || !expected) throw new Error('no article');
    const key = contentKey(file);
    // Read with its entry: the body is there once the tables are closed.
    const eager = await openCompileCache(path, input);
    const held = eager.storedArticle(key);
    eager.close();
    expect(held?.bodyHtml).toBe(expected.bodyHtml);
    // When asked: read while the tables are open, and not readable once they are closed.
    const lazy = await openCompileCache(path, input, { bodiesWhenAsked: true });
    const asked = lazy.storedArticle(key);
    const unasked = lazy.storedArticle(key);
    expect(asked?.bodyHtml).toBe(expected.bodyHtml);
    lazy.close();
    expect(() => unasked?.bodyHtml).toThrow(/closed/);
  });
});

describe('file table', () => {
  it('reads only the files whose size or times moved since the last publish', async () => {
    const folder = join(scratch, 'tree');
    await cp('content', join(folder, 'content'), { recursive: true });
    const tablePath = join(scratch, 'files.json');
    const contentDir = join(folder, 'content');
    const readWith = async (trust = true) => {
      const table = await openFileTable(tablePath, { trust });
      const input = await readContent(contentDir, {
        unchanged: table.unchanged,
        knownImage: table.knownImage,
      });
      const known = input.articles.filter((file) => fileStamps.get(file)?.key !== undefined);
      const knownImages = input.imageFiles.filter((image) => !image.read).length;
      return { table, input, known: known.length, knownImages };
    };
    const first = await readWith();
    expect(first.known).toBe(0);
    expect(first.knownImages).toBe(0);
    const firstCompiled = await publishOnce(first.input);
    await first.table.save(first.input.articles, first.input.imageFiles, null);

    const second = await readWith();
    const total = second.input.articles.length;
    expect(second.known).toBe(total);
    // The images too: their digests and sizes come from the table, and compile the same.
    expect(second.input.imageFiles.length).toBeGreaterThan(0);
    expect(second.knownImages).toBe(second.input.imageFiles.length);
    expect(second.input.imagePlans).toEqual(first.input.imagePlans);
    const secondCompiled = await publishOnce(second.input);
    expect(secondCompiled.hits).toBe(total);
    expect(JSON.stringify(secondCompiled.content)).toBe(JSON.stringify(firstCompiled.content));
    await second.table.save(second.input.articles, second.input.imageFiles, null);

    const edited = second.input.articles[0];
    if (!edited) throw new Error('no articles');
    // Paths are shown relative to the working directory, as in publish's messages.
    const onDisk = resolve(edited.path);
    await writeFile(onDisk, `${await readFile(onDisk, 'utf8')}\nCorrection appended.\n`);
    const third = await readWith();
    expect(third.known).toBe(total - 1);
    const thirdCompiled = await publishOnce(third.input);
    expect(thirdCompiled.hits).toBe(total - 1);
    expect(thirdCompiled.content.articles.some((a) => a.bodyHtml.includes('Correction appended.'))).toBe(
      true,
    );
    // An image rewritten (same bytes, new times) is read again, and only it.
    const image = third.input.imageFiles[0];
    if (!image) throw new Error('no images');
    await writeFile(resolve(image.path), await readFile(resolve(image.path)));
    await third.table.save(third.input.articles, third.input.imageFiles, null);
    const fourth = await readWith();
    expect(fourth.input.imageFiles.filter((each) => each.read).map((each) => each.path)).toEqual([
      image.path,
    ]);
    await fourth.table.save(fourth.input.articles, fourth.input.imageFiles, null);

    // Facts remembered by another version of how they are made (a new RENDITION_VERSION) are not trusted.
    const [other] = fourth.input.imageFiles.slice(1);
    if (!other) throw new Error('one image only');
    const raw = await openEmbeddedTable<unknown[]>(tablePath, JSON.stringify({ format: 2 }), 'file table');
    const row = raw.previous.get(other.path);
    expect(row?.[0]).toBe('image');
    const paths = [
      ...fourth.input.articles.map((file) => file.path),
      ...fourth.input.imageFiles.map((each) => each.path),
    ];
    await raw.save(new Map([[other.path, ['image', 'r0:size-0', ...(row ?? []).slice(2)]]]), new Set(paths));
    const fifth = await readWith();
    expect(fifth.input.imageFiles.filter((each) => each.read).map((each) => each.path)).toEqual([other.path]);
    fifth.table.close();

    // A repair trusts no stamp.
    const repair = await readWith(false);
    expect(repair.known).toBe(0);
    expect(repair.knownImages).toBe(0);
    repair.table.close();
  });
});

describe('embedded table', () => {
  const header = JSON.stringify({ format: 1 });
  const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
  /** A table at `name` saved with 5,000 entries, `k0` → 0 … `k4999` → 4999: more than one transaction takes. */
  async function filledTable(name: string): Promise<string> {
    const path = join(scratch, name);
    const table = await openEmbeddedTable<number>(path, header, 'test table');
    await table.save(new Map(keys.map((key, i) => [key, i])), new Set(keys));
    return path;
  }

  it('saves more entries than one transaction takes, and drops stale ones the same way', async () => {
    const path = await filledTable('batches.mdb');
    const second = await openEmbeddedTable<number>(path, header, 'test table');
    expect(second.continued).toBe(true);
    expect(keys.map((key) => second.previous.get(key))).toEqual(keys.map((_, i) => i));
    // A thousand live of 5,000: the rest are stale, most of the table, and go at this save.
    const live = new Set(keys.slice(0, 1000));
    await second.save(new Map([['k0', -1]]), live);
    const third = await openEmbeddedTable<number>(path, header, 'test table');
    expect(third.previous.get('k0')).toBe(-1);
    expect(third.previous.get('k999')).toBe(999);
    expect(keys.slice(1000).filter((key) => third.previous.get(key) !== undefined)).toEqual([]);
    third.close();
  });

  it('fills its pages when saved afresh, whatever order its entries come in', async () => {
    // 20,000 entries under hex digests, in no order, as a first publish's record memo has them.
    const entries = Array.from({ length: 20_000 }, (_, i) => {
      const key = createHash('sha256').update(String(i)).digest('hex');
      return [key, `value ${i} `.padEnd(100, 'x')] as const;
    });
    const path = join(scratch, 'fresh.mdb');
    const table = await openEmbeddedTable<string>(path, header, 'test table');
    await table.save(new Map(entries), undefined);
    // Each entry takes its key, its JSON value and a node of 8 bytes and a pointer of 2 on a page
    // of 4,096 (16 of them a header). Filled in order, pages are nearly full; put in the order
    // given, each landed on a random page, and pages split: the file was 3.6 times this.
    const bytes = entries.reduce(
      (sum, [key, value]) => sum + key.length + JSON.stringify(value).length + 10,
      0,
    );
    const leafPages = Math.ceil(bytes / (4096 - 16));
    expect(statSync(path).size / 4096).toBeLessThan(leafPages * 1.2);
    const again = await openEmbeddedTable<string>(path, header, 'test table');
    expect(again.continued).toBe(true);
    expect(entries.every(([key, value]) => again.previous.get(key) === value)).toBe(true);
    again.close();
  });

  it('trusts nothing of a table saved afresh whose save stopped before its end', async () => {
    const path = join(scratch, 'stopped.mdb');
    const table = await openEmbeddedTable<number>(path, header, 'test table');
    // A value that cannot be made (the scratch file it waits in is gone, say) partway through the
    // save: in key order, `k4000` comes after the first transaction's 2,000 were committed.
    const failing = (held: number) => {
      if (held === 4000) throw new Error('scratch file gone');
      return JSON.stringify(held);
    };
    await expect(table.save(new Map(keys.map((key, i) => [key, i])), undefined, failing)).rejects.toThrow(
      'scratch file gone',
    );
    table.close();
    const reopened = await openEmbeddedTable<number>(path, header, 'test table');
    expect(reopened.continued).toBe(false);
    expect(keys.filter((key) => reopened.previous.get(key) !== undefined)).toEqual([]);
    // The next save starts it afresh.
    await reopened.save(new Map([['k1', 1]]), undefined);
    const third = await openEmbeddedTable<number>(path, header, 'test table');
    expect(third.continued).toBe(true);
    expect(keys.filter((key) => third.previous.get(key) !== undefined)).toEqual(['k1']);
    third.close();
  });

  it('saves afresh keys that the store sorts otherwise than JavaScript does', async () => {
    // The store's key encoding escapes a control character in a key under 64 characters, not in a
    // longer one, so a short key can sort after a long one JavaScript puts after it; a surrogate
    // pair sorts in UTF-8 after U+FFFD, and before it in JavaScript. Appended in JavaScript's
    // order, some were not put.
    const odd = [
      'b',
      'a\u0001z',
      'a\u0001',
      `a\u0002${'x'.repeat(70)}`,
      '\u0003first',
      '\ud83d\ude00',
      '\ufffd',
      'A',
    ];
    const path = join(scratch, 'odd-keys.mdb');
    const table = await openEmbeddedTable<number>(path, header, 'test table');
    await table.save(new Map(odd.map((key, i) => [key, i])), undefined);
    const again = await openEmbeddedTable<number>(path, header, 'test table');
    expect(odd.map((key) => again.previous.get(key))).toEqual(odd.map((_, i) => i));
    again.close();
  });

  it('keeps, when it sweeps, every stale entry its live keys name by rule, and empties itself when cleared', async () => {
    const path = await filledTable('kept.mdb');
    // As the compile cache sweeps its bodies: the keys used, and any key another table still names.
    const used = new Set(keys.slice(0, 1000));
    const namedElsewhere = new Set(['k4000', 'k4999']);
    const second = await openEmbeddedTable<number>(path, header, 'test table');
    await second.save(new Map(), { size: used.size, has: (key) => used.has(key) || namedElsewhere.has(key) });
    const third = await openEmbeddedTable<number>(path, header, 'test table');
    const left = keys.filter((key) => third.previous.get(key) !== undefined);
    expect(left).toEqual([...used, ...namedElsewhere]);
    await third.clear();
    expect(existsSync(path)).toBe(false);
    expect(third.previous.get('k0')).toBeUndefined();
    await third.save(new Map([['k1', 1]]), undefined);
    const fourth = await openEmbeddedTable<number>(path, header, 'test table');
    expect(fourth.continued).toBe(true);
    expect(keys.filter((key) => fourth.previous.get(key) !== undefined)).toEqual(['k1']);
    fourth.close();
  });
});
