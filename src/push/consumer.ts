// The queue consumer beside `fetch`: delivers each push message (a WebSub ping, a signed partner
// webhook), acks what succeeded, retries the rest with exponential backoff through the queue, and
// files what the dead-letter queue hands back so operators can see it and replay it.
import * as z from 'zod/mini';
import { CHANGES_PAGE_SIZE } from '../api/paging';
import { type Change, type ChangesPage, changesPageSchema, type WebhookEvent } from '../api/schemas';
import { mayDeliverTo } from '../config/push-url';
import { fillOrigin } from '../sites/origin-placeholder';
import { httpsOrigin } from '../sites/urls';
import type { Manifest } from '../storage/records';
import { ContentRepository, type ReadObserver } from '../storage/repository';
import { DeliveryStore } from './delivery-store';
import {
  deliveryId,
  type PushMessage,
  pushMessageSchema,
  type WebhookMessage,
  type WebsubMessage,
} from './messages';
import { type Partner, partnerWants, readPartners } from './partners';
import { decodeWebhookSecret, signWebhook } from './standard-webhooks';

/** The dead-letter queue's name (wrangler.toml): its batches are filed, not delivered. */
export const DEAD_LETTER_QUEUE = 'mirrorwire-push-dead';

/** A receiver gets this long to answer before the attempt counts as failed. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Queues refuse a retry delay above 12 hours. */
const MAX_QUEUE_DELAY_SECONDS = 43_200;
const USER_AGENT = 'mirrorwire-push/1 (+https://www.standardwebhooks.com/)';

export type PushEnv = Pick<
  Env,
  | 'ARTICLES'
  | 'DELIVERIES'
  | 'ALLOW_LOCAL_HOSTS'
  | 'PUSH_RETRY_BASE_SECONDS'
  | 'PUSH_RETRY_MAX_SECONDS'
  | 'WEBHOOK_PARTNERS'
>;

/** The consumer serves no request: its reads are neither timed nor cached. */
const UNOBSERVED: ReadObserver = {
  recordKvRead() {
    // Nothing to report: Server-Timing belongs to requests.
  },
  recordVerdict() {
    // Nothing to cache: the consumer reads what it delivers once.
  },
};

/** An attempt that did not deliver; the message goes back on the queue (or, at last, to the dead letters). */
class NotDelivered extends Error {
  override readonly name = 'NotDelivered';
}

function numberOr(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(parsed) && parsed >= 0
    ? parsed
    : fallback;
}

/** Attempt n (1-based) failed: wait base·2^(n−1) seconds, at most the configured maximum. */
export function retryDelaySeconds(
  attempts: number,
  env: Pick<PushEnv, 'PUSH_RETRY_BASE_SECONDS' | 'PUSH_RETRY_MAX_SECONDS'>,
): number {
  const base = numberOr(env.PUSH_RETRY_BASE_SECONDS, 30);
  const most = Math.min(numberOr(env.PUSH_RETRY_MAX_SECONDS, 3600), MAX_QUEUE_DELAY_SECONDS);
  return Math.round(Math.min(most, base * 2 ** Math.max(0, attempts - 1)));
}

/** What one batch shares: the manifest and change-log pages are read once, not once per message. */
class BatchContext {
  private readonly repo: ContentRepository;
  private manifest: Promise<Manifest | null> | undefined;
  private readonly pages = new Map<number, Promise<ChangesPage | null>>();

  constructor(readonly env: PushEnv) {
    this.repo = new ContentRepository(env.ARTICLES, UNOBSERVED);
  }

  get allowLocal(): boolean {
    return this.env.ALLOW_LOCAL_HOSTS === 'true';
  }

  /** The manifest as this location sees it; later reads are judged against it. */
  async site(): Promise<Manifest> {
    this.manifest ??= this.repo.getManifest().then((manifest) => {
      if (manifest) this.repo.useManifest(manifest);
      return manifest;
    });
    const manifest = await this.manifest;
    if (!manifest) throw new NotDelivered('nothing is published yet');
    return manifest;
  }

  async change(seq: number): Promise<Change> {
    const manifest = await this.site();
    // A publish's entries count only once its manifest commits them; until this location sees that
    // manifest, the change is not news here yet.
    if ((manifest.changes?.head ?? 0) < seq) throw new NotDelivered(`change ${seq} is not visible here yet`);
    const page = Math.floor((seq - 1) / CHANGES_PAGE_SIZE);
    let read = this.pages.get(page);
    if (!read) {
      read = this.repo.getChangesPage(page, changesPageSchema);
      this.pages.set(page, read);
    }
    const entry = (await read)?.entries.find((candidate) => candidate.seq === seq);
    if (!entry) throw new NotDelivered(`change ${seq} is not visible here yet`);
    return entry;
  }
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'User-Agent': USER_AGENT, ...headers },
      body,
      // A redirect is not an answer: following it would send the body somewhere unconfigured.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
  } catch (error) {
    throw new NotDelivered(error instanceof Error ? `${error.name}: ${error.message}` : 'fetch failed');
  }
  // The body is not needed; cancelling it frees the connection.
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) throw new NotDelivered(`HTTP ${response.status}`);
}

/** WebSub: `hub.mode=publish` with the topic, once this location serves the publish that changed it. */
async function pingHub(message: WebsubMessage, context: BatchContext): Promise<void> {
  if (!mayDeliverTo(message.hub, context.allowLocal)) throw new NotDelivered('hub URL is not allowed here');
  const manifest = await context.site();
  // The hub fetches the topic right after the ping: before the new feed is served, it would find nothing new.
  if ((manifest.gen ?? 0) < message.gen)
    throw new NotDelivered(`publish ${message.gen} is not visible here yet`);
  const form = new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': message.topic });
  await post(message.hub, { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString());
}

function secretNamed(env: PushEnv, name: string): string | undefined {
  const value: unknown = Object.getOwnPropertyDescriptor(env, name)?.value;
  return typeof value === 'string' ? value : undefined;
}

/** The body partners receive: Standard Webhooks' recommended envelope around the change-log entry. */
export function webhookBody(change: Change, primary: string): string {
  const payload: WebhookEvent =
    change.type === 'upsert'
      ? { type: 'article.upsert', timestamp: change.changed_at, data: change }
      : { type: 'article.removal', timestamp: change.removed_at, data: change };
  // Entries are stored with the placeholder origin; webhooks name the canonical (primary) host.
  return fillOrigin(JSON.stringify(payload), httpsOrigin(primary));
}

async function sendWebhook(
  message: WebhookMessage,
  partner: Partner,
  context: BatchContext,
): Promise<boolean> {
  if (!mayDeliverTo(partner.url, context.allowLocal))
    throw new NotDelivered('partner URL is not allowed here');
  const secret = secretNamed(context.env, partner.secret);
  if (secret === undefined) throw new NotDelivered(`secret ${partner.secret} is not set`);
  const key = decodeWebhookSecret(secret, partner.secret);
  const change = await context.change(message.seq);
  const manifest = await context.site();
  if (!partnerWants(partner, change, manifest.site)) return false;
  const body = webhookBody(change, manifest.site.primary);
  const signed = await signWebhook(key, deliveryId(message), Math.floor(Date.now() / 1000), body);
  await post(partner.url, { 'Content-Type': 'application/json', ...signed }, body);
  return true;
}

/** Delivers one message; true when something was sent, false when its partner does not want it. */
async function deliver(message: PushMessage, context: BatchContext): Promise<boolean> {
  if (message.kind === 'websub') {
    await pingHub(message, context);
    return true;
  }
  const partner = readPartners(context.env.WEBHOOK_PARTNERS).find((p) => p.name === message.partner);
  // A partner removed from the configuration gets nothing more: dropping is what removing means.
  if (!partner) return false;
  return sendWebhook(message, partner, context);
}

function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

async function deliverOne(raw: Message<unknown>, context: BatchContext, store: DeliveryStore): Promise<void> {
  const decoded = z.safeParse(pushMessageSchema, raw.body);
  if (!decoded.success) {
    // Nothing this worker enqueued: no attempt can ever deliver it.
    log({ level: 'error', push: 'undecodable', queueMessage: raw.id });
    raw.ack();
    return;
  }
  const message = decoded.data;
  try {
    await deliver(message, context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown failure';
    const delaySeconds = retryDelaySeconds(raw.attempts, context.env);
    log({
      level: 'warn',
      push: 'retry',
      id: deliveryId(message),
      attempt: raw.attempts,
      delaySeconds,
      reason,
    });
    raw.retry({ delaySeconds });
    await store.recordFailure(message, raw.attempts, reason, new Date()).catch(() => {
      // The record only feeds the status view; failing to write it must not lose the retry.
    });
    return;
  }
  raw.ack();
  await store.clearFailure(message, raw.attempts > 1).catch(() => {
    // A stale failure record expires by itself; the delivery itself is done and acked.
  });
}

/** Files each message the dead-letter queue delivers; a failed write retries it on that queue. */
async function buryAll(batch: MessageBatch<unknown>, store: DeliveryStore): Promise<void> {
  await Promise.all(
    batch.messages.map(async (raw) => {
      const decoded = z.safeParse(pushMessageSchema, raw.body);
      if (!decoded.success) {
        log({ level: 'error', push: 'undecodable-dead-letter', queueMessage: raw.id });
        raw.ack();
        return;
      }
      try {
        const letter = await store.bury(decoded.data, new Date());
        log({ level: 'error', push: 'dead', id: letter.id, attempts: letter.attempts, reason: letter.error });
        raw.ack();
      } catch {
        // KV refused the write: the dead-letter queue redelivers, so the letter is not lost.
        raw.retry();
      }
    }),
  );
}

export async function handlePushBatch(batch: MessageBatch<unknown>, env: PushEnv): Promise<void> {
  const store = new DeliveryStore(env.DELIVERIES);
  if (batch.queue === DEAD_LETTER_QUEUE) {
    await buryAll(batch, store);
    return;
  }
  const context = new BatchContext(env);
  await Promise.all(batch.messages.map((raw) => deliverOne(raw, context, store)));
}
