// The OpenAPI 3.1 description of /api/v1, generated from the zod/mini schemas the worker
// validates and decodes with (schemas.ts): the document cannot drift from the code. It runs at
// publish time (indexes/api-records.ts), which keeps zod's JSON Schema generator (~11 KiB gzipped)
// out of the worker bundle.
import * as z from 'zod/mini';
import { ORIGIN_PLACEHOLDER } from '../sites/origin-placeholder';
import { RATE_LIMIT_PERIOD_SECONDS, RATE_LIMIT_REQUESTS } from './rate-limit';
import { API_REGISTRY, articleIdSchema, changesQuerySchema, listArticlesQuerySchema } from './schemas';

type JsonSchema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Components keep their ids as $ref targets; $schema and $id are implied by OpenAPI 3.1. */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(API_REGISTRY, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
    components[id] = rest;
  }
  return components;
}

function parameterSchema(schema: z.core.$ZodType): { schema: JsonSchema; description?: string } {
  const {
    $schema: _schema,
    description,
    ...rest
  } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    metadata: API_REGISTRY,
  }) as JsonSchema;
  return { schema: rest, ...(typeof description === 'string' && { description }) };
}

function queryParameters(schema: z.ZodMiniObject): JsonSchema[] {
  return Object.entries(schema.def.shape).map(([name, field]) => {
    const inner = field instanceof z.ZodMiniOptional ? field.def.innerType : field;
    return { name, in: 'query', required: !(field instanceof z.ZodMiniOptional), ...parameterSchema(inner) };
  });
}

const errorResponse = (description: string, headers: JsonSchema = {}) => ({
  description,
  headers,
  content: { 'application/json': { schema: ref('Error') } },
});

const headerOf = (description: string) => ({ description, schema: { type: 'string' } });

const COMMON_HEADERS = {
  ETag: headerOf('Strong validator: send it back in If-None-Match to get a 304.'),
  'Cache-Control': headerOf('How long the response may be reused.'),
  'RateLimit-Policy': headerOf('The quota: requests per window.'),
};

function okResponse(description: string, schema: string, extraHeaders: JsonSchema = {}) {
  return {
    description,
    headers: { ...COMMON_HEADERS, ...extraHeaders },
    content: { 'application/json': { schema: ref(schema) } },
  };
}

const ERRORS = {
  '400': errorResponse('A parameter is wrong: error.parameter names it.'),
  '401': errorResponse('A partner key is needed, or the one sent is not valid.', {
    'WWW-Authenticate': headerOf('Bearer challenge (RFC 6750).'),
  }),
  '404': errorResponse('No such article (or nothing at this path).'),
  '429': errorResponse('Too many requests.', {
    'Retry-After': headerOf('Seconds to wait.'),
    RateLimit: headerOf('Remaining quota and seconds until it resets.'),
  }),
};

/** Operations are grouped for generated clients and documentation; each tag is described below. */
const TAGS = [
  { name: 'Articles', description: 'Published articles, one page or one article at a time.' },
  { name: 'Sections', description: 'The sections of the site.' },
  { name: 'Changes', description: 'The change log, for keeping an exact copy.' },
  { name: 'Description', description: 'This OpenAPI document.' },
  {
    name: 'Webhooks',
    description:
      'Pushed to partners that registered a URL: each change-log entry, signed per Standard Webhooks. ' +
      'See docs/api.md, "Webhooks".',
  },
];

interface OperationInfo {
  operationId: string;
  tag: string;
  summary: string;
  description: string;
}

function operation(
  info: OperationInfo,
  parameters: JsonSchema[],
  ok: JsonSchema,
  moreErrors: JsonSchema = {},
) {
  const { operationId, tag, summary, description } = info;
  return {
    get: {
      operationId,
      tags: [tag],
      summary,
      description,
      parameters,
      responses: {
        '200': ok,
        '304': { description: 'Not modified (If-None-Match matched).' },
        ...ERRORS,
        ...moreErrors,
      },
    },
  };
}

const WEBHOOK_HEADERS = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description:
      'The delivery id, `{seq}:{partner}`: the same on every retry and replay. Ignore an id you have processed.',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'When this attempt was signed, in Unix seconds. Refuse one more than 5 minutes off.',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      '`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the ' +
      'base64-decoded part of your `whsec_` secret (Standard Webhooks).',
    schema: { type: 'string' },
  },
];

function webhook(operationId: string, summary: string, description: string) {
  return {
    post: {
      operationId,
      tags: ['Webhooks'],
      summary,
      description:
        `${description} Signed per Standard Webhooks; verify before use. Answer 2xx within 10 seconds ` +
        'to accept; anything else (or no answer) is retried with growing delays, for about six hours.',
      parameters: WEBHOOK_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookEvent') } } },
      responses: {
        '204': { description: 'Accepted (any 2xx is).' },
        '4XX': { description: 'Not accepted (a bad signature, say): delivered again later.' },
        '5XX': { description: 'Not accepted: delivered again later.' },
      },
    },
  };
}

/** `outlet` (site.yaml `name`) is the contact; its URL is the host the document is served on. */
function buildDocument(outlet: string): JsonSchema {
  const linkHeader = { Link: headerOf('`<…>; rel="next"`: the next page, absolute, when there is one.') };
  return {
    openapi: '3.1.0',
    info: {
      title: 'mirrorwire partner API',
      version: '1.0.0',
      description:
        'Articles as JSON for partner sites. Keep an exact copy with /changes; see docs/api.md. ' +
        `Rate limit: ${RATE_LIMIT_REQUESTS} requests every ${RATE_LIMIT_PERIOD_SECONDS} seconds per key ` +
        '(per client address while the API is open).',
      contact: { name: outlet, url: `${ORIGIN_PLACEHOLDER}/` },
      // The articles are the outlet's: partners republish them under their agreement, not an open licence.
      license: {
        name: `Proprietary: republication under a partner agreement with ${outlet}`,
        identifier: 'LicenseRef-Proprietary',
      },
    },
    tags: TAGS,
    servers: [{ url: `${ORIGIN_PLACEHOLDER}/api/v1` }],
    security: [{ partnerKey: [] }, {}],
    paths: {
      '/articles': operation(
        {
          operationId: 'listArticles',
          tag: 'Articles',
          summary: 'List articles, newest first',
          description:
            'Keyset pagination: follow next_cursor (or the Link header) until it is null. Pages stay ' +
            'consistent while new articles are published. With updated_since, the order is by last ' +
            'modification, most recent first.',
        },
        queryParameters(listArticlesQuerySchema),
        okResponse('A page of articles.', 'ArticleList', linkHeader),
      ),
      '/articles/{id}': operation(
        {
          operationId: 'getArticle',
          tag: 'Articles',
          summary: 'One article',
          description: 'The full article, body included.',
        },
        [{ name: 'id', in: 'path', required: true, ...parameterSchema(articleIdSchema) }],
        okResponse('The article.', 'ArticleResponse'),
        {
          '410': errorResponse(
            'The article was removed for good (error.code `gone`; the message says when, and why when given). Its id is never reused.',
          ),
        },
      ),
      '/sections': operation(
        {
          operationId: 'listSections',
          tag: 'Sections',
          summary: 'Every section',
          description: 'Sections in navigation order; a child names its parent.',
        },
        [],
        okResponse('The sections.', 'SectionList'),
      ),
      '/changes': operation(
        {
          operationId: 'listChanges',
          tag: 'Changes',
          summary: 'The change log',
          description:
            'Every article published, changed or removed, in publish order. Start without `since`, ' +
            'apply the entries in order, keep next_token, and ask again while has_more is true.',
        },
        queryParameters(changesQuerySchema),
        okResponse('Entries after `since`.', 'ChangeList', linkHeader),
      ),
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['Description'],
          summary: 'This document',
          description: 'The OpenAPI 3.1 description of this API; public even when partner keys are required.',
          security: [{}],
          responses: {
            '200': { description: 'OpenAPI 3.1.', content: { 'application/json': {} } },
            '429': ERRORS['429'],
          },
        },
      },
    },
    webhooks: {
      'article.upsert': webhook(
        'articleUpsert',
        'An article was published or changed',
        'The change-log entry of type upsert, with the whole article.',
      ),
      'article.removal': webhook(
        'articleRemoval',
        'An article was removed',
        'The change-log entry of type removal (a tombstone). Sent to every partner, whatever its filter.',
      ),
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        partnerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A partner key, when the API requires one: Authorization: Bearer <key>.',
        },
      },
    },
  };
}

/** The document as JSON, with ORIGIN_PLACEHOLDER in `servers`. */
export function openApiDocument(outlet: string): string {
  return JSON.stringify(buildDocument(outlet));
}
