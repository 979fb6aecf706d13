// SHA-256 as lowercase hex, with Web Crypto: the same code in the worker (ETags, partner keys),
// in Node (publish hashes) and in workerd tests. Shared by every layer, so it imports nothing.

/** Lowercase hex of the bytes given. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** SHA-256 of UTF-8 text or raw bytes, as hex of its first `bytes` bytes (all 32 by default). */
export async function sha256Hex(
  data: string | ArrayBuffer | Uint8Array<ArrayBuffer>,
  bytes = 32,
): Promise<string> {
  const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  return toHex(digest.subarray(0, bytes));
}
