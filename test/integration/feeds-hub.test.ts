// A configured WebSub hub: advertised in every feed body and in Link headers, on a cache miss and a hit.
// Its own file: the worker memoises the manifest per isolate, so a re-publish needs a fresh one.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import { CACHE_POLICY } from '../../src/http/cache-policy';
import { repositoryArticles } from '../support/content';
import { publish } from '../support/publish';
import { cacheStatus, get, MIRROR, PRIMARY } from '../support/request';
import { childrenNamed, onlyChild, parseXml } from '../support/xml';

/** A sport article and one other: the hub is named by every feed, whatever it lists. */
const sampleContent = () => repositoryArticles([675738, 675904]);

function withSite(input: ContentInput, extra: string): ContentInput {
  return { ...input, site: { ...input.site, text: `${input.site.text}\n${extra}\n` } };
}

describe('feeds with a WebSub hub', () => {
  const HUB = 'https://pubsubhubbub.appspot.com/';

  beforeAll(async () => {
    await publish(withSite(sampleContent(), `hub: ${HUB}`));
  });

  it('names the hub in the body and in Link headers, also when served from the cache', async () => {
    for (const attempt of ['miss', 'hit']) {
      const response = await get(MIRROR, '/section/sport/rss.xml');
      expect(cacheStatus(response)).toBe(attempt);
      expect(response.headers.get('Link')).toBe(
        `<${HUB}>; rel="hub", <https://${MIRROR}/section/sport/rss.xml>; rel="self"`,
      );
      expect(response.headers.get('Cache-Control')).toBe(CACHE_POLICY.feed);
      const channel = onlyChild(parseXml(await response.text()), 'channel');
      const rels = childrenNamed(channel, 'atom:link').map((l) => `${l.attributes.rel} ${l.attributes.href}`);
      expect(rels).toEqual([`self https://${MIRROR}/section/sport/rss.xml`, `hub ${HUB}`]);
    }
    const atom = parseXml(await (await get(PRIMARY, '/atom.xml')).text());
    expect(
      childrenNamed(atom, 'link').some((l) => l.attributes.rel === 'hub' && l.attributes.href === HUB),
    ).toBe(true);
    const json = JSON.parse(await (await get(PRIMARY, '/feed.json')).text()) as { hubs?: unknown };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: HUB }]);
  });
});
