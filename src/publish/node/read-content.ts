// Reads content/ and the sizes of the site's images from disk, for the pure compile step.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { imageSize } from 'image-size';
import type { ContentInput } from '../../content/compile';

const IMAGE_FILE = /\.(?:jpe?g|png|webp|gif|avif)$/i;

async function listFiles(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && accept(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const toPosix = (path: string) => path.split(sep).join('/');

export async function readContent(contentDir: string, publicDir: string): Promise<ContentInput> {
  const sitePath = join(contentDir, 'site.yaml');
  const articlePaths = await listFiles(join(contentDir, 'articles'), (name) => name.endsWith('.md'));
  const articles = await Promise.all(
    articlePaths.map(async (path) => ({
      path: toPosix(relative(process.cwd(), path)),
      text: await readFile(path, 'utf8'),
    })),
  );
  const images = new Map<string, { width: number; height: number }>();
  for (const path of await listFiles(publicDir, (name) => IMAGE_FILE.test(name))) {
    const { width, height } = imageSize(await readFile(path));
    if (width && height) images.set(`/${toPosix(relative(publicDir, path))}`, { width, height });
  }
  return {
    site: { path: toPosix(relative(process.cwd(), sitePath)), text: await readFile(sitePath, 'utf8') },
    articles,
    images,
  };
}
