// The one breadcrumb of every page that has one (News / Russia): the visible trail and, built from
// the same items, its schema.org BreadcrumbList, so what search engines show is what readers see.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { SiteConfig } from '../config/site-config';
import { canonicalUrl } from '../sites/urls';
import { serializeJsonLd } from './json-ld';
import { BreadcrumbSeparator } from './Layout';

export interface Crumb {
  name: string;
  /** Root-relative path of the crumb's page. */
  path: string;
}

/** schema.org BreadcrumbList: positions from 1, each item on the canonical (primary) host. */
export function breadcrumbJsonLd(site: SiteConfig, trail: readonly Crumb[]): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'BreadcrumbList',
    itemListElement: trail.map((crumb, i) => ({
      '@type': 'ListItem',
      position: i + 1,
      name: crumb.name,
      item: canonicalUrl(site, crumb.path),
    })),
  };
}

/** `currentPath`: the crumb that is this page, marked for assistive technology. */
export function Breadcrumb({
  site,
  trail,
  currentPath,
}: {
  site: SiteConfig;
  trail: readonly Crumb[];
  currentPath?: string;
}) {
  if (trail.length === 0) return null;
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          {trail.map((crumb, i) => (
            <li>
              {i > 0 && <BreadcrumbSeparator />}
              <a href={crumb.path} aria-current={crumb.path === currentPath ? 'page' : undefined}>
                {crumb.name}
              </a>
            </li>
          ))}
        </ol>
      </nav>
      <script type="application/ld+json">{raw(serializeJsonLd(breadcrumbJsonLd(site, trail)))}</script>
    </>
  );
}
