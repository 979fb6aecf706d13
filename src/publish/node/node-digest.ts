// SHA-256 as lowercase hex, synchronously, for the publish command's local files (Node only; the
// worker and the pure pipeline use shared/digest.ts, which is asynchronous). One-shot `hash`
// rather than a Hash object: an edit at 100,000 articles takes hundreds of thousands of digests of
// short texts, and for those it took about a third of the time on this machine.
import { hash } from 'node:crypto';

export function sha256HexSync(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** SHA-256 as its 32 bytes (a Buffer of its own), for a digest kept in binary (columns.ts). */
export function sha256BytesSync(data: string | Uint8Array): Buffer {
  return hash('sha256', data, 'buffer');
}
