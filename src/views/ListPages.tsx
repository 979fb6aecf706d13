// The home page and section pages: newest articles first, with pagination links.
import type { ListPage, ManifestSection } from '../articles/article';
import { type SiteConfig, sectionTrail } from '../sites/site-config';
import { sectionPath } from '../sites/urls';
import { ArticleList } from './ArticleCard';
import { BreadcrumbSeparator, Layout } from './Layout';

export function HomePage({
  site,
  sections,
  list,
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  list: ListPage;
}) {
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{ title: site.name, description: site.description, canonicalPath: '/' }}
    >
      <h1 class="page-title">Latest news</h1>
      <ArticleList articles={list.items} label="Latest articles" />
    </Layout>
  );
}

export interface SectionPageProps {
  site: SiteConfig;
  sections: ManifestSection[];
  section: ManifestSection;
  list: ListPage;
}

export function SectionPage({ site, sections, section, list }: SectionPageProps) {
  const trail = sectionTrail(site, section.slug);
  const title = list.page > 1 ? `${section.title}, page ${list.page}` : section.title;
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title,
        description: `${section.title}: the latest from ${site.name}.`,
        canonicalPath: sectionPath(section.slug, list.page),
        activeSection: trail[0]?.slug,
        feeds: [{ title: `${site.name}: ${section.title}`, basePath: sectionPath(section.slug) }],
      }}
    >
      {trail.length > 1 && (
        <nav aria-label="Breadcrumb" class="breadcrumb">
          <ol>
            {trail.map((s, i) => (
              <li>
                {i > 0 && <BreadcrumbSeparator />}
                <a href={sectionPath(s.slug)} aria-current={s.slug === section.slug ? 'page' : undefined}>
                  {s.title}
                </a>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <h1 class="page-title">{title}</h1>
      {list.items.length === 0 ? (
        <p>No articles in this section yet.</p>
      ) : (
        <ArticleList articles={list.items} label={`Articles in ${section.title}`} />
      )}
      {list.pages > 1 && (
        <nav class="pagination" aria-label="Pages">
          {list.page > 1 && (
            <a rel="prev" href={sectionPath(section.slug, list.page - 1)}>
              ← Newer
            </a>
          )}
          <span>
            Page {list.page} of {list.pages}
          </span>
          {list.page < list.pages && (
            <a rel="next" href={sectionPath(section.slug, list.page + 1)}>
              Older →
            </a>
          )}
        </nav>
      )}
    </Layout>
  );
}
