// What social networks and search engines read from a list page (home, section, tag, author):
// OpenGraph and Twitter card tags, and the page's schema.org type as JSON-LD. URLs are absolute on
// the primary, like the canonical link: a page's bytes are the same on every host.
import { raw } from 'hono/html';
import type { SiteConfig } from '../config/site-config';
import { canonicalUrl } from '../sites/urls';
import { LOGO } from './brand';
import { serializeJsonLd } from './json-ld';

export interface ListMetaProps {
  site: SiteConfig;
  title: string;
  description: string;
  /** Root-relative canonical path. */
  path: string;
  /** OpenGraph type: `profile` for an author's page. */
  ogType?: 'website' | 'profile';
  /** The page's own JSON-LD (CollectionPage, ProfilePage); omitted for the home page's WebSite. */
  jsonLd?: Record<string, unknown>;
}

export function ListMeta({ site, title, description, path, ogType = 'website', jsonLd }: ListMetaProps) {
  const url = canonicalUrl(site, path);
  const image = canonicalUrl(site, LOGO.path);
  return (
    <>
      <meta property="og:type" content={ogType} />
      <meta property="og:site_name" content={site.name} />
      <meta property="og:locale" content={site.language.replace('-', '_')} />
      <meta property="og:title" content={title} />
      <meta property="og:description" content={description} />
      <meta property="og:url" content={url} />
      <meta property="og:image" content={image} />
      <meta property="og:image:width" content={String(LOGO.width)} />
      <meta property="og:image:height" content={String(LOGO.height)} />
      <meta property="og:image:alt" content={site.name} />
      <meta name="twitter:card" content="summary" />
      <meta name="twitter:title" content={title} />
      <meta name="twitter:description" content={description} />
      <meta name="twitter:image" content={image} />
      <meta name="twitter:image:alt" content={site.name} />
      {jsonLd && <script type="application/ld+json">{raw(serializeJsonLd(jsonLd))}</script>}
    </>
  );
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
