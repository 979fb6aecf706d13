// The outlet's serving addresses inside every feed, so a subscriber on one address learns the others
// before it is blocked: a namespaced element in RSS and Atom, an `_mirrorwire` object in JSON Feed.

import type { SiteConfig } from '../config/site-config';
import { MIRRORS_PATH, MIRRORS_SIGNATURE_PATH } from '../mirrors/mirror-list';
import { escapeAttribute } from '../shared/xml';
import { ORIGIN_PLACEHOLDER } from '../sites/origin-placeholder';
import { servingAddresses } from '../sites/urls';

/** The XML namespace of `<mw:mirrors>` (docs/feeds.md). A name, never fetched. */
export const MIRRORS_NAMESPACE = 'urn:mirrorwire:mirrors:1';
export const MIRRORS_PREFIX = 'mw';

export type MirrorRole = 'primary' | 'mirror' | 'onion';

export interface FeedMirrors {
  /** Every serving address, each named explicitly (not the request's host): the same on every host. */
  addresses: { url: string; role: MirrorRole }[];
  /** The signed list and its signature, on the request's host (placeholder origin until served). */
  listUrl: string;
  signatureUrl: string;
  /** The page that explains the list and how to verify it. */
  aboutUrl: string;
}

export function feedMirrors(site: SiteConfig): FeedMirrors {
  const { primary, mirrors, onion } = servingAddresses(site);
  return {
    addresses: [
      { url: primary, role: 'primary' },
      ...mirrors.map((url) => ({ url, role: 'mirror' as const })),
      ...(onion ? [{ url: onion, role: 'onion' as const }] : []),
    ],
    listUrl: `${ORIGIN_PLACEHOLDER}${MIRRORS_PATH}`,
    signatureUrl: `${ORIGIN_PLACEHOLDER}${MIRRORS_SIGNATURE_PATH}`,
    aboutUrl: `${ORIGIN_PLACEHOLDER}/about/mirrors`,
  };
}

/** `<mw:mirrors href=… signature=… about=…><mw:mirror href=… role=…/>…</mw:mirrors>`, for RSS and Atom. */
export function renderMirrorsXml(mirrors: FeedMirrors, indent: string): string {
  const m = MIRRORS_PREFIX;
  const attr = (value: string) => `"${escapeAttribute(value)}"`;
  return [
    `${indent}<${m}:mirrors href=${attr(mirrors.listUrl)} signature=${attr(mirrors.signatureUrl)} about=${attr(mirrors.aboutUrl)}>`,
    ...mirrors.addresses.map((a) => `${indent}  <${m}:mirror href=${attr(a.url)} role=${attr(a.role)}/>`),
    `${indent}</${m}:mirrors>`,
  ].join('\n');
}
