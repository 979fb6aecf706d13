// The repository's real content/ and public/ images, bundled into the test worker by Vite,
// so tests in workerd compile and publish exactly what an editor would.
import { imageSize } from 'image-size';
import type { ContentInput } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';

const texts = import.meta.glob<string>(['/content/**/*.md', '/content/site.yaml'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const imageData = import.meta.glob<string>('/public/images/**/*.{jpg,png}', {
  query: '?inline',
  import: 'default',
  eager: true,
});

function decodeDataUrl(dataUrl: string): Uint8Array {
  const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

const images = new Map<string, { width: number; height: number }>();
for (const [path, dataUrl] of Object.entries(imageData)) {
  const { width, height } = imageSize(decodeDataUrl(dataUrl));
  images.set(path.replace(/^\/public/, ''), { width, height });
}

const relative = (path: string) => path.replace(/^\//, '');

/** The real site: content/site.yaml, every article file and the sizes of public/images. */
export function repositoryContent(): ContentInput {
  const siteText = texts['/content/site.yaml'];
  if (siteText === undefined) throw new Error('content/site.yaml is missing');
  const articles: SourceFile[] = Object.entries(texts)
    .filter(([path]) => path.endsWith('.md'))
    .map(([path, text]) => ({ path: relative(path), text }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return { site: { path: 'content/site.yaml', text: siteText }, articles, images };
}
