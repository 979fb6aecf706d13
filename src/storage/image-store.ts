// Article image renditions in the R2 bucket IMAGES: the only module that reads it. Routes ask for a
// rendition by its hash and file name; the key shape is keys.ts's, and R2 judges the preconditions.
import { imageKey } from './keys';

/** What publish writes (publish/images.ts); anything else is absent without asking R2. */
const HASH = /^[0-9a-f]{16}$/;
const FILE = /^[a-z0-9-]+-[1-9]\d*\.(?:jpg|png|webp)$/;

export class ImageStore {
  constructor(private readonly bucket: R2Bucket) {}

  /**
   * The rendition `{file}` of the image `{hash}`, or null. R2 evaluates `conditions` (HTTP
   * precondition headers) itself: when one fails, it returns the object without its body.
   */
  async getRendition(
    hash: string,
    file: string,
    conditions: Headers,
  ): Promise<R2Object | R2ObjectBody | null> {
    if (!HASH.test(hash) || !FILE.test(file)) return null;
    return this.bucket.get(imageKey(hash, file), { onlyIf: conditions });
  }
}
