import { beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../support/publish';
import { get, MIRROR, PRIMARY } from '../support/request';

beforeAll(async () => {
  await publish();
});

describe('smoke', () => {
  it('serves the home page on the primary and a mirror', async () => {
    for (const host of [PRIMARY, MIRROR]) {
      const response = await get(host, '/');
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Russia says no new talks');
    }
  });
});
