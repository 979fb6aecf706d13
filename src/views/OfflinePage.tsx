// /offline: what the service worker (public/sw.js) shows for a page that cannot be reached and was
// never opened. Cached at install in the site's layout, so its footer lists the other addresses;
// the worker fills in the articles this reader can still open where the marker is.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { SiteConfig } from '../config/site-config';
import type { ManifestSection } from '../storage/records';
import { Layout } from './Layout';

export const OFFLINE_PAGE_PATH = '/offline';

/** Replaced by the service worker with one list item per article kept for offline reading. */
export const OFFLINE_ARTICLES_MARKER = '<!--offline-articles-->';

export function OfflinePage({ site, sections }: { site: SiteConfig; sections: ManifestSection[] }) {
  const title = 'This page cannot be reached';
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title,
        description: `${site.name} cannot be reached at this address right now.`,
        // Only for readers who lost the connection: no search engine should list it.
        head: <meta name="robots" content="noindex" />,
      }}
    >
      <article class="about-page offline-page">
        <h1 class="page-title">{title}</h1>
        <p>
          The network failed, or this address is blocked where you are. Try one of {site.name}'s other
          addresses, listed below. The articles you opened on this address are kept for reading offline:
        </p>
        <ul class="offline-articles">{raw(OFFLINE_ARTICLES_MARKER)}</ul>
        <p>
          <a href="/about/mirrors">How to check our addresses</a>
        </p>
      </article>
    </Layout>
  );
}
