// Partners generate clients from /api/v1/openapi.json: openapi-typescript must turn the document,
// exactly as the worker serves it (publish's stored bytes with the request origin filled in), into
// types with every operation and webhook.
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/api/openapi';
import { fillOrigin } from '../../src/sites/origin-placeholder';

describe('the OpenAPI document', () => {
  it('generates TypeScript types with openapi-typescript', async () => {
    const served = fillOrigin(openApiDocument('Press TV'), 'https://mirror.presstv.example');
    const types = astToString(await openapiTS(JSON.parse(served)));
    for (const operation of [
      'listArticles',
      'getArticle',
      'listSections',
      'listChanges',
      'getOpenApiDocument',
    ]) {
      expect(types).toContain(`${operation}: {`);
    }
    expect(types).toMatch(/"article\.upsert": \{/);
    expect(types).toMatch(/"article\.removal": \{/);
    expect(types).toMatch(/WebhookEvent: \{/);
    expect(types).toMatch(/"webhook-signature": string;/);
  });
});
