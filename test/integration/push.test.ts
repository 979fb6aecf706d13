// Push delivery end to end in workerd with Miniflare's real local queues: publishes through the
// pipeline, hands the event to POST /admin/v1/publish-events as the CLI does, and watches a
// stand-in hub and partner receivers (src/push). Its own file: the queue and stand-ins are shared.

import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { type Schema, Validator } from '@cfworker/json-schema';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { webhookEventSchema } from '../../src/api/schemas';
import type { ContentInput } from '../../src/content/compile';
import worker from '../../src/index';
import { pushEventOf } from '../../src/publish/push-event';
import type { PublishEvent } from '../../src/push/messages';
import { repositoryArticles } from '../support/content';
import { muteExpectedLogLines } from '../support/expected-logs';
import { publish } from '../support/publish';
import { TEST_PUBLISH_EVENTS_SECRET, TEST_WEBHOOK_SECRETS } from '../support/push-config';
import {
  alwaysDown,
  answerOk,
  type Delivery,
  eventually,
  failsThenRecovers,
  StandIns,
  settle,
} from '../support/push-standins';
import { SAMPLE_ONION } from '../support/sample-site';

/** The sample articles of the sections the events name (the removed one among them), and one more. */
const sampleContent = () => repositoryArticles([675972, 675738, 675790, 675904]);

const HUB_HOST = 'hub.example';
const HUB = `https://${HUB_HOST}/`;
const WIRE = 'wire.partner.example';
const SPORT = 'sport.partner.example';
const FLAKY = 'flaky.partner.example';
const DOWN = 'down.partner.example';
const ORIGINS = [
  'https://www.presstv.ir',
  'https://presstv.example',
  'https://mirror.presstv.example',
  `http://${SAMPLE_ONION}`,
];

const standIns = new StandIns();

// The flaky and the down receivers fail on purpose: their retries and dead letters are expected.
muteExpectedLogLines({ pushFailures: true });

function article(id: number, section: string, title: string, published: string) {
  return {
    path: `content/articles/push/${id}.md`,
    text: `---\nid: ${id}\ntitle: ${title}\nsection: ${section}\npublished: ${published}\ntags: [Push]\n---\n\n${title}: the body.\n`,
  };
}

const SPORT_STORY = article(690001, 'sport', 'Team wins the final', '2025-12-30T10:00:00Z');
const ECONOMY_STORY = article(690002, 'economy', 'Markets rise', '2025-12-31T10:00:00Z');
const REMOVED = 'content/articles/2022/02/675972-beijing-winter-games-open.md';

function site(extraArticles: { path: string; text: string }[], without: string[] = []): ContentInput {
  const base = sampleContent();
  return {
    ...base,
    site: { ...base.site, text: `${base.site.text}\nhub: ${HUB}\n` },
    articles: [...base.articles.filter((a) => !without.includes(a.path)), ...extraArticles],
  };
}

async function postEvent(event: unknown, secret = TEST_PUBLISH_EVENTS_SECRET): Promise<Response> {
  return exports.default.fetch('https://www.presstv.ir/admin/v1/publish-events', {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
}

async function admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(`https://www.presstv.ir/admin/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${TEST_PUBLISH_EVENTS_SECRET}` },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

function webhookIds(deliveries: Delivery[]): string[] {
  return deliveries.map((d) => d.headers['webhook-id'] ?? '').sort();
}

/** Verifies with the standardwebhooks package, as a partner would; returns the payload. */
function verified(delivery: Delivery, secret: string) {
  return z.parse(webhookEventSchema, new Webhook(secret).verify(delivery.body, delivery.headers));
}

/** The payload checked against the WebhookEvent schema of the served OpenAPI document. */
async function expectDocumented(body: string): Promise<void> {
  const document: unknown = await (
    await exports.default.fetch('https://www.presstv.ir/api/v1/openapi.json')
  ).json();
  const root = Object.assign({}, document, { $ref: '#/components/schemas/WebhookEvent' }) as Schema;
  const result = new Validator(root, '2020-12', false).validate(JSON.parse(body));
  expect(result.errors, JSON.stringify(result.errors.slice(0, 3))).toEqual([]);
}

let sportEvent: PublishEvent;
let laterEvent: PublishEvent;

beforeAll(async () => {
  standIns.install();
  standIns.behave(FLAKY, failsThenRecovers(3));
  standIns.behave(DOWN, alwaysDown);
  await publish(site([]));
  const sport = pushEventOf(await publish(site([SPORT_STORY])));
  if (!sport) throw new Error('the sport publish produced no event');
  sportEvent = sport;
});

describe('a publish that changes the site feeds and one section', () => {
  it('names the changed scopes (site, section, the tag of the story) and one new change-log entry', () => {
    expect(sportEvent.to - sportEvent.from).toBe(1);
    expect(sportEvent.feeds).toEqual([
      '/atom.xml',
      '/feed.json',
      '/rss.xml',
      '/section/sport/atom.xml',
      '/section/sport/feed.json',
      '/section/sport/rss.xml',
      '/tag/push/atom.xml',
      '/tag/push/feed.json',
      '/tag/push/rss.xml',
    ]);
  });

  it('pings the hub once per feed URL per host', async () => {
    const response = await postEvent(sportEvent);
    expect(response.status).toBe(202);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const expected = ORIGINS.flatMap((origin) => sportEvent.feeds.map((path) => `${origin}${path}`)).sort();
    await eventually(() => standIns.to(HUB_HOST).length >= expected.length);
    await settle(200);
    const pings = standIns.to(HUB_HOST);
    expect(pings.map((p) => p.url)).toEqual(Array(expected.length).fill(HUB));
    for (const ping of pings) {
      expect(ping.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(new URLSearchParams(ping.body).get('hub.mode')).toBe('publish');
    }
    expect(pings.map((p) => new URLSearchParams(p.body).get('hub.url')).sort()).toEqual(expected);
  });

  it('delivers the change to a partner, signed so the standardwebhooks library verifies it', async () => {
    await eventually(() => standIns.accepted(WIRE).length === 1);
    const [delivery] = standIns.accepted(WIRE);
    if (!delivery) throw new Error('no delivery');
    expect(delivery.url).toBe('https://wire.partner.example/hooks/mirrorwire');
    expect(delivery.headers['webhook-id']).toBe(`${sportEvent.to}:wire`);
    const payload = verified(delivery, TEST_WEBHOOK_SECRETS.WEBHOOK_SECRET_WIRE);
    expect(payload.type).toBe('article.upsert');
    expect(payload.data).toMatchObject({ seq: sportEvent.to, type: 'upsert', id: 690001 });
    // URLs name the canonical host, never the placeholder origin.
    expect(delivery.body).toContain('https://www.presstv.ir/Detail/2025/12/30/690001/');
    expect(delivery.body).not.toContain('mirrorwire.invalid');
    await expectDocumented(delivery.body);
    // Signed with another partner's secret, it does not verify.
    expect(() => verified(delivery, TEST_WEBHOOK_SECRETS.WEBHOOK_SECRET_FLAKY)).toThrow();
  });
});

describe('later publishes', () => {
  beforeAll(async () => {
    const later = pushEventOf(await publish(site([SPORT_STORY, ECONOMY_STORY], [REMOVED])));
    if (!later) throw new Error('the later publish produced no event');
    laterEvent = later;
    expect((await postEvent(laterEvent)).status).toBe(202);
  });

  it('sends a filtered partner only its sections, and every removal', async () => {
    await eventually(() => standIns.accepted(WIRE).length === 3);
    await settle(200);
    const sport = standIns.accepted(SPORT).map((d) => verified(d, TEST_WEBHOOK_SECRETS.WEBHOOK_SECRET_SPORT));
    expect(sport.map((p) => `${p.type} ${p.data.id}`)).toEqual([
      'article.upsert 690001',
      'article.removal 675972',
    ]);
  });

  it('gives a receiver that fails three times then recovers every event exactly once after de-duplication', async () => {
    const all = Array.from(
      { length: laterEvent.to - sportEvent.from },
      (_, i) => `${sportEvent.from + i + 1}:flaky`,
    );
    await eventually(() => new Set(webhookIds(standIns.accepted(FLAKY))).size === all.length);
    const accepted = standIns.accepted(FLAKY);
    expect([...new Set(webhookIds(accepted))]).toEqual(all);
    for (const delivery of accepted) verified(delivery, TEST_WEBHOOK_SECRETS.WEBHOOK_SECRET_FLAKY);
    // Each event was attempted four times under one id: the id is what a receiver de-duplicates on.
    expect(webhookIds(standIns.to(FLAKY))).toEqual(all.flatMap((id) => [id, id, id, id]).sort());
  });

  it('files a delivery that never succeeds as a dead letter, and a replay delivers it', async () => {
    const all = Array.from(
      { length: laterEvent.to - sportEvent.from },
      (_, i) => `${sportEvent.from + i + 1}:down`,
    );
    let letters: { id: string; attempts: number; error: string | null }[] = [];
    await eventually(async () => {
      const body = (await (await admin('GET', '/dead-letters')).json()) as { data: typeof letters };
      letters = body.data;
      return letters.length === all.length;
    });
    expect(letters.map((l) => l.id).sort()).toEqual(all);
    for (const letter of letters) expect(letter).toMatchObject({ attempts: 13, error: 'HTTP 503' });
    expect(standIns.to(DOWN)).toHaveLength(13 * all.length);
    expect(standIns.accepted(DOWN)).toHaveLength(0);

    standIns.behave(DOWN, answerOk);
    const replay = await admin('POST', '/dead-letters/replay', { all: true });
    expect(((await replay.json()) as { data: { replayed: string[] } }).data.replayed.sort()).toEqual(all);
    await eventually(() => standIns.accepted(DOWN).length === all.length);
    expect(webhookIds(standIns.accepted(DOWN))).toEqual(all);
    for (const delivery of standIns.accepted(DOWN))
      verified(delivery, TEST_WEBHOOK_SECRETS.WEBHOOK_SECRET_DOWN);
    const after = (await (await admin('GET', '/dead-letters')).json()) as {
      data: unknown[];
      retrying: unknown[];
    };
    expect(after).toEqual({ data: [], retrying: [] });
  });

  it('sends nothing for a publish that changes nothing', async () => {
    await settle(300);
    const before = standIns.deliveries.length;
    const again = await publish(site([SPORT_STORY, ECONOMY_STORY], [REMOVED]));
    expect(pushEventOf(again)).toBeNull();
    // Even if asked, an empty event queues nothing.
    const gen = again.records.manifest.manifest.gen ?? 1;
    const response = await postEvent({ gen, from: laterEvent.to, to: laterEvent.to, feeds: [] });
    expect(await response.json()).toEqual({ data: { queued: 0, websub: 0, webhooks: 0 } });
    await settle(500);
    expect(standIns.deliveries).toHaveLength(before);
  });
});

describe('the admin endpoint', () => {
  it('refuses a missing or wrong secret, and a malformed event', async () => {
    const missing = await exports.default.fetch('https://www.presstv.ir/admin/v1/publish-events', {
      method: 'POST',
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('WWW-Authenticate')).toBe('Bearer realm="mirrorwire admin"');
    const wrong = await postEvent(sportEvent, 'not-the-secret');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const backwards = await postEvent({ ...sportEvent, from: 5, to: 4 });
    expect(backwards.status).toBe(400);
    const offSite = await postEvent({ ...sportEvent, feeds: ['//evil.example/rss.xml'] });
    expect(offSite.status).toBe(400);
  });
});

describe('the consumer', () => {
  it('retries a change this location does not see yet, and sends nothing', async () => {
    const before = standIns.deliveries.length;
    const batch = createMessageBatch('mirrorwire-push', [
      {
        id: 'ahead',
        timestamp: new Date(),
        attempts: 1,
        body: { kind: 'webhook', seq: 9999, partner: 'wire' },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['ahead']);
    expect(result.explicitAcks).toEqual([]);
    expect(standIns.deliveries).toHaveLength(before);
    const status = (await (await admin('GET', '/dead-letters')).json()) as {
      retrying: { id: string; error: string }[];
    };
    expect(status.retrying).toEqual([
      expect.objectContaining({ id: '9999:wire', error: 'change 9999 is not visible here yet' }),
    ]);
  });
});
