// The home page, section pages and term pages (tags, authors): newest articles first, with
// pagination links, sharing tags and the page's schema.org description.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */

import { type SiteConfig, sectionTrail } from '../config/site-config';
import { canonicalUrl, sectionPath } from '../sites/urls';
import type { ListPage, ManifestSection } from '../storage/records';
import { type TermKind, termPath } from '../taxonomy/terms';
import { ArticleList } from './ArticleCard';
import { Breadcrumb } from './Breadcrumb';
import { publisherJsonLd } from './json-ld';
import { Layout } from './Layout';
import { listMetaTags } from './ListMeta';
import { Pagination } from './Pagination';

export function HomePage({
  site,
  sections,
  list,
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  list: ListPage;
}) {
  const website = {
    '@context': 'https://schema.org',
    '@type': 'WebSite',
    name: site.name,
    url: canonicalUrl(site, '/'),
    inLanguage: site.language,
    publisher: publisherJsonLd(site),
    potentialAction: {
      '@type': 'SearchAction',
      target: `${canonicalUrl(site, '/search')}?q={search_term_string}`,
      'query-input': 'required name=search_term_string',
    },
  };
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title: site.name,
        description: site.description,
        canonicalPath: '/',
        head: listMetaTags({
          site,
          title: site.name,
          description: site.description,
          path: '/',
          jsonLd: website,
        }),
      }}
    >
      <h1 class="page-title">Latest news</h1>
      <ArticleList cards={list.cards} label="Latest articles" />
    </Layout>
  );
}

export interface SectionPageProps {
  site: SiteConfig;
  sections: ManifestSection[];
  section: ManifestSection;
  list: ListPage;
}

/** schema.org CollectionPage: what a section, tag or author page is to a search engine. */
function collectionJsonLd(
  site: SiteConfig,
  type: 'CollectionPage' | 'ProfilePage',
  name: string,
  path: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': type,
    name,
    url: canonicalUrl(site, path),
    inLanguage: site.language,
    isPartOf: { '@type': 'WebSite', name: site.name, url: canonicalUrl(site, '/') },
    ...extra,
  };
}

export function SectionPage({ site, sections, section, list }: SectionPageProps) {
  const trail = sectionTrail(site, section.slug);
  const title = list.page > 1 ? `${section.title}, page ${list.page}` : section.title;
  const description = `${section.title}: the latest from ${site.name}.`;
  const path = sectionPath(section.slug, list.page);
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title,
        description,
        canonicalPath: path,
        activeSection: trail[0]?.slug,
        feeds: [{ title: `${site.name}: ${section.title}`, basePath: sectionPath(section.slug) }],
        head: listMetaTags({
          site,
          title,
          description,
          path,
          jsonLd: collectionJsonLd(site, 'CollectionPage', title, path),
        }),
      }}
    >
      {trail.length > 1 && (
        <Breadcrumb
          site={site}
          trail={trail.map((s) => ({ name: s.title, path: sectionPath(s.slug) }))}
          currentPath={sectionPath(section.slug)}
        />
      )}
      <h1 class="page-title">{title}</h1>
      {list.cards.length === 0 ? (
        <p>No articles in this section yet.</p>
      ) : (
        <ArticleList cards={list.cards} label={`Articles in ${section.title}`} />
      )}
      <Pagination page={list.page} pages={list.pages} pathOf={(page) => sectionPath(section.slug, page)} />
    </Layout>
  );
}

export interface TermPageProps {
  site: SiteConfig;
  sections: ManifestSection[];
  kind: TermKind;
  slug: string;
  name: string;
  list: ListPage;
}

/** A tag's page (topic) or an author's (byline): their articles, newest first, and their feeds. */
export function TermPage({ site, sections, kind, slug, name, list }: TermPageProps) {
  const title = list.page > 1 ? `${name}, page ${list.page}` : name;
  const description =
    kind === 'tag'
      ? `News and reports about ${name} from ${site.name}.`
      : `Articles by ${name} for ${site.name}.`;
  const path = termPath(kind, slug, list.page);
  const jsonLd =
    kind === 'tag'
      ? collectionJsonLd(site, 'CollectionPage', title, path, { about: { '@type': 'Thing', name } })
      : collectionJsonLd(site, 'ProfilePage', title, path, {
          mainEntity: { '@type': 'Person', name, url: canonicalUrl(site, termPath(kind, slug)) },
        });
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title,
        description,
        canonicalPath: path,
        feeds: [{ title: `${site.name}: ${name}`, basePath: termPath(kind, slug) }],
        head: listMetaTags({
          site,
          title,
          description,
          path,
          ogType: kind === 'author' ? 'profile' : 'website',
          jsonLd,
        }),
      }}
    >
      <p class="page-kicker">{kind === 'tag' ? 'Topic' : 'Author'}</p>
      <h1 class="page-title" dir="auto">
        {title}
      </h1>
      <ArticleList
        cards={list.cards}
        label={kind === 'tag' ? `Articles tagged ${name}` : `Articles by ${name}`}
      />
      <Pagination page={list.page} pages={list.pages} pathOf={(page) => termPath(kind, slug, page)} />
      <p class="term-feeds">
        Follow {kind === 'tag' ? 'this topic' : 'this author'}:{' '}
        <a href={`${termPath(kind, slug)}/rss.xml`}>RSS</a> ·{' '}
        <a href={`${termPath(kind, slug)}/atom.xml`}>Atom</a> ·{' '}
        <a href={`${termPath(kind, slug)}/feed.json`}>JSON Feed</a>
      </p>
    </Layout>
  );
}
