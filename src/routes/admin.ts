// The operator surface under /admin/v1, for the publish command and `npm run webhooks`: take a
// publish's events onto the push queue, show the deliveries that failed, and replay dead letters.
// Every route needs PUBLISH_EVENTS_SECRET as a bearer token; nothing here is ever cached.
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as z from 'zod/mini';
import type { AppEnv } from '../env';
import { ApiError, invalidParameter } from '../http/errors';
import { DeliveryStore } from '../push/delivery-store';
import { pushMessagesFor, sendMessages } from '../push/enqueue';
import { isEmptyEvent, publishEventSchema } from '../push/messages';
import { PartnerConfigError, readPartners } from '../push/partners';

const REALM = 'Bearer realm="mirrorwire admin"';
/** Publish events are a few KB; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

const replaySchema = z.strictObject({
  ids: z.optional(z.array(z.string()).check(z.minLength(1), z.maxLength(1000))),
  all: z.optional(z.literal(true)),
});

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}

/**
 * Constant-time comparison of the bearer token with the secret: both are hashed first, so the
 * comparison sees equal lengths and its time says nothing about either value.
 */
async function isSecret(presented: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented), digest(secret)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

const adminAuth = () =>
  createMiddleware<AppEnv>(async function adminAuth(c, next) {
    const secret = c.env.PUBLISH_EVENTS_SECRET;
    if (secret === undefined || secret.trim() === '') {
      throw new ApiError(503, 'not_configured', 'PUBLISH_EVENTS_SECRET is not set on this worker.');
    }
    const presented = /^Bearer +([\x21-\x7e]+) *$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!presented || !(await isSecret(presented, secret.trim()))) {
      throw new ApiError(401, 'unauthorized', 'This endpoint needs the publish events secret.', {
        headers: { 'WWW-Authenticate': presented ? `${REALM}, error="invalid_token"` : REALM },
      });
    }
    await next();
    c.header('Cache-Control', 'no-store');
  });

async function jsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw invalidParameter('body', 'The body is too large.');
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message would echo the body; naming the problem is enough.
    throw invalidParameter('body', 'The body must be JSON.');
  }
}

function partnersOf(raw: string | undefined) {
  try {
    return readPartners(raw);
  } catch (error) {
    if (!(error instanceof PartnerConfigError)) throw error;
    throw new ApiError(500, 'misconfigured', error.message);
  }
}

/** `9:wire` before `10:wire`: ids start with the change's sequence number. */
function byId(a: { id: string }, b: { id: string }): number {
  return a.id.localeCompare(b.id, 'en', { numeric: true });
}

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use(adminAuth());

/** A publish's events: one queue message per (event, receiver), answered once all are enqueued. */
adminRoutes.post('/publish-events', async (c) => {
  const parsed = z.safeParse(publishEventSchema, await jsonBody(c.req.raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidParameter(String(issue?.path[0] ?? 'body'), issue?.message ?? 'not a publish event');
  }
  const event = parsed.data;
  const messages = isEmptyEvent(event)
    ? []
    : pushMessagesFor(event, c.var.site.config, partnersOf(c.env.WEBHOOK_PARTNERS));
  await sendMessages(c.env.PUSH_QUEUE, messages);
  const websub = messages.filter((m) => m.kind === 'websub').length;
  return c.json({ data: { queued: messages.length, websub, webhooks: messages.length - websub } }, 202);
});

/** Dead letters (retries used up) and the deliveries still being retried, with their last error. */
adminRoutes.get('/dead-letters', async (c) => {
  const store = new DeliveryStore(c.env.DELIVERIES);
  const [dead, retrying] = await Promise.all([store.deadLetters(), store.retrying()]);
  return c.json({ data: dead.sort(byId), retrying: retrying.sort(byId) });
});

/** Puts dead letters back on the queue, with their ids unchanged so receivers can de-duplicate. */
adminRoutes.post('/dead-letters/replay', async (c) => {
  const parsed = z.safeParse(replaySchema, await jsonBody(c.req.raw));
  if (!parsed.success || (parsed.data.ids === undefined) === (parsed.data.all === undefined)) {
    throw invalidParameter('body', 'Send {"ids": ["…"]} or {"all": true}.');
  }
  const store = new DeliveryStore(c.env.DELIVERIES);
  const wanted = parsed.data.ids ? new Set(parsed.data.ids) : null;
  const letters = (await store.deadLetters()).filter((letter) => wanted === null || wanted.has(letter.id));
  await sendMessages(
    c.env.PUSH_QUEUE,
    letters.map((letter) => letter.message),
  );
  await Promise.all(letters.map((letter) => store.release(letter.id)));
  const replayed = letters.map((letter) => letter.id);
  const unknown = wanted ? [...wanted].filter((id) => !replayed.includes(id)) : [];
  return c.json({ data: { replayed, unknown } });
});
