// The signed mirror list (/.well-known/mirrors.json and its .minisig): the document's shape, the
// trusted comment that carries its sequence, and the verifier clients and tests use.
import { decodePublicKey, decodeSignature, MinisignError, verifySignature } from './minisign';

export const MIRRORS_PATH = '/.well-known/mirrors.json';
export const MIRRORS_SIGNATURE_PATH = `${MIRRORS_PATH}.minisig`;
/** The file name the trusted comment names, as `minisign -S` would for a file of that name. */
export const MIRRORS_FILE_NAME = 'mirrors.json';

/** What /.well-known/mirrors.json holds: absolute URLs, never the request's host. */
export interface MirrorList {
  primary: string;
  mirrors: string[];
  onion?: string;
  /** When the listed addresses last changed (RFC 3339, UTC). */
  updated: string;
  /** Raised by one with every publish that changes the list or its signature: a replay shows. */
  sequence: number;
}

/** The trusted comment: minisign's own `timestamp:…\tfile:…`, plus the sequence. */
export function mirrorListTrustedComment(timestampSeconds: number, sequence: number): string {
  return `timestamp:${timestampSeconds}\tfile:${MIRRORS_FILE_NAME}\tsequence:${sequence}`;
}

/** The `key:value` fields of a trusted comment (tab-separated, as minisign writes them). */
function commentFields(comment: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of comment.split('\t')) {
    const colon = part.indexOf(':');
    if (colon > 0) fields.set(part.slice(0, colon), part.slice(colon + 1));
  }
  return fields;
}

/** A shape check without a schema library, so the verifier stays small for clients. */
export function isMirrorList(value: unknown): value is MirrorList {
  if (typeof value !== 'object' || value === null) return false;
  const list = value as Record<string, unknown>;
  return (
    typeof list.primary === 'string' &&
    Array.isArray(list.mirrors) &&
    list.mirrors.every((mirror) => typeof mirror === 'string') &&
    (list.onion === undefined || typeof list.onion === 'string') &&
    typeof list.updated === 'string' &&
    typeof list.sequence === 'number'
  );
}

export class MirrorListError extends Error {
  override name = 'MirrorListError';
}

export interface VerifiedMirrorList {
  list: MirrorList;
  sequence: number;
  /** The signing time from the trusted comment, Unix seconds. */
  timestamp: number;
}

export interface VerifyOptions {
  /** The `RW…` key the client trusts (site.yaml's `signing_key`), never one fetched with the list. */
  publicKey: string;
  /** The highest sequence the client has already accepted: an older list is a replay. */
  minSequence?: number;
}

/**
 * Checks a fetched mirrors.json against its .minisig: the signature over the exact bytes, the
 * trusted comment's signature, a sequence not below the pinned one, and that the document repeats
 * the signed sequence. Throws MirrorListError (or MinisignError) with the reason.
 */
export async function verifyMirrorList(
  body: Uint8Array | string,
  minisig: string,
  options: VerifyOptions,
): Promise<VerifiedMirrorList> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const key = decodePublicKey(options.publicKey);
  const signature = decodeSignature(minisig);
  if (!(await verifySignature(key, bytes, signature)))
    throw new MirrorListError('the signature does not match the list and the key');
  const fields = commentFields(signature.trustedComment);
  const sequence = Number(fields.get('sequence'));
  const timestamp = Number(fields.get('timestamp'));
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    throw new MirrorListError('the trusted comment carries no sequence');
  if (!Number.isSafeInteger(timestamp)) throw new MirrorListError('the trusted comment carries no timestamp');
  if (options.minSequence !== undefined && sequence < options.minSequence)
    throw new MirrorListError(`sequence ${sequence} is older than ${options.minSequence}: a replayed list`);
  let list: unknown;
  try {
    list = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new MinisignError('the signed list is not JSON', { cause: error });
  }
  if (!isMirrorList(list)) throw new MirrorListError('the signed list has the wrong shape');
  if (list.sequence !== sequence)
    throw new MirrorListError('the list and its signature disagree on the sequence');
  return { list, sequence, timestamp };
}
