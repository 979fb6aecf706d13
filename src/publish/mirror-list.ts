// Builds /.well-known/mirrors.json and signs it, at publish time: the body is finished here so the
// detached minisign signature covers exactly the bytes every host serves.

import type { SiteConfig } from '../config/site-config';
import {
  decodeSignature,
  encodePublicKey,
  encodeSignature,
  keyIdHex,
  type SecretKey,
  sign,
} from '../mirrors/minisign';
import {
  isMirrorList,
  MIRRORS_FILE_NAME,
  type MirrorList,
  mirrorListTrustedComment,
} from '../mirrors/mirror-list';
import { servingAddresses } from '../sites/urls';
import type { StoredMirrorList } from '../storage/records';

/** site.yaml sets `signing_key`, and the publish has no secret key for it: nothing may be written. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

/** Refuses a missing or mismatched secret key when site.yaml names a public one. */
export function checkSigningKey(site: SiteConfig, key: SecretKey | null): void {
  if (site.signing_key === undefined) return;
  if (key === null)
    throw new SigningKeyError(
      'site.yaml sets signing_key, but no secret key was given (MIRRORWIRE_SIGNING_KEY or MIRRORWIRE_SIGNING_KEY_FILE)',
    );
  const publicKey = encodePublicKey(key);
  if (publicKey !== site.signing_key)
    throw new SigningKeyError(
      `the secret key belongs to ${publicKey}, not to site.yaml's signing_key ${site.signing_key}`,
    );
}

function addressesOf(list: Pick<MirrorList, 'primary' | 'mirrors' | 'onion'>): string {
  return JSON.stringify([list.primary, list.mirrors, list.onion ?? null]);
}

function previousList(previous: StoredMirrorList | undefined): MirrorList | null {
  if (!previous) return null;
  try {
    const list: unknown = JSON.parse(previous.body);
    return isMirrorList(list) ? list : null;
  } catch {
    // Written by an earlier publish; if it no longer parses, this publish replaces it (sequence + 1).
    return null;
  }
}

/** The previous list is still right: same addresses, and signed (or not) the way it must be now. */
function stillValid(previous: StoredMirrorList, site: SiteConfig, key: SecretKey | null): boolean {
  if (site.signing_key === undefined || key === null) return previous.minisig === undefined;
  if (previous.minisig === undefined) return false;
  try {
    return keyIdHex(decodeSignature(previous.minisig).keyId) === keyIdHex(key.keyId);
  } catch {
    // An unreadable stored signature is replaced, never served again.
    return false;
  }
}

/**
 * The list for this publish. Unchanged addresses under the same key keep the stored bytes and
 * signature; anything else gets sequence + 1 and a new signature, so a client that pinned a
 * sequence can tell an old list replayed from the current one.
 */
export async function buildMirrorList(
  site: SiteConfig,
  previous: StoredMirrorList | undefined,
  stamp: string,
  key: SecretKey | null,
): Promise<StoredMirrorList> {
  checkSigningKey(site, key);
  const addresses = servingAddresses(site);
  const before = previousList(previous);
  const sameAddresses = before !== null && addressesOf(before) === addressesOf(addresses);
  if (previous && sameAddresses && stillValid(previous, site, key)) return previous;

  const sequence = (previous?.sequence ?? 0) + 1;
  const list: MirrorList = {
    ...addresses,
    updated: sameAddresses && before ? before.updated : stamp,
    sequence,
  };
  const body = `${JSON.stringify(list, null, 2)}\n`;
  if (site.signing_key === undefined || key === null) return { body, sequence, changedAt: stamp };
  const signature = await sign(
    key,
    new TextEncoder().encode(body),
    mirrorListTrustedComment(Math.floor(Date.parse(stamp) / 1000), sequence),
  );
  // The untrusted comment is one line whatever the outlet's name holds.
  const comment = `${MIRRORS_FILE_NAME} of ${site.name.replace(/\s+/g, ' ')}, key ${keyIdHex(key.keyId)}`;
  const minisig = encodeSignature(signature, comment);
  return { body, sequence, changedAt: stamp, minisig };
}
