// The page frame every HTML page shares: head metadata, masthead with search and sections, and the
// footer with the outlet's alternate addresses. Links are root-relative: the same bytes on every host.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { type SiteConfig, servingHosts } from '../config/site-config';
import { FEED_FORMATS } from '../feeds/feed-formats';
import { MAX_QUERY_LENGTH } from '../search/query';
import { canonicalUrl, sectionPath } from '../sites/urls';
import type { ManifestSection } from '../storage/records';
import { LOGO } from './brand';
import { escapeHtml, voidTag } from './head-tags';

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

/** Autodiscovery links for a set of feeds, one per format (head-tags.ts: JSX's bytes, not its cost). */
function feedLinkTags(title: string, basePath: string): string {
  return Object.values(FEED_FORMATS)
    .map((format) =>
      voidTag('link', {
        rel: 'alternate',
        type: format.mediaType,
        title: `${title} (${format.label})`,
        href: `${basePath}/${format.file}`,
      }),
    )
    .join('');
}

/** The page's own parts, as HTML, in the order the frame places them (see `assemblePage`). */
export interface PageParts {
  /** `<title>`, the description and the canonical link: before the shared head elements. */
  head: string;
  /** The page's own feeds and metadata (OpenGraph, JSON-LD): after the site's feed links. */
  headEnd: string;
  /** Everything inside `<main>`. */
  main: string;
}

/** A component tree as a string. The views are synchronous; an async one here would be a bug. */
function renderSync(node: Child): string {
  // biome-ignore lint/complexity/noUselessFragments: the fragment is what renders a bare string child escaped.
  const text: unknown = (<>{node}</>).toString();
  if (typeof text !== 'string') throw new Error('a view rendered asynchronously');
  return text;
}

/**
 * A page's own parts: what the publish step stores for an article page, and what Layout renders
 * for every other page. Everything here is escaped by the JSX renderer like any view.
 */
export function renderPageParts(site: SiteConfig, meta: PageMeta, main: Child): PageParts {
  const pageTitle = meta.title === site.name ? site.name : `${meta.title} | ${site.name}`;
  return {
    head:
      `<title>${escapeHtml(pageTitle)}</title>` +
      voidTag('meta', { name: 'description', content: meta.description }) +
      (meta.canonicalPath === undefined
        ? ''
        : voidTag('link', { rel: 'canonical', href: canonicalUrl(site, meta.canonicalPath) })),
    headEnd:
      (meta.feeds ?? []).map((feed) => feedLinkTags(feed.title, feed.basePath)).join('') +
      (meta.head === undefined ? '' : renderSync(meta.head)),
    main: renderSync(main),
  };
}

/**
 * What every page shares around its parts, in four pieces: the document up to the page's title,
 * the shared head elements, from `</head>` to `<main>` (masthead, navigation), and from `</main>`
 * to the end (footer with the alternate addresses). It depends on the manifest alone (site
 * configuration and sections) and the highlighted section, so it is rendered once per isolate
 * and manifest, not per request.
 */
export type LayoutFrame = readonly [string, string, string, string];

/** Where a page part goes while the frame is rendered: markup no escaped text can spell. */
const SLOT = '<!--mirrorwire:page-part-->';

function renderFrame(
  site: SiteConfig,
  sections: readonly ManifestSection[],
  activeSection: string | undefined,
  searchQuery: string | undefined,
): LayoutFrame {
  const slot = raw(SLOT);
  const pieces = renderSync(
    <LayoutDocument
      site={site}
      sections={sections}
      activeSection={activeSection}
      searchQuery={searchQuery}
      head={slot}
      headEnd={slot}
      main={slot}
    />,
  ).split(SLOT);
  const [beforeTitle, sharedHead, masthead, footer, ...extra] = pieces;
  if (footer === undefined || extra.length > 0) throw new Error('the layout lost a page part');
  return [beforeTitle ?? '', sharedHead ?? '', masthead ?? '', footer];
}

/**
 * Frames per manifest (its sections array and site object, which the isolate memoises together),
 * one per highlighted section: a handful of strings, dropped with the manifest.
 */
const frames = new WeakMap<
  readonly ManifestSection[],
  { site: SiteConfig; byActive: Map<string, LayoutFrame> }
>();

/** The frame for these sections and site, rendered on first use and kept while the manifest is. */
export function layoutFrame(
  site: SiteConfig,
  sections: readonly ManifestSection[],
  activeSection?: string,
): LayoutFrame {
  let cached = frames.get(sections);
  if (cached?.site !== site) {
    cached = { site, byActive: new Map() };
    frames.set(sections, cached);
  }
  const key = activeSection ?? '';
  let frame = cached.byActive.get(key);
  if (frame === undefined) {
    frame = renderFrame(site, sections, activeSection, undefined);
    cached.byActive.set(key, frame);
  }
  return frame;
}

/** The document (doctype excluded): the frame with the page's parts in their places. */
export function assemblePage(frame: LayoutFrame, parts: PageParts): string {
  return frame[0] + parts.head + frame[1] + parts.headEnd + frame[2] + parts.main + frame[3];
}

export function Layout({ site, sections, meta, children }: LayoutProps) {
  // A search page's box shows the reader's query: that frame is the request's own, never kept.
  const frame =
    meta.searchQuery === undefined
      ? layoutFrame(site, sections, meta.activeSection)
      : renderFrame(site, sections, meta.activeSection, meta.searchQuery);
  return raw(assemblePage(frame, renderPageParts(site, meta, children)));
}

interface LayoutDocumentProps {
  site: SiteConfig;
  sections: readonly ManifestSection[];
  activeSection: string | undefined;
  searchQuery: string | undefined;
  head: Child;
  headEnd: Child;
  main: Child;
}

function LayoutDocument({
  site,
  sections,
  activeSection,
  searchQuery,
  head,
  headEnd,
  main,
}: LayoutDocumentProps) {
  const topSections = sections.filter((s) => s.parent === undefined);
  return (
    <html lang={site.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {head}
        <link rel="stylesheet" href="/assets/site.css" />
        <link rel="icon" href="/images/favicon.svg" type="image/svg+xml" />
        {site.signing_key !== undefined && <meta name={SIGNING_KEY_META} content={site.signing_key} />}
        {/* Registers the offline reader (public/sw.js); a same-origin file, as the CSP allows no inline script. */}
        <script src={OFFLINE_SCRIPT_PATH} defer></script>
        {raw(feedLinkTags(site.name, ''))}
        {headEnd}
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
            <SearchForm query={searchQuery} />
          </div>
          <nav class="sections-nav" aria-label="Sections">
            <div class="wrap">
              <ul>
                {topSections.map((section) => (
                  <li>
                    <a
                      href={sectionPath(section.slug)}
                      aria-current={activeSection === section.slug ? 'page' : undefined}
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
          {main}
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
