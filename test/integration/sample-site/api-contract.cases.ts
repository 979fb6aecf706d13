// Contract tests: load the published OpenAPI document and check real responses of every route,
// successes and errors, against the schemas it declares.
import { type Schema, Validator } from '@cfworker/json-schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { publishSample } from '../../support/publish';
import { getWithEnv, MIRROR, PRIMARY, partnerAt } from '../../support/request';

const call = partnerAt('198.51.100.10');

interface Operation {
  parameters?: { name: string; in: string; required: boolean }[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApiDocument {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, { get: Operation }>;
  components: { schemas: Record<string, Schema> };
}

let document: OpenApiDocument;

beforeAll(async () => {
  await publishSample();
  const response = await call(MIRROR, '/api/v1/openapi.json');
  expect(response.status).toBe(200);
  document = await response.json();
});

/** Validates `response` against the schema the document declares for `template` and its status. */
async function expectConforming(template: string, response: Response): Promise<unknown> {
  const operation = document.paths[template]?.get;
  const declared = operation?.responses[String(response.status)]?.content?.['application/json']?.schema;
  if (!declared) throw new Error(`${template} declares no JSON body for ${response.status}`);
  expect(response.headers.get('Content-Type')).toBe('application/json; charset=UTF-8');
  const body: unknown = await response.json();
  // The whole document is the root, so #/components/schemas/… references resolve inside it.
  const root = { ...document, ...declared } as unknown as Schema;
  const result = new Validator(root, '2020-12', false).validate(body);
  expect(result.errors, JSON.stringify(result.errors.slice(0, 3))).toEqual([]);
  return body;
}

async function walk(path: string): Promise<{ id: number }[]> {
  const items: { id: number }[] = [];
  let url: string | null = path;
  while (url) {
    const response = await call(MIRROR, url);
    expect(response.status).toBe(200);
    const body = (await expectConforming('/articles', response)) as {
      data: { id: number }[];
      next_cursor: string | null;
    };
    items.push(...body.data);
    const target = /(?:^|, )<([^>]+)>; rel="next"/.exec(response.headers.get('Link') ?? '')?.[1];
    expect(target === undefined).toBe(body.next_cursor === null);
    const next = target ? new URL(target) : null;
    if (next) expect(next.host).toBe(MIRROR);
    url = next && `${next.pathname}${next.search}`;
  }
  return items;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with its server on the host the request came through', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: `https://${MIRROR}/api/v1` }]);
    expect(Object.keys(document.paths).sort()).toEqual([
      '/articles',
      '/articles/{id}',
      '/changes',
      '/openapi.json',
      '/sections',
    ]);
  });

  it('documents exactly the parameters the list route accepts', () => {
    const names = document.paths['/articles']?.get.parameters?.map((p) => p.name);
    expect(names).toEqual(['section', 'tag', 'updated_since', 'limit', 'cursor']);
    expect(document.paths['/changes']?.get.parameters?.map((p) => p.name)).toEqual(['since']);
  });

  it('rejects a body that breaks its schemas (the check below can fail)', () => {
    const root = { ...document, $ref: '#/components/schemas/ArticleList' } as unknown as Schema;
    const validator = new Validator(root, '2020-12', false);
    expect(validator.validate({ data: [], next_cursor: null }).valid).toBe(true);
    expect(validator.validate({ data: [{ id: 'x' }], next_cursor: null }).valid).toBe(false);
    expect(validator.validate({ data: [], next_cursor: null, extra: 1 }).valid).toBe(false);
  });

  it('names the primary host nowhere but in canonical URLs and guids', async () => {
    const response = await call(MIRROR, '/api/v1/openapi.json');
    expect(await response.text()).not.toContain(PRIMARY);
  });
});

describe('responses match the document', () => {
  it('for every page of every filter', async () => {
    const all = await walk('/api/v1/articles?limit=4');
    expect(all.length).toBe(15);
    expect((await walk('/api/v1/articles?section=news&limit=3')).length).toBeGreaterThan(0);
    expect((await walk('/api/v1/articles?tag=russia')).length).toBeGreaterThan(0);
    expect(
      (await walk('/api/v1/articles?updated_since=2022-03-01T00:00:00Z&limit=2')).length,
    ).toBeGreaterThan(0);
  });

  it('for every article', async () => {
    for (const { id } of await walk('/api/v1/articles?limit=100')) {
      await expectConforming('/articles/{id}', await call(MIRROR, `/api/v1/articles/${id}`));
    }
  });

  it('for sections and the change log', async () => {
    await expectConforming('/sections', await call(MIRROR, '/api/v1/sections'));
    let since = '';
    for (let more = true; more; ) {
      const body = (await expectConforming(
        '/changes',
        await call(MIRROR, `/api/v1/changes${since && `?since=${since}`}`),
      )) as { next_token: string; has_more: boolean };
      since = body.next_token;
      more = body.has_more;
    }
  });

  it('for errors: 400, 404, 401 and 429', async () => {
    await expectConforming('/articles', await call(MIRROR, '/api/v1/articles?limit=0'));
    await expectConforming('/articles/{id}', await call(MIRROR, '/api/v1/articles/1'));
    const keyed = await getWithEnv({ PARTNER_KEYS: 'k-1' }, MIRROR, '/api/v1/sections');
    expect(keyed.status).toBe(401);
    await expectConforming('/sections', keyed);
    const limited = await getWithEnv(
      { API_RATE_LIMITER: { limit: async () => ({ success: false }) } },
      MIRROR,
      '/api/v1/changes',
    );
    expect(limited.status).toBe(429);
    await expectConforming('/changes', limited);
  });
});
