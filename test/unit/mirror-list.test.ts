// The minisign format and the mirror-list verifier: a signed list verifies; a tampered body, a
// forged trusted comment, another key or a replayed older sequence do not.
import { describe, expect, it } from 'vitest';
import {
  decodePublicKey,
  decodeSecretKey,
  encodePublicKey,
  encodeSecretKey,
  generateSecretKey,
  MinisignError,
} from '../../src/mirrors/minisign';
import { MirrorListError, verifyMirrorList } from '../../src/mirrors/mirror-list';
import { buildMirrorList, SigningKeyError } from '../../src/publish/mirror-list';
import { SAMPLE_SITE } from '../support/sample-site';

async function signedSite() {
  const key = await generateSecretKey();
  return { key, site: { ...SAMPLE_SITE, signing_key: encodePublicKey(key) } };
}

describe('minisign keys', () => {
  it('writes a public key as the RW… line minisign takes, and reads it back', async () => {
    const key = await generateSecretKey();
    const line = encodePublicKey(key);
    expect(line).toMatch(/^RW[A-Za-z0-9+/]{54}$/);
    expect(decodePublicKey(line)).toEqual({ keyId: key.keyId, publicKey: key.publicKey });
    expect(decodeSecretKey(`untrusted comment: x\n${encodeSecretKey(key)}\n`)).toEqual(key);
  });
});

describe('verifyMirrorList', () => {
  it('accepts the list publish signed, with its sequence and timestamp', async () => {
    const { key, site } = await signedSite();
    const stored = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const verified = await verifyMirrorList(stored.body, stored.minisig ?? '', {
      publicKey: site.signing_key,
    });
    expect(verified.sequence).toBe(1);
    expect(verified.timestamp).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
    expect(verified.list.mirrors).toEqual(['https://presstv.example/', 'https://mirror.presstv.example/']);
  });

  it('rejects a body changed by one byte', async () => {
    const { key, site } = await signedSite();
    const stored = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const tampered = stored.body.replace('https://presstv.example/', 'https://presstv.evil.ex/');
    expect(tampered).not.toBe(stored.body);
    await expect(
      verifyMirrorList(tampered, stored.minisig ?? '', { publicKey: site.signing_key }),
    ).rejects.toThrow(MirrorListError);
  });

  it('rejects a trusted comment whose sequence was raised by hand', async () => {
    const { key, site } = await signedSite();
    const stored = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const forged = (stored.minisig ?? '').replace('sequence:1', 'sequence:9');
    await expect(verifyMirrorList(stored.body, forged, { publicKey: site.signing_key })).rejects.toThrow(
      MirrorListError,
    );
  });

  it('rejects a list signed by another key', async () => {
    const { key, site } = await signedSite();
    const other = await generateSecretKey();
    const stored = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    await expect(
      verifyMirrorList(stored.body, stored.minisig ?? '', { publicKey: encodePublicKey(other) }),
    ).rejects.toThrow(MirrorListError);
  });

  it('rejects an older list replayed after a newer one was pinned', async () => {
    const { key, site } = await signedSite();
    const old = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const retired = { ...site, mirrors: ['presstv.example'] };
    const current = await buildMirrorList(retired, old, '2026-02-01T00:00:00Z', key);
    const pinned = await verifyMirrorList(current.body, current.minisig ?? '', {
      publicKey: site.signing_key,
    });
    expect(pinned.sequence).toBe(2);
    await expect(
      verifyMirrorList(old.body, old.minisig ?? '', {
        publicKey: site.signing_key,
        minSequence: pinned.sequence,
      }),
    ).rejects.toThrow(/older than 2: a replayed list/);
  });

  it('names a prehashed (ED) signature it does not support', async () => {
    const { key, site } = await signedSite();
    const stored = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const lines = (stored.minisig ?? '').split('\n');
    const raw = Uint8Array.from(atob(lines[1] ?? ''), (c) => c.charCodeAt(0));
    raw[1] = 'D'.charCodeAt(0);
    lines[1] = btoa(String.fromCharCode(...raw));
    await expect(
      verifyMirrorList(stored.body, lines.join('\n'), { publicKey: site.signing_key }),
    ).rejects.toThrow(MinisignError);
  });
});

describe('buildMirrorList', () => {
  it('keeps the bytes and the sequence when neither the addresses nor the key change', async () => {
    const { key, site } = await signedSite();
    const first = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const again = await buildMirrorList(site, first, '2026-03-01T00:00:00Z', key);
    expect(again).toBe(first);
  });

  it('signs again with sequence + 1, keeping the addresses time, when the key is rotated', async () => {
    const { key, site } = await signedSite();
    const first = await buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', key);
    const next = await generateSecretKey();
    const rotated = { ...site, signing_key: encodePublicKey(next) };
    const second = await buildMirrorList(rotated, first, '2026-03-01T00:00:00Z', next);
    const verified = await verifyMirrorList(second.body, second.minisig ?? '', {
      publicKey: rotated.signing_key,
      minSequence: 1,
    });
    expect(verified.sequence).toBe(2);
    expect(verified.list.updated).toBe('2026-01-01T00:00:00Z');
  });

  it('refuses to build a list it cannot sign when site.yaml names a key', async () => {
    const { site } = await signedSite();
    await expect(buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', null)).rejects.toThrow(
      SigningKeyError,
    );
    const stranger = await generateSecretKey();
    await expect(buildMirrorList(site, undefined, '2026-01-01T00:00:00Z', stranger)).rejects.toThrow(
      /not to site.yaml's signing_key/,
    );
  });

  it('writes an unsigned list when site.yaml names no key', async () => {
    const stored = await buildMirrorList(SAMPLE_SITE, undefined, '2026-01-01T00:00:00Z', null);
    expect(stored.minisig).toBeUndefined();
    expect(JSON.parse(stored.body).sequence).toBe(1);
  });
});
