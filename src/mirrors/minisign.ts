// The minisign format (https://jedisct1.github.io/minisign/) over Web Crypto Ed25519: public keys,
// secret keys (our own file format), signing and verifying detached signatures. Runs unchanged in
// Node (publish), workerd (tests) and browsers (clients), so it uses no Node API.

/**
 * Signatures use minisign's legacy algorithm `Ed` (Ed25519 over the file itself) rather than `ED`
 * (over its BLAKE2b-512 hash): Web Crypto has no BLAKE2b, the signed file is a few hundred bytes, and
 * `minisign -V` (0.11 and 0.12) accepts `Ed` unless `-H` is given.
 */
const SIG_ALG = 'Ed';
const KEY_ID_BYTES = 8;
const PUBLIC_KEY_BYTES = 32;
const SEED_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** minisign's limit on a trusted comment (TRUSTEDCOMMENTMAXBYTES, terminator included). */
const TRUSTED_COMMENT_MAX_BYTES = 8191;

export class MinisignError extends Error {
  override name = 'MinisignError';
}

export interface PublicKey {
  /** The 8-byte key id, as minisign stores it (little-endian when shown as a number). */
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

/** A secret key: the public part, plus the Ed25519 seed. */
export interface SecretKey extends PublicKey {
  seed: Uint8Array;
}

export interface Signature {
  keyId: Uint8Array;
  signature: Uint8Array;
  trustedComment: string;
  globalSignature: Uint8Array;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new MinisignError(`${what} is not base64`);
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(padded + '='.repeat((4 - (padded.length % 4)) % 4), 'a JWK value');
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A copy on its own ArrayBuffer, which is what Web Crypto's BufferSource accepts. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const ALG_BYTES = new TextEncoder().encode(SIG_ALG);

/** Splits `'Ed' || rest`, checking the algorithm and the length. */
function unwrap(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== 2 + length) throw new MinisignError(`${what} has the wrong length`);
  const alg = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (alg === 'ED') throw new MinisignError(`${what} is prehashed (ED); only Ed signatures are supported`);
  if (alg !== SIG_ALG) throw new MinisignError(`${what} is not an Ed25519 minisign value`);
  return bytes.subarray(2);
}

/** The key id as `minisign` prints it (`-G`, error messages): 16 hex digits, little-endian. */
export function keyIdHex(keyId: Uint8Array): string {
  return Array.from(keyId, (byte) => byte.toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
}

/** `RW…`: the base64 line of a minisign public key, what `minisign -P` takes. */
export function encodePublicKey(key: PublicKey): string {
  return toBase64(concat(ALG_BYTES, key.keyId, key.publicKey));
}

/** Reads the `RW…` line (or a whole `minisign.pub` file: the last non-empty line). */
export function decodePublicKey(text: string): PublicKey {
  const line = lastLine(text);
  const raw = unwrap(fromBase64(line, 'the public key'), KEY_ID_BYTES + PUBLIC_KEY_BYTES, 'the public key');
  return { keyId: raw.slice(0, KEY_ID_BYTES), publicKey: raw.slice(KEY_ID_BYTES) };
}

/** The secret key as one base64 line: `'Ed' || key id || seed || public key`. Not minisign's own file. */
export function encodeSecretKey(key: SecretKey): string {
  return toBase64(concat(ALG_BYTES, key.keyId, key.seed, key.publicKey));
}

/** Reads encodeSecretKey's line, alone or as the last line of a key file. */
export function decodeSecretKey(text: string): SecretKey {
  const raw = unwrap(
    fromBase64(lastLine(text), 'the secret key'),
    KEY_ID_BYTES + SEED_BYTES + PUBLIC_KEY_BYTES,
    'the secret key',
  );
  return {
    keyId: raw.slice(0, KEY_ID_BYTES),
    seed: raw.slice(KEY_ID_BYTES, KEY_ID_BYTES + SEED_BYTES),
    publicKey: raw.slice(KEY_ID_BYTES + SEED_BYTES),
  };
}

function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('untrusted comment:'));
  const line = lines.at(-1);
  if (line === undefined) throw new MinisignError('no key in the text');
  return line;
}

/** A fresh key pair with a random key id, as `minisign -G` makes. */
export async function generateSecretKey(): Promise<SecretKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  // Some runtimes type exportKey's result as ArrayBuffer | JsonWebKey: narrow to the JWK asked for.
  if (jwk instanceof ArrayBuffer || typeof jwk.d !== 'string' || typeof jwk.x !== 'string')
    throw new MinisignError('key export failed');
  return {
    keyId: crypto.getRandomValues(new Uint8Array(KEY_ID_BYTES)),
    seed: fromBase64Url(jwk.d),
    publicKey: fromBase64Url(jwk.x),
  };
}

function importSigningKey(key: SecretKey): Promise<CryptoKey> {
  const jwk: JsonWebKey = {
    kty: 'OKP',
    crv: 'Ed25519',
    d: toBase64Url(key.seed),
    x: toBase64Url(key.publicKey),
  };
  return crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
}

function importVerifyingKey(key: PublicKey): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', own(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
}

/**
 * Signs `message` as `minisign -S -l -t trustedComment` would: the signature over the message, and
 * the global signature over signature || trusted comment, which is what makes the comment trusted.
 */
export async function sign(key: SecretKey, message: Uint8Array, trustedComment: string): Promise<Signature> {
  checkTrustedComment(trustedComment);
  const signingKey = await importSigningKey(key);
  const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', signingKey, own(message)));
  const commentBytes = new TextEncoder().encode(trustedComment);
  const globalSignature = new Uint8Array(
    await crypto.subtle.sign('Ed25519', signingKey, own(concat(signature, commentBytes))),
  );
  // A seed that does not belong to the public key would sign happily and never verify: check now.
  if (
    !(await verifySignature({ keyId: key.keyId, publicKey: key.publicKey }, message, {
      keyId: key.keyId,
      signature,
      trustedComment,
      globalSignature,
    }))
  ) {
    throw new MinisignError('the secret key does not match its public key');
  }
  return { keyId: key.keyId, signature, trustedComment, globalSignature };
}

function checkTrustedComment(comment: string): void {
  if (/[\r\n]/.test(comment)) throw new MinisignError('a trusted comment is one line');
  if (new TextEncoder().encode(comment).length > TRUSTED_COMMENT_MAX_BYTES)
    throw new MinisignError('the trusted comment is too long for minisign');
}

/** The `.minisig` file: four lines, as minisign writes them. */
export function encodeSignature(sig: Signature, untrustedComment: string): string {
  return [
    `untrusted comment: ${untrustedComment}`,
    toBase64(concat(ALG_BYTES, sig.keyId, sig.signature)),
    `trusted comment: ${sig.trustedComment}`,
    toBase64(sig.globalSignature),
    '',
  ].join('\n');
}

export function decodeSignature(text: string): Signature {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const [untrusted, sigLine, trusted, globalLine] = lines;
  if (!untrusted?.startsWith('untrusted comment:') || !trusted?.startsWith('trusted comment: '))
    throw new MinisignError('not a minisign signature file');
  if (sigLine === undefined || globalLine === undefined) throw new MinisignError('truncated signature file');
  const raw = unwrap(fromBase64(sigLine, 'the signature'), KEY_ID_BYTES + SIGNATURE_BYTES, 'the signature');
  const globalSignature = fromBase64(globalLine, 'the global signature');
  if (globalSignature.length !== SIGNATURE_BYTES)
    throw new MinisignError('the global signature has the wrong length');
  return {
    keyId: raw.slice(0, KEY_ID_BYTES),
    signature: raw.slice(KEY_ID_BYTES),
    trustedComment: trusted.slice('trusted comment: '.length),
    globalSignature,
  };
}

/** Both checks `minisign -V` makes: the key id, the file's signature and the trusted comment's. */
export async function verifySignature(key: PublicKey, message: Uint8Array, sig: Signature): Promise<boolean> {
  if (!sameBytes(key.keyId, sig.keyId)) return false;
  const verifyingKey = await importVerifyingKey(key);
  const fileOk = await crypto.subtle.verify('Ed25519', verifyingKey, own(sig.signature), own(message));
  if (!fileOk) return false;
  const commentBytes = new TextEncoder().encode(sig.trustedComment);
  return crypto.subtle.verify(
    'Ed25519',
    verifyingKey,
    own(sig.globalSignature),
    own(concat(sig.signature, commentBytes)),
  );
}
