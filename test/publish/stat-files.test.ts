// An archive's article files are stat-ed in a worker thread while the publish reads its listing
// (src/publish/node/stat-files.ts): the stamps must be exactly what `statSync` gives, in order,
// and a file that cannot be stat-ed must fail the same way.
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStamps, readContent } from '../../src/publish/node/read-content';
import { statFiles, statInWorker } from '../../src/publish/node/stat-files';
import { syntheticCheckout } from './checkout';

let dir: string;
let paths: string[];
let archive: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-stat-'));
  paths = [];
  for (let index = 0; index < 40; index++) {
    const path = join(dir, `${index}.md`);
    await writeFile(path, 'x'.repeat(index * 7));
    paths.push(path);
  }
  // Out of name order: the stamps follow the paths as given.
  paths.reverse();
  archive = await syntheticCheckout('mirrorwire-stat-content-', { count: 30, images: 0 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(archive, { recursive: true, force: true });
});

const stampOf = (path: string) => {
  const { size, mtimeMs, ctimeMs } = statSync(path);
  return { size, mtimeMs, ctimeMs };
};

describe('statInWorker', () => {
  it('gives each file’s size, mtime and ctime from a worker thread, NaN where its stat failed', async () => {
    const missing = join(dir, 'missing.md');
    const stamps = await statInWorker([...paths, missing]);
    expect(stamps).toBeInstanceOf(Float64Array);
    const triples = Array.from({ length: paths.length }, (_, index) => {
      const [size, mtimeMs, ctimeMs] = stamps?.subarray(index * 3, index * 3 + 3) ?? [];
      return { size, mtimeMs, ctimeMs };
    });
    expect(triples).toEqual(paths.map(stampOf));
    expect([...(stamps?.subarray(paths.length * 3) ?? [])]).toEqual([NaN, NaN, NaN]);
  });
});

describe('statFiles', () => {
  it('gives what statSync gives, in order, through the worker or without it', async () => {
    const expected = paths.map(stampOf);
    expect(await statFiles(paths, undefined, 1)).toEqual(expected);
    expect(await statFiles(paths, undefined, paths.length + 1)).toEqual(expected);
  });

  it('runs the caller’s work before it returns, and fails as that work fails', async () => {
    let done = false;
    await statFiles(
      paths,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        done = true;
      },
      1,
    );
    expect(done).toBe(true);
    await expect(
      statFiles(
        paths,
        () => {
          throw new Error('the listing cannot be read');
        },
        1,
      ),
    ).rejects.toThrow('the listing cannot be read');
  });

  it('throws for a file that cannot be stat-ed, as statSync does', async () => {
    const missing = join(dir, 'gone.md');
    await expect(statFiles([...paths, missing], undefined, 1)).rejects.toThrow(/ENOENT/);
    await expect(statFiles([missing], undefined, 2)).rejects.toThrow(/ENOENT/);
  });
});

describe('readContent', () => {
  it('reads the same files with the same stamps whether a worker stats them or not', async () => {
    const read = async (statWorkerFrom: number) => {
      let ranMeanwhile = false;
      const content = await readContent(join(archive, 'content'), {
        statWorkerFrom,
        meanwhile: () => {
          ranMeanwhile = true;
        },
      });
      expect(ranMeanwhile).toBe(true);
      return content.articles.map((file) => [file.path, file.text, fileStamps.get(file)?.stamp]);
    };
    const inWorker = await read(1);
    expect(inWorker).toHaveLength(30);
    expect(inWorker).toEqual(await read(Number.POSITIVE_INFINITY));
  });

  it('parks a file read, and reads a file known unchanged only when its text is asked for, once', async () => {
    const texts: string[] = [];
    const parking = {
      park: (text: string) => texts.push(text) - 1,
      parkPieces: (pieces: Iterable<string>) => texts.push([...pieces].join('')) - 1,
      unpark: (parked: number) => texts[parked] as string,
    };
    const fresh = await readContent(join(archive, 'content'), { parking });
    // Every file read is parked, its text read back through one getter shared by every file.
    expect(texts).toHaveLength(30);
    const [first, second] = fresh.articles;
    expect(Object.getOwnPropertyDescriptor(first, 'text')?.get).toBe(
      Object.getOwnPropertyDescriptor(second, 'text')?.get,
    );
    const fromDisk = fresh.articles.map((file) => file.text);
    texts.length = 0;
    const known = await readContent(join(archive, 'content'), { parking, unchanged: () => 'known' });
    expect(texts).toHaveLength(0);
    const [miss] = known.articles;
    expect(miss?.text).toBe(fromDisk[0]);
    expect(miss?.text).toBe(fromDisk[0]);
    expect(texts).toEqual([fromDisk[0]]);
    expect(known.articles.map((file) => file.text)).toEqual(fromDisk);
    expect(texts).toHaveLength(30);
  });
});
