// Host resolution against arbitrary Host values: whatever arrives, the answer names only
// configured hosts (or local ones when allowed), so an unknown name can never travel further.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveHost } from '../../src/sites/resolve-host';
import { HOSTILE_FRAGMENTS } from '../support/hostile-content';
import { SAMPLE_SITE as SITE } from '../support/sample-site';

const RUNS = 1_000;

const CONFIGURED = [SITE.primary, ...SITE.mirrors, SITE.onion];

/** Host values built from configured names, with the decorations attackers add to them. */
const hostileHost = fc
  .tuple(
    fc.constantFrom(...CONFIGURED, ...SITE.redirects, 'localhost', '127.0.0.1', '[::1]', 'evil.example'),
    fc.constantFrom(
      '',
      '.',
      '..',
      ':443',
      ':80',
      ':8443',
      ':',
      '@evil.example',
      '.evil.example',
      '\t',
      ' ',
      '%00',
      '\u0000',
    ),
    fc.constantFrom('', ...HOSTILE_FRAGMENTS),
    fc.boolean(),
  )
  .map(([name, suffix, junk, upper]) => {
    const host = `${name}${suffix}${junk}`;
    return upper ? host.toUpperCase() : host;
  });

/** Fragments that are not whitespace (surrounding whitespace is trimmed, as HTTP allows). */
const VISIBLE_FRAGMENTS = HOSTILE_FRAGMENTS.filter((fragment) => fragment.trim() !== '');

const anyHost = fc.oneof(hostileHost, fc.string({ unit: 'binary', maxLength: 80 }));

describe('resolveHost on arbitrary Host values', () => {
  it('serves only configured hosts, and only on their own origin', () => {
    fc.assert(
      fc.property(anyHost, fc.boolean(), (raw, allowLocal) => {
        const resolution = resolveHost(raw, SITE, { allowLocal });
        if (resolution.type === 'unknown') return;
        if (resolution.type === 'redirect') {
          expect(resolution.origin).toBe(`https://${SITE.primary}`);
          return;
        }
        if (resolution.kind === 'local') {
          expect(allowLocal).toBe(true);
          expect(resolution.host).toMatch(/^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/);
        } else {
          expect(CONFIGURED).toContain(resolution.host);
        }
        expect(resolution.origin).toMatch(/^https?:\/\//);
        expect(resolution.origin.replace(/^https?:\/\//, '')).toBe(resolution.host);
      }),
      { numRuns: RUNS },
    );
  });

  it('treats anything after a configured name (other than a default port, a final dot or whitespace) as unknown', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CONFIGURED),
        fc.constantFrom(...VISIBLE_FRAGMENTS, '@evil.example', '.evil.example', ':8443'),
        (name, junk) => {
          expect(resolveHost(`${name}${junk}`, SITE, { allowLocal: true }).type).toBe('unknown');
        },
      ),
      { numRuns: 200 },
    );
  });
});
