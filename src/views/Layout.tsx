// The page frame every HTML page shares: head metadata, masthead with search and sections, and the
// footer with the outlet's alternate addresses. Links are root-relative: the same bytes on every host.
import type { Child } from 'hono/jsx';
import { type SiteConfig, servingHosts } from '../config/site-config';
import { FEED_FORMATS } from '../feeds/feed-formats';
import { MAX_QUERY_LENGTH } from '../search/query';
import { canonicalUrl, sectionPath } from '../sites/urls';
import type { ManifestSection } from '../storage/records';
import { LOGO } from './brand';

/** The one script every page loads: it registers the service worker, and pages work without it. */
export const OFFLINE_SCRIPT_PATH = '/assets/offline.js';

/**
 * The meta element that hands the site's public key (site.yaml `signing_key`) to the offline reader:
 * the registration script passes it to the service worker, which pins the first key it is given and
 * caches only a mirror list signed with it.
 */
export const SIGNING_KEY_META = 'mirrorwire-signing-key';

export interface PageMeta {
  title: string;
  description: string;
  /** Root-relative path of the page's canonical URL (on the primary). */
  canonicalPath?: string;
  /** Feeds to advertise for autodiscovery, besides the site's own. */
  feeds?: { title: string; basePath: string }[];
  /** Extra head elements: OpenGraph, JSON-LD. */
  head?: Child;
  /** The section the page belongs to, highlighted in the navigation. */
  activeSection?: string;
  /** The search results page shows its query in the search box. */
  searchQuery?: string;
}

export interface LayoutProps {
  site: SiteConfig;
  sections: ManifestSection[];
  meta: PageMeta;
  children: Child;
}

function FeedLinks({ title, basePath }: { title: string; basePath: string }) {
  return (
    <>
      {Object.values(FEED_FORMATS).map((format) => (
        <link
          rel="alternate"
          type={format.mediaType}
          title={`${title} (${format.label})`}
          href={`${basePath}/${format.file}`}
        />
      ))}
    </>
  );
}

export function Layout({ site, sections, meta, children }: LayoutProps) {
  const pageTitle = meta.title === site.name ? site.name : `${meta.title} | ${site.name}`;
  const topSections = sections.filter((s) => s.parent === undefined);
  return (
    <html lang={site.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{pageTitle}</title>
        <meta name="description" content={meta.description} />
        {meta.canonicalPath !== undefined && (
          <link rel="canonical" href={canonicalUrl(site, meta.canonicalPath)} />
        )}
        <link rel="stylesheet" href="/assets/site.css" />
        <link rel="icon" href="/images/favicon.svg" type="image/svg+xml" />
        {site.signing_key !== undefined && <meta name={SIGNING_KEY_META} content={site.signing_key} />}
        {/* Registers the offline reader (public/sw.js); a same-origin file, as the CSP allows no inline script. */}
        <script src={OFFLINE_SCRIPT_PATH} defer></script>
        <FeedLinks title={site.name} basePath="" />
        {meta.feeds?.map((feed) => (
          <FeedLinks title={feed.title} basePath={feed.basePath} />
        ))}
        {meta.head}
      </head>
      <body>
        <a class="skip-link" href="#content">
          Skip to content
        </a>
        <header class="masthead">
          <div class="wrap masthead-top">
            <a class="brand" href="/">
              <img src={LOGO.path} alt={site.name} width={LOGO.width} height={LOGO.height} />
            </a>
            <SearchForm query={meta.searchQuery} />
          </div>
          <nav class="sections-nav" aria-label="Sections">
            <div class="wrap">
              <ul>
                {topSections.map((section) => (
                  <li>
                    <a
                      href={sectionPath(section.slug)}
                      aria-current={meta.activeSection === section.slug ? 'page' : undefined}
                    >
                      {section.title}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          </nav>
        </header>
        <main id="content" class="wrap">
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <AlternateAddresses site={site} />
            <p class="addresses-check">
              <a href="/about/mirrors">How to check these addresses</a>
            </p>
            <p class="feeds-line">
              Follow us: <a href="/rss.xml">RSS</a> · <a href="/atom.xml">Atom</a> ·{' '}
              <a href="/feed.json">JSON Feed</a> · <a href="/feeds.opml">All feeds (OPML)</a>
            </p>
            <p class="copyright">© {site.name}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/**
 * Search on every page: a plain GET form to this host's /search, so it works with scripts off and
 * never leaves the host the reader is on.
 */
function SearchForm({ query }: { query: string | undefined }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: the contract names form[role=search]; the <search> element is too new for the browsers mirror readers use.
    <form class="search-form" role="search" action="/search" method="get">
      <label class="visually-hidden" for="search-q">
        Search articles
      </label>
      <input
        id="search-q"
        type="search"
        name="q"
        value={query}
        required
        maxlength={MAX_QUERY_LENGTH}
        placeholder="Search"
        dir="auto"
        autocomplete="off"
      />
      <button type="submit">Search</button>
    </form>
  );
}

/**
 * The outlet's notice: every host that serves the site, so readers can switch when one is blocked.
 * On the offline page the service worker (public/sw.js) replaces this section's list with the
 * addresses of the last verified mirror list: keep the class name and the single <ul>.
 */
function AlternateAddresses({ site }: { site: SiteConfig }) {
  return (
    <section class="alternate-addresses" aria-labelledby="alternate-addresses-title">
      <h2 id="alternate-addresses-title">
        {site.name}'s website can also be accessed at the following alternate addresses:
      </h2>
      <ul>
        {servingHosts(site).map((host) => (
          <li>
            <a href={`https://${host}/`} rel="nofollow">
              {host}
            </a>
          </li>
        ))}
        {site.onion && (
          <li>
            <a href={`http://${site.onion}/`} rel="nofollow">
              {site.onion}
            </a>{' '}
            (Tor)
          </li>
        )}
      </ul>
    </section>
  );
}

/** The slash between breadcrumb items: visible text, hidden from screen readers (the list says it). */
export function BreadcrumbSeparator() {
  return (
    <span class="breadcrumb-separator" aria-hidden="true">
      {' / '}
    </span>
  );
}
