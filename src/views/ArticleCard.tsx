// One article in a list: picture, headline link, date and summary.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
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

/**
 * One card as stored in a list record (`list:v3:`): rendered once at publish time, in the form any
 * card but a list's first has. The first is `leadCard` of it.
 */
export function renderCard(article: Teaser): string {
  const text: unknown = (<ArticleCard article={article} />).toString();
  if (typeof text !== 'string') throw new Error('a card rendered asynchronously');
  return text;
}

// The attribute as the renderer writes it: the sizes have no character it escapes, and any text
// or attribute value it escapes has its quotes escaped, so nothing else in a card can spell it.
const CARD_SIZES_ATTRIBUTE = ` sizes="${CARD_SIZES}"`;
const LEAD_SIZES_ATTRIBUTE = ` sizes="${LEAD_CARD_SIZES}"`;

/** A stored card as a list's first: the same bytes as rendering it with `lead`. */
export function leadCard(card: string): string {
  return card.replaceAll(CARD_SIZES_ATTRIBUTE, LEAD_SIZES_ATTRIBUTE);
}

/** A list of stored cards (`renderCard`), the first one laid out as the lead. */
export function ArticleList({ cards, label }: { cards: readonly string[]; label: string }) {
  return (
    <section class="article-list" aria-label={label}>
      {cards.map((card, index) => raw(index === 0 ? leadCard(card) : card))}
    </section>
  );
}
