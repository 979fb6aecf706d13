// The repository's real content/ (articles, site.yaml and the images under content/images),
// bundled into the test worker by Vite, so tests in workerd compile and publish exactly what an
// editor would. Images are planned as publish plans them (publish/images.ts), hashes included.
import { imageSize } from 'image-size';
import type { ContentInput, ImageAsset } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';
import { type ImagePlan, imageDigestInput, planImage } from '../../src/publish/images';
import { sha256Hex } from '../../src/shared/digest';

const texts = import.meta.glob<string>(['/content/**/*.md', '/content/site.yaml'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const imageData = import.meta.glob<string>('/content/images/**/*.{jpg,png,webp}', {
  query: '?inline',
  import: 'default',
  eager: true,
});

function decodeDataUrl(dataUrl: string): Uint8Array {
  const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const binary = atob(base64);
  // A plain loop: Uint8Array.from with a mapping function took ten times as long, and every test
  // file decodes every image when it imports this module.
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Each original's bytes and plan, by the name front matter gives it (`images/675904.jpg`). */
export const repositoryImages = new Map<string, { bytes: Uint8Array; plan: ImagePlan }>();
// Top-level await: hashing is asynchronous in Web Crypto, and every test needs the plans settled.
for (const [path, dataUrl] of Object.entries(imageData)) {
  const bytes = decodeDataUrl(dataUrl);
  const source = path.replace(/^\/content\//, '');
  const plan = planImage(source, await sha256Hex(imageDigestInput(bytes)), imageSize(bytes));
  repositoryImages.set(source, { bytes, plan });
}

const images = new Map<string, ImageAsset>(
  [...repositoryImages].map(([source, { plan }]) => [source, plan.asset]),
);

const relative = (path: string) => path.replace(/^\//, '');

/** The real site: content/site.yaml, every article file and the planned images of content/images. */
export function repositoryContent(): ContentInput {
  const siteText = texts['/content/site.yaml'];
  if (siteText === undefined) throw new Error('content/site.yaml is missing');
  const articles: SourceFile[] = Object.entries(texts)
    .filter(([path]) => path.endsWith('.md'))
    .map(([path, text]) => ({ path: relative(path), text }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return { site: { path: 'content/site.yaml', text: siteText }, articles, images };
}

/**
 * The real site with only the article files of `ids`: for a test about a few articles, a publish
 * of those proves what one of the whole sample proves, in a fraction of the records.
 */
export function repositoryArticles(ids: readonly number[]): ContentInput {
  const content = repositoryContent();
  const articles = content.articles.filter((file) =>
    ids.includes(Number(/^id: (\d+)$/m.exec(file.text)?.[1])),
  );
  if (articles.length !== ids.length) throw new Error(`no article file for some of ${ids.join(', ')}`);
  return { ...content, articles };
}
