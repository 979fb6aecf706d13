// Article images as publish stores them in R2: which renditions an original needs (widths, WebP and
// its own format), their content-hashed keys, the srcset the pages use, and the upload of only the
// renditions the bucket lacks. Pure apart from the bucket and encoder it is given (Node and workerd).

import type { ImageAsset } from '../content/compile';
import { CACHE_POLICY } from '../http/cache-policy';
import { imagePath } from '../sites/urls';
import { IMAGE_KEY_PREFIX, imageKey } from '../storage/keys';

/** The widths a reader needs: phones, laptops, and large or dense screens. */
export const RENDITION_WIDTHS = [480, 960, 1440] as const;

/**
 * Part of every image's hash: changing how renditions are encoded (widths, quality) must give new
 * keys, since a stored key is served as immutable for a year. Bump it with any such change.
 */
export const RENDITION_VERSION = 'r1';

/** Hex digits of the SHA-256 kept in a key: 64 bits, far from any collision in one outlet's images. */
export const IMAGE_HASH_HEX_DIGITS = 16;

export type ImageFormat = 'jpeg' | 'png' | 'webp';

const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };

export const IMAGE_CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/** `.jpg` → jpeg; undefined for a format publish does not encode (GIF, AVIF, SVG…). */
export function imageFormatOf(fileName: string): ImageFormat | undefined {
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  if (extension === 'jpg' || extension === 'jpeg') return 'jpeg';
  if (extension === 'png' || extension === 'webp') return extension;
  return undefined;
}

export interface Rendition {
  key: string;
  width: number;
  height: number;
  format: ImageFormat;
}

/** One original under content/images and everything publish derives from it. */
export interface ImagePlan {
  /** As front matter names it: `images/675904.jpg`. */
  source: string;
  hash: string;
  format: ImageFormat;
  renditions: Rendition[];
  /** What the article record carries: the largest rendition in the original format, and the srcsets. */
  asset: ImageAsset;
}

/**
 * The widths an original of `width` pixels gets: each standard width narrower than it, and the
 * original's own width when it is under the largest (never wider than the original: upscaling
 * only adds bytes).
 */
export function renditionWidths(width: number): number[] {
  const largest = RENDITION_WIDTHS[RENDITION_WIDTHS.length - 1] ?? width;
  const widths: number[] = RENDITION_WIDTHS.filter((w) => w < width);
  widths.push(Math.min(width, largest));
  return [...new Set(widths)];
}

/** `675904` from `images/675904.jpg`, reduced to what is safe and readable in a URL. */
function baseName(source: string): string {
  const file = source.slice(source.lastIndexOf('/') + 1);
  const stem = file.includes('.') ? file.slice(0, file.lastIndexOf('.')) : file;
  const safe = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return safe || 'image';
}

/**
 * The plan for one original: `digest` is the hex SHA-256 of its bytes followed by RENDITION_VERSION
 * (imageDigestInput), `width` and `height` its displayed size (EXIF orientation applied).
 */
export function planImage(
  source: string,
  digest: string,
  size: { width: number; height: number },
): ImagePlan {
  const format = imageFormatOf(source) ?? 'jpeg';
  const hash = digest.slice(0, IMAGE_HASH_HEX_DIGITS);
  const name = baseName(source);
  const renditions: Rendition[] = [];
  for (const width of renditionWidths(size.width)) {
    const height = Math.max(1, Math.round((size.height * width) / size.width));
    for (const each of new Set<ImageFormat>([format, 'webp']))
      renditions.push({
        key: imageKey(hash, `${name}-${width}.${EXTENSIONS[each]}`),
        width,
        height,
        format: each,
      });
  }
  const srcsetOf = (wanted: ImageFormat) =>
    renditions
      .filter((r) => r.format === wanted)
      .map((r) => `/${r.key} ${r.width}w`)
      .join(', ');
  const largest = renditions.filter((r) => r.format === format).at(-1);
  const asset: ImageAsset = {
    src: largest ? imagePath(hash, largest.key.slice(largest.key.lastIndexOf('/') + 1)) : '',
    width: largest?.width ?? size.width,
    height: largest?.height ?? size.height,
    srcset: srcsetOf(format),
    ...(format !== 'webp' && { webpSrcset: srcsetOf('webp') }),
  };
  return { source, hash, format, renditions, asset };
}

/** What is hashed for an image's key: its bytes, then the encoder version (so settings changes re-key). */
export function imageDigestInput(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const version = new TextEncoder().encode(`\u0000${RENDITION_VERSION}`);
  const input = new Uint8Array(bytes.length + version.length);
  input.set(bytes);
  input.set(version, bytes.length);
  return input;
}

/** The part of R2's binding publish uses: Miniflare's R2 from Node and `env.IMAGES` in tests both fit. */
export interface ImageBucket {
  list(options: { prefix: string; cursor?: string }): Promise<{
    objects: { key: string }[];
    truncated: boolean;
    cursor?: string;
  }>;
  put(
    key: string,
    value: Uint8Array,
    options: { httpMetadata: { contentType: string; cacheControl: string } },
  ): Promise<unknown>;
}

/**
 * An original that cannot be encoded, though its size could be read (its data cut short, say): a
 * problem in the content, reported at the line of each article that shows it (`source` as front
 * matter names it, `images/675904.jpg`).
 */
export class ImageEncodeError extends Error {
  override readonly name = 'ImageEncodeError';
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/** Encodes the given renditions of one original, in their order. */
export type EncodeRenditions = (plan: ImagePlan, renditions: readonly Rendition[]) => Promise<Uint8Array[]>;

export interface ImageSyncResult {
  /** Originals that needed at least one rendition. */
  images: number;
  /** Renditions written to the bucket. */
  uploaded: number;
}

/** Every key under `prefix`, following the listing's pages (1,000 keys a page). */
async function listedKeys(
  bucket: ImageBucket,
  prefix: string,
): Promise<{ keys: Set<string>; requests: number }> {
  const keys = new Set<string>();
  let requests = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor && { cursor }) });
    requests++;
    for (const object of page.objects) keys.add(object.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return { keys, requests };
}

/** The renditions of `plans` that `stored` lacks, grouped by original. */
export function missingRenditions(
  plans: readonly ImagePlan[],
  stored: ReadonlySet<string>,
): { plan: ImagePlan; renditions: Rendition[] }[] {
  return plans
    .map((plan) => ({ plan, renditions: plan.renditions.filter((r) => !stored.has(r.key)) }))
    .filter((entry) => entry.renditions.length > 0);
}

/**
 * Up to this many originals to look up, a listing of each one's prefix costs fewer requests than a
 * listing of the bucket (1,000 keys a page, six renditions an original).
 */
const ORIGINALS_LOOKED_UP_ONE_BY_ONE = 20;

/** What the bucket lacks, and what finding it out cost. */
export interface RenditionCheck {
  missing: { plan: ImagePlan; renditions: Rendition[] }[];
  /** Renditions vouched for without asking the bucket. */
  known: number;
  /** List requests made. */
  requests: number;
}

/**
 * The renditions of `plans` the bucket lacks. `known` vouches for the renditions an earlier publish
 * from this machine found stored or uploaded, and a rendition is never deleted (its key is its
 * content's hash), so only the others are looked up: under their original's own prefix when few
 * (an edit, a new article), by listing the whole bucket when many (a first publish). A bucket that
 * lost objects anyway is put right by --repair, which vouches for nothing.
 */
export async function renditionsToUpload(
  plans: readonly ImagePlan[],
  bucket: ImageBucket,
  known: (key: string) => boolean,
): Promise<RenditionCheck> {
  let vouched = 0;
  const unknown: ImagePlan[] = [];
  for (const plan of plans) {
    const stored = plan.renditions.filter((rendition) => known(rendition.key)).length;
    vouched += stored;
    if (stored < plan.renditions.length) unknown.push(plan);
  }
  if (unknown.length === 0) return { missing: [], known: vouched, requests: 0 };
  if (unknown.length > ORIGINALS_LOOKED_UP_ONE_BY_ONE) {
    const listed = await listedKeys(bucket, IMAGE_KEY_PREFIX);
    return { missing: missingRenditions(plans, listed.keys), known: vouched, requests: listed.requests };
  }
  const stored = new Set<string>();
  let requests = 0;
  for (const plan of unknown) {
    const listed = await listedKeys(bucket, imageKey(plan.hash, ''));
    requests += listed.requests;
    for (const key of listed.keys) stored.add(key);
  }
  return { missing: missingRenditions(unknown, stored), known: vouched, requests };
}

/**
 * Encodes and uploads what the bucket lacks, `concurrency` originals at a time. The same bytes are
 * never encoded or sent twice: a rendition's key is its content's hash, and stored keys are skipped.
 * After the first failure no new original starts; those in flight finish, then it is thrown, so
 * `onUploaded` has counted every rendition the bucket confirmed.
 */
export async function uploadImages(
  missing: readonly { plan: ImagePlan; renditions: Rendition[] }[],
  bucket: ImageBucket,
  encode: EncodeRenditions,
  options: {
    concurrency?: number;
    onImage?: (done: number) => void;
    onUploaded?: (done: number) => void;
  } = {},
): Promise<ImageSyncResult> {
  let uploaded = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;
  const queue = missing.values();
  const upload = async ({ plan, renditions }: { plan: ImagePlan; renditions: Rendition[] }) => {
    const encoded = await encode(plan, renditions);
    for (const [index, rendition] of renditions.entries()) {
      const bytes = encoded[index];
      if (!bytes) throw new Error(`${plan.source}: no bytes encoded for ${rendition.key}`);
      await bucket.put(rendition.key, bytes, {
        httpMetadata: {
          contentType: IMAGE_CONTENT_TYPES[rendition.format],
          cacheControl: CACHE_POLICY.image,
        },
      });
      uploaded++;
      options.onUploaded?.(uploaded);
    }
    done++;
    options.onImage?.(done);
  };
  const worker = async () => {
    for (const entry of queue) {
      if (failure) return;
      try {
        await upload(entry);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, missing.length) }, worker));
  if (failure) throw failure.error;
  return { images: missing.length, uploaded };
}
