// The signed mirror list through the worker: the same bytes and signature on every serving host,
// a signature that verifies against the published key, and a sequence that only goes up.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import { encodePublicKey } from '../../src/mirrors/minisign';
import { verifyMirrorList } from '../../src/mirrors/mirror-list';
import { repositoryArticles } from '../support/content';
import { publish, testSigningKey } from '../support/publish';
import { fetchWithBindings, MIRROR, PRIMARY } from '../support/request';
import { SAMPLE_ONION } from '../support/sample-site';

/** Two sample articles: the mirror list and its signature depend on site.yaml, not on the articles. */
const sampleContent = () => repositoryArticles([675904, 675738]);

const HOSTS = [PRIMARY, MIRROR, 'presstv.example', SAMPLE_ONION];
const LIST = '/.well-known/mirrors.json';
const SIGNATURE = '/.well-known/mirrors.json.minisig';

// The manifest memo is off, so each request sees the publish just before it.
function fetchFresh(host: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const scheme = host.endsWith('.onion') ? 'http' : 'https';
  return fetchWithBindings(new Request(`${scheme}://${host}${path}`, { headers }), {
    SITE_MANIFEST_TTL_SECONDS: '0',
  });
}

async function served(host = PRIMARY): Promise<{ body: string; minisig: string }> {
  const [list, signature] = await Promise.all([fetchFresh(host, LIST), fetchFresh(host, SIGNATURE)]);
  expect(list.status).toBe(200);
  expect(signature.status).toBe(200);
  return { body: await list.text(), minisig: await signature.text() };
}

async function publicKey(): Promise<string> {
  return encodePublicKey(await testSigningKey());
}

function withExtraMirror(): ContentInput {
  const content = sampleContent();
  const text = content.site.text.replace(
    '  - mirror.presstv.example\n',
    '  - mirror.presstv.example\n  - new.presstv.example\n',
  );
  return { ...content, site: { ...content.site, text } };
}

beforeAll(async () => {
  await publish(sampleContent(), new Date('2026-01-01T00:00:00Z'));
});

describe('/.well-known/mirrors.json and its signature', () => {
  it('serves byte-identical list and signature, with one ETag each, on every serving host', async () => {
    const answers = await Promise.all(
      HOSTS.map(async (host) => {
        const [list, signature] = await Promise.all([fetchFresh(host, LIST), fetchFresh(host, SIGNATURE)]);
        return {
          body: await list.text(),
          minisig: await signature.text(),
          etags: [list.headers.get('ETag'), signature.headers.get('ETag')],
          type: signature.headers.get('Content-Type'),
        };
      }),
    );
    const [first, ...rest] = answers;
    for (const other of rest) expect(other).toEqual(first);
    expect(first?.type).toBe('text/plain; charset=UTF-8');
  });

  it('verifies against the published key, with the sequence in the trusted comment', async () => {
    const { body, minisig } = await served(MIRROR);
    const verified = await verifyMirrorList(body, minisig, { publicKey: await publicKey() });
    expect(verified.sequence).toBe(1);
    expect(minisig.split('\n')[2]).toBe(
      `trusted comment: timestamp:${Date.parse('2026-01-01T00:00:00Z') / 1000}\tfile:mirrors.json\tsequence:1`,
    );
    expect(verified.list.onion).toBe(`http://${SAMPLE_ONION}/`);
  });

  it('answers If-None-Match on the signature with a 304, readable from other origins', async () => {
    const first = await fetchFresh(MIRROR, SIGNATURE);
    await first.arrayBuffer();
    const again = await fetchFresh(MIRROR, SIGNATURE, {
      'If-None-Match': first.headers.get('ETag') ?? '',
      Origin: 'https://app.example',
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('keeps the same signed bytes when a publish changes only articles', async () => {
    const before = await served();
    const content = sampleContent();
    const [first, ...rest] = content.articles;
    if (!first) throw new Error('no articles');
    const edited = { ...first, text: `${first.text.trimEnd()}\n\nA later paragraph.\n` };
    await publish({ ...content, articles: [edited, ...rest] }, new Date('2026-01-15T00:00:00Z'));
    expect(await served()).toEqual(before);
    await publish(sampleContent(), new Date('2026-01-16T00:00:00Z'));
  });

  it('raises the sequence when the list changes, so the older list is detected as a replay', async () => {
    const old = await served();
    await publish(withExtraMirror(), new Date('2026-02-01T00:00:00Z'));
    const current = await served('new.presstv.example');
    const key = await publicKey();
    const pinned = await verifyMirrorList(current.body, current.minisig, { publicKey: key, minSequence: 1 });
    expect(pinned.sequence).toBe(2);
    expect(pinned.list.mirrors).toContain('https://new.presstv.example/');
    await expect(
      verifyMirrorList(old.body, old.minisig, { publicKey: key, minSequence: pinned.sequence }),
    ).rejects.toThrow(/replayed/);
  });
});
