// One article in a list: picture, headline link, date and summary.
import type { Teaser } from '../storage/records';
import { formatShortDate } from './format';

export function ArticleCard({ article, headingLevel = 2 }: { article: Teaser; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article class="card">
      {article.image && (
        <img
          class="card-image"
          src={article.image.src}
          alt=""
          width={article.image.width}
          height={article.image.height}
          loading="lazy"
          decoding="async"
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
      {articles.map((article) => (
        <ArticleCard article={article} />
      ))}
    </section>
  );
}
