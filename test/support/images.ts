// Uploads the repository's images into the test's R2 bucket (env.IMAGES) with the same planning and
// upload code as `npm run publish`, counting the writes. workerd cannot run sharp (a native module),
// so every rendition here holds the original's bytes; the publish-cli tests check real encoding.
import { env } from 'cloudflare:workers';
import {
  type ImageBucket,
  type ImageSyncResult,
  renditionsToUpload,
  uploadImages,
} from '../../src/publish/images';
import { repositoryImages } from './content';

/** env.IMAGES as publish uses it, with every put counted. */
export function countingBucket(): ImageBucket & { puts: string[] } {
  const puts: string[] = [];
  return {
    puts,
    list: (options) => env.IMAGES.list(options),
    async put(key, value, options) {
      puts.push(key);
      return env.IMAGES.put(key, value, options);
    },
  };
}

/** The repository's images, uploaded as publish uploads them: only renditions the bucket lacks. */
export async function publishImages(bucket: ImageBucket = countingBucket()): Promise<ImageSyncResult> {
  const plans = [...repositoryImages.values()].map((image) => image.plan);
  // Nothing vouched for: the bucket is asked, as by a publish from a machine with no local state.
  const { missing } = await renditionsToUpload(plans, bucket, () => false);
  return uploadImages(missing, bucket, async (plan, renditions) => {
    const original = [...repositoryImages.values()].find((image) => image.plan === plan)?.bytes;
    if (!original) throw new Error(`no bytes for ${plan.source}`);
    return renditions.map(() => original);
  });
}
