// Image renditions encoded with sharp (libvips): each width in the original's format and in WebP.
// Loaded only when a rendition is missing, so a publish with nothing new never starts libvips.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../../shared/error-message';
import { ImageEncodeError, type ImageFormat, type ImagePlan, type Rendition } from '../images';

/**
 * Quality for lossy formats: 80 is where JPEG and WebP artefacts stop being visible in news photos
 * at these widths, at about half the bytes of 95.
 */
const QUALITY = 80;

/** An encoder reading originals from `contentDir` (plans name them relative to it). */
export function sharpEncoder(contentDir: string) {
  return async (plan: ImagePlan, renditions: readonly Rendition[]): Promise<Uint8Array[]> => {
    const { default: sharp } = await import('sharp');
    let original: Buffer;
    try {
      original = await readFile(join(contentDir, plan.source));
    } catch (error) {
      throw new ImageEncodeError(plan.source, `cannot be read (${firstLine(error)})`);
    }
    const encode = (rendition: Rendition) => {
      // rotate() applies EXIF orientation, as the sizes in the plan assume; metadata is dropped.
      const resized = sharp(original).rotate().resize(rendition.width, rendition.height, { fit: 'cover' });
      const formats: Record<ImageFormat, () => typeof resized> = {
        jpeg: () => resized.jpeg({ quality: QUALITY, mozjpeg: true }),
        png: () => resized.png({ compressionLevel: 9 }),
        webp: () => resized.webp({ quality: QUALITY }),
      };
      return formats[rendition.format]().toBuffer();
    };
    try {
      return await Promise.all(renditions.map(encode));
    } catch (error) {
      throw new ImageEncodeError(plan.source, `cannot be encoded (${firstLine(error)})`);
    }
  };
}

/** libvips repeats its message on a line per warning: the first says it. */
function firstLine(error: unknown): string {
  return messageOf(error).split('\n')[0] ?? '';
}
