import { describe, expect, it } from 'vitest';
import { computeEtag, isNotModified, notModified, withValidators } from '../../src/http/validators';

const ETAG = '"0123456789abcdef01234567"';
const LAST_MODIFIED = 'Wed, 01 Jan 2025 00:00:00 GMT';

function representation(): Headers {
  return new Headers({ ETag: ETAG, 'Last-Modified': LAST_MODIFIED });
}

describe('strong validators', () => {
  it('gives the same bytes the same strong ETag and different bytes another', async () => {
    const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
    const first = await computeEtag(bytes('<p>one</p>'));
    expect(first).toMatch(/^"[0-9a-f]{24}"$/);
    expect(await computeEtag(bytes('<p>one</p>'))).toBe(first);
    expect(await computeEtag(bytes('<p>two</p>'))).not.toBe(first);
  });

  it('stamps ETag and Last-Modified without changing the body or status', async () => {
    const response = await withValidators(
      new Response('hello', { status: 200, headers: { 'Content-Type': 'text/plain' } }),
      new Date('2025-01-01T00:00:00Z'),
    );
    expect(response.headers.get('Last-Modified')).toBe(LAST_MODIFIED);
    expect(response.headers.get('ETag')).toMatch(/^"[0-9a-f]{24}"$/);
    expect(response.headers.get('Content-Type')).toBe('text/plain');
    expect(await response.text()).toBe('hello');
  });
});

describe('conditional GET (RFC 9110 §13.2.2)', () => {
  const ask = (headers: Record<string, string>) => isNotModified(new Headers(headers), representation());

  it('answers 304 when If-None-Match names the current ETag', () => {
    expect(ask({ 'If-None-Match': ETAG })).toBe(true);
  });

  it('finds the ETag in a list and compares weakly, as If-None-Match requires', () => {
    expect(ask({ 'If-None-Match': `"other", W/${ETAG}` })).toBe(true);
  });

  it('matches any representation with If-None-Match: *', () => {
    expect(ask({ 'If-None-Match': '*' })).toBe(true);
  });

  it('sends the body when If-None-Match names only other tags', () => {
    expect(ask({ 'If-None-Match': '"stale"' })).toBe(false);
  });

  it('lets If-None-Match win over a matching If-Modified-Since', () => {
    expect(ask({ 'If-None-Match': '"stale"', 'If-Modified-Since': 'Thu, 01 Jan 2099 00:00:00 GMT' })).toBe(
      false,
    );
  });

  it('answers 304 when not modified since the given date or later', () => {
    expect(ask({ 'If-Modified-Since': LAST_MODIFIED })).toBe(true);
    expect(ask({ 'If-Modified-Since': 'Thu, 02 Jan 2025 00:00:00 GMT' })).toBe(true);
  });

  it('sends the body when modified after the given date', () => {
    expect(ask({ 'If-Modified-Since': 'Tue, 31 Dec 2024 23:59:59 GMT' })).toBe(false);
  });

  it('ignores an If-Modified-Since that is not a date', () => {
    expect(ask({ 'If-Modified-Since': 'yesterday' })).toBe(false);
  });

  it.each([
    ['IMF-fixdate', 'Thu, 02 Jan 2025 00:00:00 GMT'],
    ['the obsolete RFC 850 form', 'Thursday, 02-Jan-25 00:00:00 GMT'],
    ['the obsolete asctime form', 'Thu Jan  2 00:00:00 2025'],
  ])('reads %s (RFC 9110 §5.6.7)', (_name, date) => {
    expect(ask({ 'If-Modified-Since': date })).toBe(true);
  });

  it('reads a two-digit RFC 850 year more than 50 years ahead as the past century', () => {
    const ahead = (new Date().getUTCFullYear() + 60) % 100;
    const date = `Friday, 01-Jan-${String(ahead).padStart(2, '0')} 00:00:00 GMT`;
    expect(ask({ 'If-Modified-Since': date })).toBe(false);
  });

  // Date.parse reads all of these, and a far-future one would make every later change invisible.
  it.each([
    ['a bare year', '2100'],
    ['an ISO 8601 date', '2100-01-01T00:00:00Z'],
    ['a numeric offset', 'Fri, 01 Jan 2100 00:00:00 +0000'],
    ['a zone other than GMT', 'Fri, 01 Jan 2100 00:00:00 UTC'],
    ['a day the month does not have', 'Thu, 31 Feb 2099 00:00:00 GMT'],
    ['hour 24', 'Fri, 01 Jan 2100 24:00:00 GMT'],
    ['a lower-case month', 'Fri, 01 jan 2100 00:00:00 GMT'],
    ['a one-digit day in IMF-fixdate', 'Fri, 1 Jan 2100 00:00:00 GMT'],
    ['trailing text', 'Fri, 01 Jan 2100 00:00:00 GMT; length=12'],
  ])('ignores %s, which is not an HTTP-date', (_name, date) => {
    expect(ask({ 'If-Modified-Since': date })).toBe(false);
  });

  it('sends the body to an unconditional request', () => {
    expect(ask({})).toBe(false);
  });
});

describe('304 responses (RFC 9110 §15.4.5)', () => {
  it('keeps the validators and caching fields, drops the body and content fields', async () => {
    const full = new Response('<p>body</p>', {
      headers: {
        ETag: ETAG,
        'Last-Modified': LAST_MODIFIED,
        'Cache-Control': 'public, max-age=60',
        Vary: 'Accept-Encoding',
        'Content-Type': 'text/html; charset=UTF-8',
        'Content-Length': '11',
      },
    });
    const response = notModified(full);
    expect(response.status).toBe(304);
    expect(response.body).toBeNull();
    expect(response.headers.get('ETag')).toBe(ETAG);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(response.headers.get('Vary')).toBe('Accept-Encoding');
    expect(response.headers.get('Last-Modified')).toBe(LAST_MODIFIED);
    expect(response.headers.get('Content-Type')).toBeNull();
  });
});
