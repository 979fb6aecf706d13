// One article in a list: picture, headline link, date and summary.
import type { Teaser } from '../storage/records';
import { formatShortDate } from './format';
import { ResponsiveImage } from './ResponsiveImage';

/** site.css: a 7.5rem thumbnail on phones, a grid cell of about 24rem from 40rem on. */
const CARD_SIZES = '(min-width: 40rem) 24rem, 7.5rem';
/** The first card of a list spans two thirds of the 75rem page from 64rem on. */
const LEAD_CARD_SIZES = `(min-width: 64rem) 50rem, ${CARD_SIZES}`;

export function ArticleCard({
  article,
  headingLevel = 2,
  lead = false,
}: {
  article: Teaser;
  headingLevel?: 2 | 3;
  lead?: boolean;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article class="card">
      {article.image && (
        <ResponsiveImage
          class="card-image"
          image={article.image}
          alt=""
          sizes={lead ? LEAD_CARD_SIZES : CARD_SIZES}
          loading="lazy"
        />
      )}
      <div class="card-text">
        <Heading class="card-title" dir="auto">
          <a href={article.path}>{article.title}</a>
        </Heading>
        <p class="card-meta">
          <time datetime={article.published}>{formatShortDate(article.published)}</time>
        </p>
        <p class="card-summary" dir="auto">
          {article.summary}
        </p>
      </div>
    </article>
  );
}

export function ArticleList({ articles, label }: { articles: Teaser[]; label: string }) {
  return (
    <section class="article-list" aria-label={label}>
      {articles.map((article, index) => (
        <ArticleCard article={article} lead={index === 0} />
      ))}
    </section>
  );
}
