// What search engines and social networks read from an article page: schema.org NewsArticle
// JSON-LD, OpenGraph and Twitter card tags. Every URL is absolute on the primary domain, since a
// page's bytes are identical on every host and the canonical address is the one to share.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { SiteConfig } from '../config/site-config';
import { canonicalUrl } from '../sites/urls';
import type { Article } from '../storage/records';
import { termLinks } from '../taxonomy/terms';
import { LOGO } from './brand';
import { publisherJsonLd, serializeJsonLd } from './json-ld';

/** The schema.org NewsArticle Google reads for Top stories and article rich results. */
export function newsArticleJsonLd(site: SiteConfig, article: Article): Record<string, unknown> {
  const url = canonicalUrl(site, article.path);
  const authors = termLinks(article, 'author');
  return {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    url,
    headline: article.title,
    description: article.summary,
    ...(article.image && {
      image: [
        {
          '@type': 'ImageObject',
          url: canonicalUrl(site, article.image.src),
          ...(article.image.width && { width: article.image.width }),
          ...(article.image.height && { height: article.image.height }),
          ...(article.image.caption && { caption: article.image.caption }),
        },
      ],
    }),
    datePublished: article.published,
    dateModified: article.updated ?? article.published,
    // Without a byline the outlet itself is the author, as Google's guidelines allow.
    author:
      authors.length > 0
        ? authors.map((author) => ({
            '@type': 'Person',
            name: author.name,
            ...(author.path && { url: canonicalUrl(site, author.path) }),
          }))
        : [{ '@type': 'Organization', name: site.name, url: canonicalUrl(site, '/') }],
    publisher: publisherJsonLd(site),
    inLanguage: site.language,
    ...(article.tags.length > 0 && { keywords: article.tags.join(', ') }),
    // schema.org `correction`: each one a CorrectionComment, oldest first, as the page lists them.
    ...(article.corrections &&
      article.corrections.length > 0 && {
        correction: article.corrections.map((correction) => ({
          '@type': 'CorrectionComment',
          text: correction.text,
          datePublished: correction.at,
        })),
      }),
  };
}

export function ArticleMeta({
  site,
  article,
  sectionTitle,
}: {
  site: SiteConfig;
  article: Article;
  sectionTitle?: string;
}) {
  const url = canonicalUrl(site, article.path);
  const image = article.image
    ? { url: canonicalUrl(site, article.image.src), ...article.image }
    : { url: canonicalUrl(site, LOGO.path), alt: site.name, width: LOGO.width, height: LOGO.height };
  return (
    <>
      {/* A local preview of a draft must never be indexed, should it ever be reachable. */}
      <meta name="robots" content={article.draft ? 'noindex' : 'max-image-preview:large'} />
      <meta property="og:type" content="article" />
      <meta property="og:site_name" content={site.name} />
      <meta property="og:locale" content={site.language.replace('-', '_')} />
      <meta property="og:title" content={article.title} />
      <meta property="og:description" content={article.summary} />
      <meta property="og:url" content={url} />
      <meta property="og:image" content={image.url} />
      {image.width && <meta property="og:image:width" content={String(image.width)} />}
      {image.height && <meta property="og:image:height" content={String(image.height)} />}
      <meta property="og:image:alt" content={image.alt} />
      <meta property="article:published_time" content={article.published} />
      <meta property="article:modified_time" content={article.updated ?? article.published} />
      {sectionTitle && <meta property="article:section" content={sectionTitle} />}
      {article.tags.map((tag) => (
        <meta property="article:tag" content={tag} />
      ))}
      <meta name="twitter:card" content={article.image ? 'summary_large_image' : 'summary'} />
      <meta name="twitter:title" content={article.title} />
      <meta name="twitter:description" content={article.summary} />
      <meta name="twitter:image" content={image.url} />
      <meta name="twitter:image:alt" content={image.alt} />
      <script type="application/ld+json">{raw(serializeJsonLd(newsArticleJsonLd(site, article)))}</script>
    </>
  );
}
