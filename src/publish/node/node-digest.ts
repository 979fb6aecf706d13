// SHA-256 as lowercase hex, synchronously, for the publish command's local files (Node only; the
// worker and the pure pipeline use shared/digest.ts, which is asynchronous).
import { createHash } from 'node:crypto';

export function sha256HexSync(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
