// resolveHost as a table: raw Host value → how it is served. Pure, so every hostile shape is cheap to list.
import { describe, expect, it } from 'vitest';
import { type HostResolution, resolveHost } from '../../src/sites/resolve-host';
import { SAMPLE_ONION, SAMPLE_SITE as SITE } from '../support/sample-site';

const primary: HostResolution = {
  type: 'serve',
  kind: 'primary',
  host: 'www.presstv.ir',
  origin: 'https://www.presstv.ir',
};
const mirror = (host: string): HostResolution => ({
  type: 'serve',
  kind: 'mirror',
  host,
  origin: `https://${host}`,
});
const local = (host: string): HostResolution => ({
  type: 'serve',
  kind: 'local',
  host,
  origin: `http://${host}`,
});
const onion: HostResolution = {
  type: 'serve',
  kind: 'onion',
  host: SAMPLE_ONION,
  origin: `http://${SAMPLE_ONION}`,
};
const toPrimary: HostResolution = { type: 'redirect', origin: 'https://www.presstv.ir' };
const unknown: HostResolution = { type: 'unknown' };

/** [raw Host, expected with local hosts allowed, expected in production]. */
const HOST_TABLE: Array<[string | undefined, HostResolution, HostResolution]> = [
  ['www.presstv.ir', primary, primary],
  ['WWW.PRESSTV.IR', primary, primary],
  ['Www.PressTV.ir', primary, primary],
  ['www.presstv.ir.', primary, primary],
  ['WWW.PRESSTV.IR.:443', primary, primary],
  ['www.presstv.ir:443', primary, primary],
  ['www.presstv.ir:80', primary, primary],
  ['www.presstv.ir:8443', unknown, unknown],
  ['www.presstv.ir:0443', unknown, unknown],
  ['www.presstv.ir..', unknown, unknown],
  ['presstv.example', mirror('presstv.example'), mirror('presstv.example')],
  ['MIRROR.presstv.example.', mirror('mirror.presstv.example'), mirror('mirror.presstv.example')],
  ['mirror.presstv.example:8787', unknown, unknown],
  [SAMPLE_ONION, onion, onion],
  [SAMPLE_ONION.toUpperCase(), onion, onion],
  ['presstv.ir', toPrimary, toPrimary],
  ['PRESSTV.IR.:80', toPrimary, toPrimary],
  ['presstv.ir:8080', unknown, unknown],
  ['localhost:8787', local('localhost:8787'), unknown],
  ['localhost', local('localhost'), unknown],
  ['LOCALHOST.:8792', local('localhost:8792'), unknown],
  ['127.0.0.1:8787', local('127.0.0.1:8787'), unknown],
  ['[::1]:8787', local('[::1]:8787'), unknown],
  ['evil.example', unknown, unknown],
  ['evil.example:8787', unknown, unknown],
  ['www.presstv.ir.evil.example', unknown, unknown],
  ['evil.www.presstv.ir', unknown, unknown],
  ['presstv.example.evil.example', unknown, unknown],
  ['foo.localhost:8787', unknown, unknown],
  ['203.0.113.7', unknown, unknown],
  ['203.0.113.7:443', unknown, unknown],
  ['[2001:db8::1]', unknown, unknown],
  ['[2001:db8::1]:443', unknown, unknown],
  ['2001:db8::1', unknown, unknown],
  ['[::ffff:127.0.0.1]', unknown, unknown],
  ['', unknown, unknown],
  ['   ', unknown, unknown],
  [undefined, unknown, unknown],
  [':443', unknown, unknown],
  ['.', unknown, unknown],
  [`${'a'.repeat(300)}.example`, unknown, unknown],
  [`${'a.'.repeat(200)}www.presstv.ir`, unknown, unknown],
  ['<script>alert(1)</script>.example', unknown, unknown],
  ['www.presstv.ir\r\nX-Evil: 1', unknown, unknown],
  ['www.presstv.ir/evil', unknown, unknown],
  ['user@www.presstv.ir', unknown, unknown],
  ['www.presstv.ir:443:443', unknown, unknown],
  ['www.presstv.ir:99999999', unknown, unknown],
];

describe('resolveHost', () => {
  it.each(HOST_TABLE)('resolves %j with local hosts allowed', (raw, expected) => {
    expect(resolveHost(raw, SITE, { allowLocal: true })).toEqual(expected);
  });

  it.each(HOST_TABLE)('resolves %j in production', (raw, _local, expected) => {
    expect(resolveHost(raw, SITE, { allowLocal: false })).toEqual(expected);
  });

  it('redirects to the primary, never to the host that was asked for', () => {
    const resolution = resolveHost('PRESSTV.IR.', SITE, { allowLocal: false });
    expect(resolution).toEqual({ type: 'redirect', origin: 'https://www.presstv.ir' });
  });

  it('serves no onion when the site has none', () => {
    const { onion: _omitted, ...withoutOnion } = SITE;
    expect(resolveHost(SAMPLE_ONION, withoutOnion, { allowLocal: true })).toEqual(unknown);
  });

  it('refuses a host that the config no longer lists', () => {
    const retired = { ...SITE, mirrors: ['presstv.example'] };
    expect(resolveHost('mirror.presstv.example', retired, { allowLocal: false })).toEqual(unknown);
  });
});
