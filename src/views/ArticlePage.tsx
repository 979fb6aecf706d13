// The article page, as the outlet shows it: breadcrumb, headline, lead photo with caption and
// credit, date, body, share links, and more from the section.
import { raw } from 'hono/html';
import type { Article, ManifestSection } from '../articles/article';
import { type SiteConfig, sectionTrail } from '../sites/site-config';
import { canonicalUrl, sectionPath } from '../sites/urls';
import { ArticleCard } from './ArticleCard';
import { ArticleMeta } from './ArticleMeta';
import { formatDay, formatLongDate } from './format';
import { BreadcrumbSeparator, Layout } from './Layout';
import { ShareLinks } from './ShareLinks';

export interface ArticlePageProps {
  site: SiteConfig;
  sections: ManifestSection[];
  article: Article;
}

export function ArticlePage({ site, sections, article }: ArticlePageProps) {
  const trail = sectionTrail(site, article.section);
  const section = trail.at(-1);
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title: article.title,
        description: article.summary,
        canonicalPath: article.path,
        activeSection: trail[0]?.slug,
        head: <ArticleMeta site={site} article={article} sectionTitle={section?.title} />,
        feeds: section
          ? [{ title: `${site.name}: ${section.title}`, basePath: sectionPath(section.slug) }]
          : [],
      }}
    >
      <article class="story">
        {article.draft && (
          <p class="draft-banner" role="note">
            <strong>Draft — not published.</strong> This preview exists only on this computer.
          </p>
        )}
        <nav aria-label="Breadcrumb" class="breadcrumb">
          <ol>
            {trail.map((s, i) => (
              <li>
                {i > 0 && <BreadcrumbSeparator />}
                <a href={sectionPath(s.slug)}>{s.title}</a>
              </li>
            ))}
          </ol>
        </nav>
        <h1 class="headline" dir="auto">
          {article.title}
        </h1>
        <p class="dateline">
          <time datetime={article.published}>{formatLongDate(article.published)}</time>
          {article.updated && (
            <>
              {' '}
              <span class="updated">
                [Last update: <time datetime={article.updated}>{formatLongDate(article.updated)}</time>]
              </span>
            </>
          )}
          {article.author && <span class="byline"> By {article.author}</span>}
        </p>
        {article.image && (
          <figure class="lead-image">
            <img
              src={article.image.src}
              alt={article.image.alt}
              width={article.image.width}
              height={article.image.height}
              fetchpriority="high"
            />
            {(article.image.caption || article.image.credit) && (
              <figcaption dir="auto">
                {article.image.caption}
                {article.image.credit && <span class="credit"> ({article.image.credit})</span>}
              </figcaption>
            )}
          </figure>
        )}
        <div class="body" dir="auto">
          {raw(article.bodyHtml)}
        </div>
        {article.corrections && article.corrections.length > 0 && (
          <section class="corrections" aria-labelledby="corrections-title">
            <h2 id="corrections-title">Corrections</h2>
            {article.corrections.map((correction) => (
              <p class="correction" dir="auto">
                <strong>
                  Correction, <time datetime={correction.at}>{formatDay(correction.at)}</time>:
                </strong>{' '}
                {correction.text}
              </p>
            ))}
          </section>
        )}
        {article.tags.length > 0 && (
          <ul class="tags" aria-label="Tags">
            {article.tags.map((tag) => (
              <li dir="auto">{tag}</li>
            ))}
          </ul>
        )}
        <ShareLinks url={canonicalUrl(site, article.path)} title={article.title} />
      </article>
      {article.related.length > 0 && section && (
        <aside class="related" aria-labelledby="related-title">
          <h2 id="related-title">More from {section.title}</h2>
          {article.related.map((teaser) => (
            <ArticleCard article={teaser} headingLevel={3} />
          ))}
        </aside>
      )}
    </Layout>
  );
}
