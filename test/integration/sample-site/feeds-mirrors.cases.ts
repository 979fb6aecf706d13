// Every feed and API response names every serving address, so a subscriber or partner on one
// address learns the others: <mw:mirrors> in RSS and Atom, `_mirrorwire` in JSON Feed, Link in the API.
import { beforeAll, describe, expect, it } from 'vitest';
import { MIRRORS_NAMESPACE } from '../../../src/feeds/feed-mirrors';
import { publishSample } from '../../support/publish';
import { get, MIRROR, PRIMARY } from '../../support/request';
import { SAMPLE_ONION } from '../../support/sample-site';
import { childrenNamed, parseXml, type XmlNode } from '../../support/xml';

const EXPECTED = [
  { url: `https://${PRIMARY}/`, role: 'primary' },
  { url: 'https://presstv.example/', role: 'mirror' },
  { url: 'https://mirror.presstv.example/', role: 'mirror' },
  { url: `http://${SAMPLE_ONION}/`, role: 'onion' },
];

const XML_FEEDS = ['/rss.xml', '/atom.xml', '/section/russia/rss.xml', '/section/sport/atom.xml'];
const JSON_FEEDS = ['/feed.json', '/section/russia/feed.json'];

beforeAll(async () => {
  await publishSample();
});

function mirrorsElement(root: XmlNode): XmlNode {
  const parent = root.name === 'rss' ? childrenNamed(root, 'channel')[0] : root;
  const found = parent ? childrenNamed(parent, 'mw:mirrors') : [];
  expect(found).toHaveLength(1);
  const [element] = found;
  if (!element) throw new Error('no mw:mirrors');
  return element;
}

describe('the mirror list inside every feed', () => {
  for (const host of [PRIMARY, MIRROR]) {
    it.each(XML_FEEDS)(
      `names every address in %s on ${host}, under the documented namespace`,
      async (path) => {
        const response = await get(host, path);
        const root = parseXml(await response.text());
        expect(root.attributes['xmlns:mw']).toBe(MIRRORS_NAMESPACE);
        const element = mirrorsElement(root);
        expect(element.attributes.href).toBe(`https://${host}/.well-known/mirrors.json`);
        expect(element.attributes.signature).toBe(`https://${host}/.well-known/mirrors.json.minisig`);
        expect(element.attributes.about).toBe(`https://${host}/about/mirrors`);
        expect(childrenNamed(element, 'mw:mirror').map((m) => m.attributes)).toEqual(
          EXPECTED.map(({ url, role }) => ({ href: url, role })),
        );
      },
    );

    it.each(JSON_FEEDS)(`names every address in %s on ${host} in the _mirrorwire extension`, async (path) => {
      const feed = await (await get(host, path)).json<{ _mirrorwire: unknown }>();
      expect(feed._mirrorwire).toEqual({
        about: `https://${host}/about/mirrors`,
        mirrors: EXPECTED,
        mirrors_json: `https://${host}/.well-known/mirrors.json`,
        mirrors_signature: `https://${host}/.well-known/mirrors.json.minisig`,
      });
    });
  }

  it('keeps the addresses the same on every host: only the request host differs', async () => {
    const onPrimary = await (await get(PRIMARY, '/atom.xml')).text();
    const onMirror = await (await get(MIRROR, '/atom.xml')).text();
    expect(
      onMirror.replaceAll(`https://${MIRROR}/`, `https://${PRIMARY}/`).replace(/<mw:mirror [^>]*\/>/g, ''),
    ).toBe(
      onPrimary.replaceAll(`https://${MIRROR}/`, `https://${PRIMARY}/`).replace(/<mw:mirror [^>]*\/>/g, ''),
    );
  });
});

describe('the mirror list in the partner API', () => {
  it('links the same request on every other serving address', async () => {
    const response = await get(MIRROR, '/api/v1/articles?limit=2', { 'CF-Connecting-IP': '198.51.100.15' });
    await response.arrayBuffer();
    const link = response.headers.get('Link') ?? '';
    expect(link).toContain(`<https://${PRIMARY}/api/v1/articles?limit=2>; rel="alternate"`);
    expect(link).toContain('<https://presstv.example/api/v1/articles?limit=2>; rel="alternate"');
    expect(link).toContain(`<http://${SAMPLE_ONION}/api/v1/articles?limit=2>; rel="alternate"`);
    expect(link).not.toContain(`<https://${MIRROR}/api/v1/articles?limit=2>; rel="alternate"`);
  });

  it('keeps the alternates on an edge-cache hit and beside the next-page link', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await get(PRIMARY, '/api/v1/articles?limit=1', {
        'CF-Connecting-IP': '198.51.100.15',
      });
      await response.arrayBuffer();
      const link = response.headers.get('Link') ?? '';
      expect(link).toContain('rel="next"');
      expect(link).toContain(`<https://${MIRROR}/api/v1/articles?limit=1>; rel="alternate"`);
    }
  });
});
