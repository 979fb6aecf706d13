// Article images from R2 through the real worker: srcset and sizes on pages, the same image URLs on
// the primary and a mirror, immutable caching with ETag and 304, and an upload that never repeats.
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryImages } from '../support/content';
import { parseHtml } from '../support/html';
import { countingBucket, publishImages } from '../support/images';
import { publish } from '../support/publish';
import { get, kvReads, MIRROR, PRIMARY } from '../support/request';

const SAMPLE_PATH =
  '/Detail/2022/01/18/675904/Russia-says-no-new-talks-on-Ukraine-until-West-responds-to-demands';
const HOSTS = [PRIMARY, MIRROR];
const RENDITIONS = [...repositoryImages.values()].reduce((n, image) => n + image.plan.renditions.length, 0);

let firstUpload: Awaited<ReturnType<typeof publishImages>>;

beforeAll(async () => {
  await publish();
  firstUpload = await publishImages();
  await get(PRIMARY, '/robots-warm-up');
});

/** `["/images/…-480.jpg", "480w"]` pairs of a srcset attribute. */
function candidates(srcset: string | undefined): string[][] {
  return (srcset ?? '').split(', ').map((candidate) => candidate.split(' '));
}

async function leadImage(host: string) {
  const dom = parseHtml(await (await get(host, SAMPLE_PATH)).text());
  return {
    img: (name: string) => dom.attr('.lead-image img', name),
    webp: (name: string) => dom.attr('.lead-image source[type="image/webp"]', name),
  };
}

describe.each(HOSTS)('article images on %s', (host) => {
  /** The status of a GET of `src`, its body read to the end as a browser would. */
  async function statusOf(src: string, headers: Record<string, string>): Promise<number> {
    const response = await get(host, src, headers);
    await response.arrayBuffer();
    return response.status;
  }

  async function etagOf(src: string): Promise<string> {
    const response = await get(host, src);
    await response.arrayBuffer();
    return response.headers.get('ETag') ?? '';
  }

  it('gives the lead image every width up to the original, in its format and in WebP, with its size', async () => {
    const image = await leadImage(host);
    // The sample photos are 1200 px wide: 480 and 960, then the original width (never upscaled to 1440).
    expect(candidates(image.img('srcset')).map(([, width]) => width)).toEqual(['480w', '960w', '1200w']);
    expect(candidates(image.img('srcset')).every(([url]) => url?.endsWith('.jpg'))).toBe(true);
    expect(candidates(image.webp('srcset')).map(([url, width]) => `${url?.slice(-5)} ${width}`)).toEqual([
      '.webp 480w',
      '.webp 960w',
      '.webp 1200w',
    ]);
    expect(image.img('sizes')).toBe('(min-width: 46rem) 46rem, 100vw');
    expect(image.img('width')).toBe('1200');
    expect(image.img('height')).toBe('675');
    expect(image.img('src')).toMatch(/^\/images\/[0-9a-f]{16}\/675904-1200\.jpg$/);
  });

  it('serves every rendition from R2, immutable under its hashed name, with a strong ETag', async () => {
    const image = await leadImage(host);
    const urls = [...candidates(image.img('srcset')), ...candidates(image.webp('srcset'))].map(
      ([url]) => url ?? '',
    );
    for (const url of urls) {
      const response = await get(host, url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('Content-Type')).toBe(url.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      expect(response.headers.get('ETag')).toMatch(/^"[^"]+"$/);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });

  it('answers 304 with the validators to a matching If-None-Match', async () => {
    const src = (await leadImage(host)).img('src') ?? '';
    const etag = await etagOf(src);
    const response = await get(host, src, { 'If-None-Match': etag });
    expect(response.status).toBe(304);
    expect(response.headers.get('ETag')).toBe(etag);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe('');
    expect(await statusOf(src, { 'If-None-Match': '"other"' })).toBe(200);
  });

  it('answers 412 when If-Match or If-Unmodified-Since fails, and 200 when they hold', async () => {
    const src = (await leadImage(host)).img('src') ?? '';
    const etag = await etagOf(src);
    expect(await statusOf(src, { 'If-Match': '"other"' })).toBe(412);
    expect(await statusOf(src, { 'If-Match': '"other"', 'If-None-Match': etag })).toBe(412);
    expect(await statusOf(src, { 'If-Unmodified-Since': 'Thu, 01 Jan 2015 00:00:00 GMT' })).toBe(412);
    expect(await statusOf(src, { 'If-Match': etag })).toBe(200);
    expect(await statusOf(src, { 'If-Match': '*' })).toBe(200);
    expect(await statusOf(src, { 'If-Unmodified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' })).toBe(200);
    expect(await statusOf(src, { 'If-Match': etag, 'If-None-Match': etag })).toBe(304);
  });

  it('answers 404 for an unknown image without reading KV', async () => {
    for (const path of [
      '/images/0123456789abcdef/675904-480.jpg',
      '/images/not-a-hash/675904-480.jpg',
      '/images/0123456789abcdef/..%2Fsecret',
    ]) {
      const response = await get(host, path);
      expect(response.status, path).toBe(404);
      expect(kvReads(response), path).toBe(0);
    }
  });

  it('gives list cards a srcset and their size', async () => {
    const dom = parseHtml(await (await get(host, '/')).text());
    expect(dom.attr('.card-image', 'srcset')).toMatch(/-480\.jpg 480w/);
    expect(dom.attr('.card-image', 'width')).toBe('1200');
    expect(dom.attr('.card-image', 'height')).toBe('675');
  });
});

describe('the image upload', () => {
  it('uploads each rendition once, and nothing when the same images are published again', async () => {
    expect(firstUpload).toEqual({ images: repositoryImages.size, uploaded: RENDITIONS });
    const again = countingBucket();
    expect(await publishImages(again)).toEqual({ images: 0, uploaded: 0 });
    expect(again.puts).toEqual([]);
  });

  it('links feeds to the hashed image URL on the reader host', async () => {
    const src = (await leadImage(MIRROR)).img('src') ?? '';
    expect(await (await get(MIRROR, '/rss.xml')).text()).toContain(`url="https://${MIRROR}${src}"`);
  });
});
