// The partner API's shapes, in zod/mini: the worker validates requests and decodes its stored
// records with them, publish builds its records as these types, and /api/v1/openapi.json is
// generated from them (openapi.ts), so the description cannot drift from the code.
import * as z from 'zod/mini';
import { TAG_MAX_BYTES, tagKeyBytes } from '../content/limits';

/** Where the OpenAPI generator finds names (components) and descriptions. */
export const API_REGISTRY = z.registry<{ id?: string; description?: string }>();

function describe<T extends z.ZodMiniType>(schema: T, description: string): T {
  API_REGISTRY.add(schema, { description });
  return schema;
}

function component<T extends z.ZodMiniType>(schema: T, id: string, description: string): T {
  API_REGISTRY.add(schema, { id, description });
  return schema;
}

export const LIMIT_DEFAULT = 20;
export const LIMIT_MAX = 100;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TOKEN = /^[A-Za-z0-9_-]{1,400}$/;

const dateTime = () => z.iso.datetime();
const absoluteUrl = (description: string) => describe(z.url(), description);

export const imageSchema = component(
  z.object({
    url: absoluteUrl('The image, on the host the request came through.'),
    alt: z.string(),
    caption: z.nullable(z.string()),
    credit: z.nullable(z.string()),
    width: z.nullable(z.int().check(z.positive())),
    height: z.nullable(z.int().check(z.positive())),
  }),
  'Image',
  "The article's lead image.",
);

const articleFields = {
  id: describe(z.int().check(z.positive()), 'Permanent identity: never reused.'),
  guid: describe(
    z.string(),
    'A tag: URI (RFC 4151) built from the primary domain: identical on every host, forever.',
  ),
  title: z.string(),
  summary: z.string(),
  url: absoluteUrl('The article page, on the host the request came through.'),
  canonical_url: absoluteUrl('The article page on the primary domain.'),
  section: describe(z.string(), 'Section slug (see /api/v1/sections).'),
  tags: z.array(z.string()),
  author: z.nullable(z.string()),
  image: z.nullable(imageSchema),
  published: dateTime(),
  updated: describe(z.nullable(dateTime()), 'Set when the article was corrected or updated.'),
};

export const articleSummarySchema = component(
  z.object(articleFields),
  'ArticleSummary',
  'An article as lists show it: everything but the body.',
);

export const correctionSchema = component(
  z.object({
    at: describe(dateTime(), 'When the correction was made; `updated` is at least the latest one.'),
    text: describe(z.string(), 'What was corrected, as the article page shows it: plain text.'),
  }),
  'Correction',
  'A correction to an article, shown under it on its page.',
);

export const articleSchema = component(
  z.object({
    ...articleFields,
    body_html: describe(
      z.string(),
      'Sanitised HTML; links and images are absolute URLs on the host the request came through.',
    ),
    // Absent rather than empty, so that adding the field did not restate every article in /changes.
    corrections: describe(
      z.optional(z.array(correctionSchema)),
      'Corrections, oldest first; absent when the article has none.',
    ),
  }),
  'Article',
  'A full article.',
);

export const sectionSchema = component(
  z.object({
    slug: z.string(),
    title: z.string(),
    parent: describe(z.nullable(z.string()), 'Slug of the parent section; its lists include this one.'),
    url: absoluteUrl('The section page, on the host the request came through.'),
  }),
  'Section',
  'A section of the site.',
);

const upsertSchema = z.object({
  seq: describe(z.int().check(z.positive()), 'Position in the change log: increases by one per entry.'),
  type: z.literal('upsert'),
  id: z.int().check(z.positive()),
  guid: z.string(),
  changed_at: describe(dateTime(), 'When the publish that made this change ran.'),
  article: articleSchema,
});

const removalSchema = z.object({
  seq: describe(z.int().check(z.positive()), 'Position in the change log: increases by one per entry.'),
  type: z.literal('removal'),
  id: z.int().check(z.positive()),
  guid: z.string(),
  removed_at: describe(dateTime(), 'When the publish that removed the article ran.'),
});

export const changeSchema = component(
  z.discriminatedUnion('type', [upsertSchema, removalSchema]),
  'Change',
  'An article published or changed (upsert, with the whole article), or removed (tombstone).',
);

export const webhookEventSchema = component(
  z.object({
    type: describe(
      z.enum(['article.upsert', 'article.removal']),
      'article.upsert: published or changed; article.removal: removed.',
    ),
    timestamp: describe(dateTime(), 'When the publish that made the change ran (changed_at or removed_at).'),
    data: changeSchema,
  }),
  'WebhookEvent',
  'A change-log entry pushed to a partner: the Standard Webhooks envelope around the entry /changes serves.',
);

export const articleListSchema = component(
  z.object({
    data: z.array(articleSummarySchema),
    next_cursor: describe(
      z.nullable(z.string()),
      'Pass as `cursor` for the next page; null on the last page. A page may hold fewer than `limit` items.',
    ),
  }),
  'ArticleList',
  'One page of articles, newest first.',
);

export const articleResponseSchema = component(
  z.object({ data: articleSchema }),
  'ArticleResponse',
  'One article.',
);

export const sectionListSchema = component(
  z.object({ data: z.array(sectionSchema) }),
  'SectionList',
  'Every section, in the order of the site navigation.',
);

export const changeListSchema = component(
  z.object({
    data: z.array(changeSchema),
    next_token: describe(z.string(), 'Pass as `since` next time: it resumes right after the last entry.'),
    has_more: describe(z.boolean(), 'True when more entries are waiting: ask again at once.'),
  }),
  'ChangeList',
  'Change log entries in publish order.',
);

export const errorSchema = component(
  z.object({
    error: z.object({
      code: describe(
        z.string(),
        'invalid_parameter, unauthorized, not_found, method_not_allowed, rate_limited, …',
      ),
      message: z.string(),
      parameter: describe(z.optional(z.string()), 'The request parameter that was wrong, for a 400.'),
    }),
  }),
  'Error',
  'Every error response.',
);

/** Query of GET /api/v1/articles. Unknown parameters are refused, so a typo is never silently ignored. */
export const listArticlesQuerySchema = z.strictObject({
  section: z.optional(
    describe(
      z.string().check(z.regex(SLUG, 'must be a section slug such as news (see /api/v1/sections)')),
      "Only this section's articles (a parent section includes its children).",
    ),
  ),
  tag: z.optional(
    describe(
      z.string().check(
        z.minLength(1, 'must not be empty'),
        z.maxLength(TAG_MAX_BYTES, `must be at most ${TAG_MAX_BYTES} characters`),
        // No stored tag is longer (content/limits.ts): a longer one could not name a list key.
        z.refine(
          (tag) => tagKeyBytes(tag) <= TAG_MAX_BYTES,
          `must be at most ${TAG_MAX_BYTES} bytes in UTF-8 once lower-cased`,
        ),
      ),
      `Only articles with this tag (case-insensitive; at most ${TAG_MAX_BYTES} bytes in UTF-8).`,
    ),
  ),
  updated_since: z.optional(
    describe(
      z.iso.datetime({
        offset: true,
        error: 'must be an RFC 3339 date-time such as 2022-01-18T14:05:00Z (encode + as %2B)',
      }),
      'Only articles published or updated at or after this time, most recently modified first.',
    ),
  ),
  limit: z.optional(
    describe(
      z.string().check(z.regex(/^(?:[1-9]\d?|100)$/, 'must be an integer from 1 to 100')),
      `Articles per page, 1 to ${LIMIT_MAX} (default ${LIMIT_DEFAULT}).`,
    ),
  ),
  cursor: z.optional(
    describe(
      z.string().check(z.regex(TOKEN, 'is not a cursor returned by this API')),
      'next_cursor of the previous page, with the same filters.',
    ),
  ),
});

/** Query of GET /api/v1/changes. */
export const changesQuerySchema = z.strictObject({
  since: z.optional(
    describe(
      z.string().check(z.regex(TOKEN, 'is not a token returned by this API')),
      'next_token of the previous response; omit it to read the log from the beginning.',
    ),
  ),
});

/** Path parameter of GET /api/v1/articles/{id}. */
export const articleIdSchema = describe(
  z.string().check(z.regex(/^[1-9]\d{0,15}$/, 'must be a positive integer')),
  'The article id.',
);

/** Stored: one bucket of an API list scope (api:v1:articles:{scope}:{bucket}). */
export const listBucketSchema = z
  .object({
    bucket: z.int().check(z.nonnegative()),
    /** True for the newest bucket: nothing is newer than its first item. */
    newest: z.boolean(),
    /**
     * Cut by position (every scope but `modified`): the position, from the oldest (0-based), of the
     * record's last, oldest item; 0 = the scope's oldest.
     */
    bottom: z.optional(z.int().check(z.nonnegative())),
    items: z.array(articleSummarySchema),
    /**
     * Cut by content (the `modified` scope, paging.ts cutByContent): where in `items` the bucket's
     * own run starts and ends (the rest are its neighbours' nearest), and the buckets either side;
     * null at the scope's ends.
     */
    own: z.optional(z.tuple([z.int().check(z.nonnegative()), z.int().check(z.nonnegative())])),
    older: z.optional(z.nullable(z.int().check(z.nonnegative()))),
    newer: z.optional(z.nullable(z.int().check(z.nonnegative()))),
  })
  .check(
    z.refine(
      (bucket) =>
        bucket.own === undefined
          ? bucket.bottom !== undefined && bucket.older === undefined && bucket.newer === undefined
          : bucket.bottom === undefined && bucket.older !== undefined && bucket.newer !== undefined,
      'a bucket is cut by position (`bottom`) or by content (`own`, `older` and `newer`), not both',
    ),
  );

/** Stored: the anchors of a scope cut by content (api:v1:articles:modified:anchors), oldest first. */
export const anchorListSchema = z.object({
  anchors: z.array(z.tuple([z.int().check(z.positive()), z.int()])),
});

/** Stored: one page of the change log (changes:v1:{page}), seq page*size+1 … (page+1)*size. */
export const changesPageSchema = z.object({
  page: z.int().check(z.nonnegative()),
  entries: z.array(changeSchema),
  /**
   * Set by `publish --repair` on a page that was unreadable: its entries are lost, so the API skips
   * past them, and the repair logs every live article again after the head.
   */
  lost: z.optional(z.literal(true)),
});

export type ApiArticle = z.output<typeof articleSchema>;
export type ApiCorrection = z.output<typeof correctionSchema>;
export type ApiArticleSummary = z.output<typeof articleSummarySchema>;
export type ApiSection = z.output<typeof sectionSchema>;
export type Change = z.output<typeof changeSchema>;
export type WebhookEvent = z.output<typeof webhookEventSchema>;
export type ArticleList = z.output<typeof articleListSchema>;
export type ChangeList = z.output<typeof changeListSchema>;
export type ListBucket = z.output<typeof listBucketSchema>;
export type ChangesPage = z.output<typeof changesPageSchema>;
export type ListArticlesQuery = z.output<typeof listArticlesQuerySchema>;
