// Standard Webhooks signatures (https://www.standardwebhooks.com/) over Web Crypto HMAC-SHA256:
// `webhook-signature: v1,<base64 HMAC of "{id}.{timestamp}.{body}">`, keyed by the base64-decoded
// part of a `whsec_…` secret. Any Standard Webhooks library verifies what this signs.

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The specification asks for 24 to 64 random bytes; fewer is refused rather than used. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export class WebhookSecretError extends Error {
  override readonly name = 'WebhookSecretError';
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function toBase64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** The key bytes of a `whsec_…` secret; `name` only makes the error useful. */
export function decodeWebhookSecret(secret: string, name: string): Uint8Array {
  const encoded = secret.trim().startsWith(SECRET_PREFIX) ? secret.trim().slice(SECRET_PREFIX.length) : '';
  if (encoded === '' || !BASE64.test(encoded)) {
    throw new WebhookSecretError(`${name} must be whsec_ followed by base64`);
  }
  const key = fromBase64(encoded);
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(`${name} must hold ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
  return key;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three Standard Webhooks headers for `body`, sent at `timestampSeconds` (Unix seconds). */
export async function signWebhook(
  key: Uint8Array,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<SignedHeaders> {
  const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const timestamp = String(timestampSeconds);
  const signature = await crypto.subtle.sign(
    'HMAC',
    hmac,
    new TextEncoder().encode(`${id}.${timestamp}.${body}`),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${toBase64(signature)}`,
  };
}
