// Small publish-side guarantees of the partner API: body URLs made absolute (and only those), and
// the rate limit the API advertises being the one wrangler.toml configures.
import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_PERIOD_SECONDS, RATE_LIMIT_REQUESTS } from '../../src/api/rate-limit';
import { absolutiseBody } from '../../src/publish/indexes/api-records';
import { ORIGIN_PLACEHOLDER } from '../../src/sites/origin-placeholder';
import wranglerToml from '../../wrangler.toml?raw';

describe('absolutiseBody', () => {
  it('gives root-relative links and images the placeholder origin, and leaves other URLs alone', () => {
    const html =
      '<p><a href="/section/news">News</a> <a href="https://example.org/x">x</a> ' +
      '<a href="#note">note</a> <img src="/images/a.jpg" alt="a" /> href="/not-a-tag"</p>';
    expect(absolutiseBody(html)).toBe(
      `<p><a href="${ORIGIN_PLACEHOLDER}/section/news">News</a> <a href="https://example.org/x">x</a> ` +
        `<a href="#note">note</a> <img src="${ORIGIN_PLACEHOLDER}/images/a.jpg" alt="a" /> href="/not-a-tag"</p>`,
    );
  });
});

describe('the advertised rate limit', () => {
  it('is the one the API_RATE_LIMITER binding enforces', () => {
    const block = /\[\[ratelimits\]\][^[]*name = "API_RATE_LIMITER"[^[]*/.exec(wranglerToml)?.[0] ?? '';
    expect(block).toContain(
      `simple = { limit = ${RATE_LIMIT_REQUESTS}, period = ${RATE_LIMIT_PERIOD_SECONDS} }`,
    );
  });
});
