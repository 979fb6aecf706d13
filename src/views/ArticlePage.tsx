// The article page, as the outlet shows it: breadcrumb, headline, lead photo with caption and
// credit, date and linked bylines, body, linked tags, share links, and more from the section.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import { type SiteConfig, sectionTrail } from '../config/site-config';
import { canonicalUrl, sectionPath } from '../sites/urls';
import type { Article, ArticlePageRecord, ManifestSection } from '../storage/records';
import { type TermLink, termLinks } from '../taxonomy/terms';
import { ArticleCard } from './ArticleCard';
import { ArticleMeta } from './ArticleMeta';
import { Breadcrumb } from './Breadcrumb';
import { formatDay, formatLongDate } from './format';
import { Layout, type PageMeta, renderPageParts } from './Layout';
import { ResponsiveImage } from './ResponsiveImage';
import { ShareLinks } from './ShareLinks';

/** site.css: the story column is 46rem wide, and the whole viewport below that. */
const LEAD_IMAGE_SIZES = '(min-width: 46rem) 46rem, 100vw';

export interface ArticlePageProps {
  site: SiteConfig;
  sections: ManifestSection[];
  article: Article;
}

/** The head of an article page: title, description, canonical, the section's feeds, sharing tags. */
export function articlePageMeta(site: SiteConfig, article: Article): PageMeta {
  const trail = sectionTrail(site, article.section);
  const section = trail.at(-1);
  return {
    title: article.title,
    description: article.summary,
    canonicalPath: article.path,
    activeSection: trail[0]?.slug,
    head: <ArticleMeta site={site} article={article} sectionTitle={section?.title} />,
    feeds: section ? [{ title: `${site.name}: ${section.title}`, basePath: sectionPath(section.slug) }] : [],
  };
}

/**
 * An article page as stored (`page:v1:article:{id}`), rendered once at publish time: only the
 * frame (navigation, footer) is added per manifest when it is served, by `assemblePage`.
 */
export function renderArticleRecord(site: SiteConfig, article: Article): ArticlePageRecord {
  const meta = articlePageMeta(site, article);
  const { head, headEnd, main } = renderPageParts(site, meta, <ArticleMain site={site} article={article} />);
  return {
    path: article.path,
    ...(meta.activeSection !== undefined && { activeSection: meta.activeSection }),
    head,
    headEnd,
    main,
  };
}

export function ArticlePage({ site, sections, article }: ArticlePageProps) {
  return (
    <Layout site={site} sections={sections} meta={articlePageMeta(site, article)}>
      <ArticleMain site={site} article={article} />
    </Layout>
  );
}

/** Everything inside <main>: the story and "more from the section". */
function ArticleMain({ site, article }: { site: SiteConfig; article: Article }) {
  const trail = sectionTrail(site, article.section);
  const section = trail.at(-1);
  const authors = termLinks(article, 'author');
  return (
    <>
      <article class="story">
        {article.draft && (
          <p class="draft-banner" role="note">
            <strong>Draft — not published.</strong> This preview exists only on this computer.
          </p>
        )}
        <Breadcrumb site={site} trail={trail.map((s) => ({ name: s.title, path: sectionPath(s.slug) }))} />
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
          {authors.length > 0 && (
            <span class="byline">
              {' By '}
              {authors.map((author, i) => (
                <>
                  {i > 0 && (i === authors.length - 1 ? ' and ' : ', ')}
                  <TermName link={author} rel="author" />
                </>
              ))}
            </span>
          )}
        </p>
        {article.image && (
          <figure class="lead-image">
            <ResponsiveImage
              image={article.image}
              alt={article.image.alt}
              sizes={LEAD_IMAGE_SIZES}
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
            {termLinks(article, 'tag').map((tag) => (
              <li dir="auto">
                <TermName link={tag} rel="tag" />
              </li>
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
    </>
  );
}

/** A tag or byline name, linked to its page when it has one (a name without letters or digits has none). */
function TermName({ link, rel }: { link: TermLink; rel: 'tag' | 'author' }) {
  return link.path ? (
    <a href={link.path} rel={rel}>
      {link.name}
    </a>
  ) : (
    link.name
  );
}
