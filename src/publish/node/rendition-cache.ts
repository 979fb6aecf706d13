// Encoded renditions kept on this machine, by key. A rendition's key is the hash of its original and
// of the encoder version (publish/images.ts), so a file found under it is the bytes sharp would
// make again: a publish to another target (the local preview, then Cloudflare), another checkout,
// or a wiped local state uploads what the bucket lacks without encoding it a second time.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EncodeRenditions } from '../images';

/** `MIRRORWIRE_RENDITION_CACHE`: a folder, or `off`; by default beside the installed packages. */
export function renditionCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.MIRRORWIRE_RENDITION_CACHE;
  if (configured === 'off') return undefined;
  if (configured) return configured;
  // node_modules/.cache is where build tools keep what they can make again; it is never committed.
  const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
  return join(root, 'node_modules/.cache/mirrorwire/renditions');
}

/**
 * `encode`, skipped for an original whose every rendition is in `dir`. A rendition is written to a
 * temporary name and renamed, so a publish killed mid-write, or two publishes side by side, never
 * leave a torn file under a key.
 */
export function cachedEncoder(encode: EncodeRenditions, dir: string | undefined): EncodeRenditions {
  if (dir === undefined) return encode;
  return async (plan, renditions) => {
    const cached = await Promise.all(
      renditions.map((rendition) => readFile(join(dir, rendition.key)).catch(() => undefined)),
    );
    if (cached.every((bytes) => bytes !== undefined)) return cached.map((bytes) => new Uint8Array(bytes));
    const encoded = await encode(plan, renditions);
    await Promise.all(
      renditions.map(async (rendition, index) => {
        const bytes = encoded[index];
        if (!bytes) return;
        const path = join(dir, rendition.key);
        await mkdir(dirname(path), { recursive: true });
        const temporary = `${path}.${process.pid}.${index}.tmp`;
        await writeFile(temporary, bytes);
        await rename(temporary, path);
      }),
    );
    return encoded;
  };
}
