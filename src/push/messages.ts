// What travels from a publish to the receivers: the publish event the CLI posts to the worker
// (POST /admin/v1/publish-events), and the queue messages it becomes, one per (event, receiver).
// Messages name their event, not its content: the consumer reads the change from KV when it delivers.
import * as z from 'zod/mini';

/** At most this many change-log entries per event: the CLI splits a larger range (a first publish). */
export const MAX_EVENT_CHANGES = 1000;
/** At most this many changed feed paths per event (every scope × three formats fits easily). */
export const MAX_EVENT_FEEDS = 3000;

const seqSchema = () => z.int().check(z.nonnegative());

// A root-relative path (`/rss.xml`, `/section/russia/atom.xml`): never `//host`, no query, no spaces.
const FEED_PATH = /^\/(?!\/)[A-Za-z0-9._~%!$&'()*+,;=:@/-]{1,300}$/;

/**
 * One publish, as the publisher reports it: change-log entries `from + 1 … to` (none when equal)
 * and the feeds whose bytes changed, as root-relative paths (the worker adds every serving origin).
 */
export const publishEventSchema = z
  .strictObject({
    /** The publish's generation (manifest `gen`): WebSub pings wait until this location sees it. */
    gen: z.int().check(z.positive()),
    from: seqSchema(),
    to: seqSchema(),
    feeds: z
      .array(z.string().check(z.regex(FEED_PATH, 'must be a root-relative feed path')))
      .check(z.maxLength(MAX_EVENT_FEEDS)),
  })
  .check(
    z.refine((event) => event.to >= event.from, { message: 'to must not be below from', path: ['to'] }),
    z.refine((event) => event.to - event.from <= MAX_EVENT_CHANGES, {
      message: `at most ${MAX_EVENT_CHANGES} changes per event`,
      path: ['to'],
    }),
  );

export type PublishEvent = z.output<typeof publishEventSchema>;

/** A WebSub publish ping: tell `hub` that `topic` (one feed on one host) changed in publish `gen`. */
const websubMessageSchema = z.strictObject({
  kind: z.literal('websub'),
  gen: z.int().check(z.positive()),
  hub: z.string(),
  topic: z.string(),
});

/** A partner webhook: change-log entry `seq`, for the partner configured as `partner`. */
const webhookMessageSchema = z.strictObject({
  kind: z.literal('webhook'),
  seq: z.int().check(z.positive()),
  partner: z.string(),
});

export const pushMessageSchema = z.discriminatedUnion('kind', [websubMessageSchema, webhookMessageSchema]);

export type PushMessage = z.output<typeof pushMessageSchema>;
export type WebhookMessage = z.output<typeof webhookMessageSchema>;
export type WebsubMessage = z.output<typeof websubMessageSchema>;

/**
 * The delivery's stable id, the same on every attempt and replay: a webhook's `webhook-id` is
 * `{seq}:{partner}`, so a receiver de-duplicates on it.
 */
export function deliveryId(message: PushMessage): string {
  return message.kind === 'webhook'
    ? `${message.seq}:${message.partner}`
    : `websub:${message.gen}:${message.topic}`;
}

/** An event that would send nothing: no change and no feed. */
export function isEmptyEvent(event: PublishEvent): boolean {
  return event.to === event.from && event.feeds.length === 0;
}
