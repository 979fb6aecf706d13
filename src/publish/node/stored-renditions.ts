// The image renditions a publish from this machine found in the bucket or uploaded to it, beside
// the local state like the file table: the next publish asks the bucket only about the others
// (images.ts `renditionsToUpload`), so an edit lists nothing rather than the whole bucket (600
// requests for 100,000 photos through R2's API). The table names the bucket it vouches for.
import { openEmbeddedTable } from './embedded-table';

export interface StoredRenditions {
  /** Whether an earlier publish found `key` stored in this bucket (never with --repair). */
  has(key: string): boolean;
  /** Records the renditions now stored (call once the uploads succeeded): the others are dropped in time. */
  save(keys: Iterable<string>): Promise<void>;
  /** Lets go of the table without saving; safe to call again. */
  close(): void;
}

export async function openStoredRenditions(
  path: string,
  bucket: string,
  options: { trust: boolean },
): Promise<StoredRenditions> {
  const table = await openEmbeddedTable<1>(path, JSON.stringify({ format: 1, bucket }), 'stored renditions');
  return {
    has: (key) => options.trust && table.previous.get(key) === 1,
    close: () => table.close(),
    async save(keys) {
      const live = new Set(keys);
      const added = new Map<string, 1>();
      for (const key of live) if (!(options.trust && table.previous.get(key) === 1)) added.set(key, 1);
      await table.save(added, live);
    },
  };
}
