// Pure parts of push delivery: which feeds a publish changed, partner filters, the retry schedule,
// the URL rule, event splitting, and signatures that the standardwebhooks package accepts.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/api/schemas';
import { isPushUrl, mayDeliverTo } from '../../src/config/push-url';
import { siteConfigSchema } from '../../src/config/site-config';
import { FEED_FORMAT_IDS, feedPath } from '../../src/feeds/feed-formats';
import { feedPathOfKey, mergeEvents, splitEvent } from '../../src/publish/push-event';
import { retryDelaySeconds, webhookBody } from '../../src/push/consumer';
import { pushMessagesFor } from '../../src/push/enqueue';
import { deliveryId } from '../../src/push/messages';
import { partnerWants, readPartners } from '../../src/push/partners';
import { decodeWebhookSecret, signWebhook } from '../../src/push/standard-webhooks';
import { feedKey } from '../../src/storage/keys';
import { SAMPLE_ONION, SAMPLE_SITE } from '../support/sample-site';

const SECRET = 'whsec_QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=';

function upsert(section: string, tags: string[]): Change {
  return {
    seq: 7,
    type: 'upsert',
    id: 1,
    guid: 'tag:presstv.ir,2022-01-01:1',
    changed_at: '2026-01-01T00:00:00Z',
    article: {
      id: 1,
      guid: 'tag:presstv.ir,2022-01-01:1',
      title: 'T',
      summary: 'S',
      url: 'https://origin.mirrorwire.invalid/Detail/2022/01/01/1/T',
      canonical_url: 'https://www.presstv.ir/Detail/2022/01/01/1/T',
      section,
      tags,
      author: null,
      image: null,
      published: '2022-01-01T00:00:00Z',
      updated: null,
      body_html: '<p>b</p>',
    },
  };
}

describe('changed feeds', () => {
  it('maps every site and section feed key to the path the feed is served at', () => {
    for (const format of FEED_FORMAT_IDS) {
      for (const scope of [{ type: 'site' } as const, { type: 'section', slug: 'middle-east' } as const]) {
        expect(feedPathOfKey(feedKey(scope, format))).toBe(feedPath(scope, format));
      }
    }
  });

  it('maps tag and author scopes by the same shape, and nothing else', () => {
    expect(feedPathOfKey('feed:v1:tag:iran:rss')).toBe('/tag/iran/rss.xml');
    expect(feedPathOfKey('feed:v1:author:press-tv:json')).toBe('/author/press-tv/feed.json');
    expect(feedPathOfKey('feed:v1:opml')).toBeNull();
    expect(feedPathOfKey('feed:v1:site:rss:archive:3')).toBeNull();
    expect(feedPathOfKey('feed:v1:unknown:x:rss')).toBeNull();
    expect(feedPathOfKey('article:v1:1')).toBeNull();
  });
});

describe('events and messages', () => {
  it('makes one ping per feed and serving host, and one webhook per change and partner', () => {
    const site = { ...SAMPLE_SITE, hub: 'https://hub.example/' };
    const partners = readPartners(
      JSON.stringify([{ name: 'wire', url: 'https://w.example/', secret: 'WEBHOOK_SECRET_W' }]),
    );
    const messages = pushMessagesFor({ gen: 4, from: 2, to: 4, feeds: ['/rss.xml'] }, site, partners);
    expect(messages.map(deliveryId)).toEqual([
      'websub:4:https://www.presstv.ir/rss.xml',
      'websub:4:https://presstv.example/rss.xml',
      'websub:4:https://mirror.presstv.example/rss.xml',
      `websub:4:http://${SAMPLE_ONION}/rss.xml`,
      '3:wire',
      '4:wire',
    ]);
    expect(pushMessagesFor({ gen: 4, from: 2, to: 4, feeds: ['/rss.xml'] }, SAMPLE_SITE, [])).toEqual([]);
  });

  it('splits a long range into events the worker accepts, and merges unsent ones', () => {
    expect(splitEvent({ gen: 1, from: 0, to: 2500, feeds: ['/rss.xml'] })).toEqual([
      { gen: 1, from: 0, to: 1000, feeds: ['/rss.xml'] },
      { gen: 1, from: 1000, to: 2000, feeds: [] },
      { gen: 1, from: 2000, to: 2500, feeds: [] },
    ]);
    expect(splitEvent({ gen: 1, from: 3, to: 3, feeds: ['/rss.xml'] })).toHaveLength(1);
    expect(
      mergeEvents(
        { gen: 2, from: 0, to: 5, feeds: ['/rss.xml'] },
        { gen: 3, from: 5, to: 6, feeds: ['/atom.xml'] },
      ),
    ).toEqual({ gen: 3, from: 0, to: 6, feeds: ['/atom.xml', '/rss.xml'] });
  });
});

describe('partners', () => {
  const site = {
    ...SAMPLE_SITE,
    sections: [
      { slug: 'news', title: 'News' },
      { slug: 'russia', title: 'Russia', parent: 'news' },
    ],
  };
  const [partner] = readPartners(
    JSON.stringify([
      {
        name: 'p',
        url: 'https://p.example/',
        secret: 'WEBHOOK_SECRET_P',
        sections: ['news'],
        tags: ['iran'],
      },
    ]),
  );

  it('filters upserts by section (children included) and tag (any case), never removals', () => {
    if (!partner) throw new Error('no partner');
    expect(partnerWants(partner, upsert('russia', ['Iran']), site)).toBe(true);
    expect(partnerWants(partner, upsert('russia', ['Sport']), site)).toBe(false);
    expect(partnerWants(partner, upsert('sport', ['Iran']), site)).toBe(false);
    const removal: Change = { seq: 8, type: 'removal', id: 1, guid: 'g', removed_at: '2026-01-01T00:00:00Z' };
    expect(partnerWants(partner, removal, site)).toBe(true);
  });

  it('refuses a configuration that could leak or misdirect', () => {
    const one = (fields: Record<string, unknown>) =>
      JSON.stringify([{ name: 'p', url: 'https://p.example/', secret: 'WEBHOOK_SECRET_P', ...fields }]);
    expect(() => readPartners(one({ secret: 'PARTNER_KEYS' }))).toThrow(/secret/);
    expect(() => readPartners(one({ url: 'http://p.example/' }))).toThrow(/https/);
    expect(() => readPartners('{')).toThrow(/not JSON/);
    expect(() => readPartners(`[${one({}).slice(1, -1)},${one({}).slice(1, -1)}]`)).toThrow(/unique/);
    expect(readPartners(undefined)).toEqual([]);
  });
});

describe('the push URL rule', () => {
  it('allows https anywhere and http only on local hosts, and production refuses local ones', () => {
    expect(isPushUrl('https://hub.example/')).toBe(true);
    expect(isPushUrl('http://127.0.0.1:9001/')).toBe(true);
    expect(isPushUrl('http://localhost:9001/hub')).toBe(true);
    expect(isPushUrl('http://hub.example/')).toBe(false);
    expect(isPushUrl('https://user:pass@hub.example/')).toBe(false);
    expect(mayDeliverTo('http://127.0.0.1:9001/', false)).toBe(false);
    expect(mayDeliverTo('http://127.0.0.1:9001/', true)).toBe(true);
  });

  it('is the rule site.yaml applies to hub', () => {
    const base = { ...SAMPLE_SITE };
    expect(siteConfigSchema.safeParse({ ...base, hub: 'http://127.0.0.1:9001/' }).success).toBe(true);
    expect(siteConfigSchema.safeParse({ ...base, hub: 'http://hub.example/' }).success).toBe(false);
  });
});

describe('retries', () => {
  it('doubles from the base up to the most', () => {
    const env = { PUSH_RETRY_BASE_SECONDS: '30', PUSH_RETRY_MAX_SECONDS: '3600' };
    expect([1, 2, 3, 7, 8, 12].map((n) => retryDelaySeconds(n, env))).toEqual([
      30, 60, 120, 1920, 3600, 3600,
    ]);
    expect(retryDelaySeconds(3, { PUSH_RETRY_BASE_SECONDS: '', PUSH_RETRY_MAX_SECONDS: 'x' })).toBe(120);
  });
});

describe('Standard Webhooks signatures', () => {
  it('are what the standardwebhooks package signs and verifies', async () => {
    const body = webhookBody(upsert('news', []), 'www.presstv.ir');
    const at = new Date();
    const seconds = Math.floor(at.getTime() / 1000);
    const headers = await signWebhook(decodeWebhookSecret(SECRET, 'S'), '7:wire', seconds, body);
    const library = new Webhook(SECRET);
    expect(headers['webhook-signature']).toBe(library.sign('7:wire', new Date(seconds * 1000), body));
    expect(library.verify(body, { ...headers })).toMatchObject({ type: 'article.upsert', data: { seq: 7 } });
    expect(body).toContain('"url":"https://www.presstv.ir/Detail/2022/01/01/1/T"');
  });

  it('refuses a secret that is not whsec_ base64 of 24 to 64 bytes', () => {
    expect(() => decodeWebhookSecret('QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=', 'S')).toThrow(/whsec_/);
    expect(() => decodeWebhookSecret('whsec_AAAA', 'S')).toThrow(/bytes/);
    expect(decodeWebhookSecret(SECRET, 'S')).toHaveLength(32);
  });
});
