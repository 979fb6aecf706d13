// What social networks and search engines read from a list page (home, section, tag, author):
// OpenGraph and Twitter card tags, and the page's schema.org type as JSON-LD. URLs are absolute on
// the primary, like the canonical link: a page's bytes are the same on every host.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SiteConfig } from '../config/site-config';
import { canonicalUrl } from '../sites/urls';
import { LOGO } from './brand';
import { voidTag } from './head-tags';
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

/** The tags as markup (head-tags.ts): the same bytes as JSX would write, without its per-tag cost. */
export function listMetaTags({
  site,
  title,
  description,
  path,
  ogType = 'website',
  jsonLd,
}: ListMetaProps): HtmlEscapedString {
  const url = canonicalUrl(site, path);
  const image = canonicalUrl(site, LOGO.path);
  const property = (name: string, content: string) => voidTag('meta', { property: name, content });
  const named = (name: string, content: string) => voidTag('meta', { name, content });
  return raw(
    property('og:type', ogType) +
      property('og:site_name', site.name) +
      property('og:locale', site.language.replace('-', '_')) +
      property('og:title', title) +
      property('og:description', description) +
      property('og:url', url) +
      property('og:image', image) +
      property('og:image:width', String(LOGO.width)) +
      property('og:image:height', String(LOGO.height)) +
      property('og:image:alt', site.name) +
      named('twitter:card', 'summary') +
      named('twitter:title', title) +
      named('twitter:description', description) +
      named('twitter:image', image) +
      named('twitter:image:alt', site.name) +
      // JSON-LD is script text: serializeJsonLd writes every character that could end it as an escape.
      (jsonLd ? `<script type="application/ld+json">${serializeJsonLd(jsonLd)}</script>` : ''),
  );
}
