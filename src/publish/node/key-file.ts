// The secret key file `npm run keys` writes: a comment line naming the public key, then the key as
// one base64 line (the same line MIRRORWIRE_SIGNING_KEY takes).
import { encodePublicKey, encodeSecretKey, keyIdHex, type SecretKey } from '../../mirrors/minisign';

export function secretKeyFile(key: SecretKey, purpose: string): string {
  return [
    `untrusted comment: mirrorwire secret key ${keyIdHex(key.keyId)} (${purpose}); public key ${encodePublicKey(key)}`,
    encodeSecretKey(key),
    '',
  ].join('\n');
}
