// Error responses and their log lines: one JSON line per logged failure, with the same request id
// the client got in X-Request-Id, and nothing logged for an ordinary 404.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { repositoryArticles } from '../support/content';
import { publish } from '../support/publish';
import { fetchWorker, PRIMARY } from '../support/request';

const RAY = '8f2b1c3d4e5f6a7b-AMS';

function captureWarnings() {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  return () => [...warn.mock.calls, ...error.mock.calls];
}

beforeAll(async () => {
  // One article: the failures logged here depend on the request, not on what is published.
  await publish(repositoryArticles([675904]));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('error logging', () => {
  it.each([
    ['a malformed escape', `https://${PRIMARY}/section/%E0%A4%A`, 'GET', 400],
    ['a write method', `https://${PRIMARY}/section/news`, 'POST', 405],
    ['an unknown host', 'https://unknown.example/', 'GET', 421],
  ])('logs %s as one warning line carrying the request id it returns', async (_, url, method, status) => {
    const calls = captureWarnings();
    const response = await fetchWorker(new Request(url, { method }));
    expect(response.status).toBe(status);
    const requestId = response.headers.get('X-Request-Id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls()).toHaveLength(1);
    const [line] = calls()[0] ?? [];
    expect(JSON.parse(String(line))).toEqual({
      level: 'warn',
      requestId,
      method,
      route: expect.any(String),
      path: new URL(url).pathname,
      status,
      reason: expect.any(String),
    });
    expect(String(line)).not.toContain('unknown.example');
  });

  it('logs nothing for a page that does not exist', async () => {
    const calls = captureWarnings();
    const response = await fetchWorker(`https://${PRIMARY}/no/such/page`);
    expect(response.status).toBe(404);
    expect(response.headers.get('X-Request-Id')).not.toBeNull();
    expect(calls()).toEqual([]);
  });

  it("uses Cloudflare's ray id as the request id when the request has one", async () => {
    captureWarnings();
    const response = await fetchWorker(
      new Request(`https://${PRIMARY}/`, { method: 'DELETE', headers: { 'cf-ray': RAY } }),
    );
    expect(response.headers.get('X-Request-Id')).toBe(RAY);
  });

  it('keeps 4xx pages byte-identical across requests, without the request id in the body', async () => {
    const first = await (await fetchWorker(`https://${PRIMARY}/no/such/page`)).text();
    const second = await (await fetchWorker(`https://${PRIMARY}/no/such/page`)).text();
    expect(first).toBe(second);
  });
});
