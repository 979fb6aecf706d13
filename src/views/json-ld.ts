// JSON-LD for <script type="application/ld+json">. Script content is raw text to the HTML
// parser, so "</script>" in a headline would end the element: every character that can start
// markup is written as a JSON escape instead, which parses back to the same string.
import type { SiteConfig } from '../config/site-config';
import { canonicalUrl } from '../sites/urls';
import { LOGO } from './brand';

const UNSAFE_IN_SCRIPT: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

export function serializeJsonLd(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => UNSAFE_IN_SCRIPT[ch] ?? ch);
}

/** The outlet as schema.org knows it: the publisher of every page. */
export function publisherJsonLd(site: SiteConfig): Record<string, unknown> {
  return {
    '@type': 'NewsMediaOrganization',
    name: site.name,
    url: canonicalUrl(site, '/'),
    logo: {
      '@type': 'ImageObject',
      url: canonicalUrl(site, LOGO.path),
      width: LOGO.width,
      height: LOGO.height,
    },
  };
}
