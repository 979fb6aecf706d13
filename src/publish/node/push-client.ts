// The publisher's side of push delivery: sends a publish's event to the worker's admin endpoint
// (POST /admin/v1/publish-events, bearer PUBLISH_EVENTS_SECRET) and keeps any event it could not
// hand over in a file beside the publish state, so the next publish or `--resend` sends it.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { type PublishEvent, publishEventSchema } from '../../push/messages';
import { mergeEvents, splitEvent } from '../push-event';

export const SECRET_ENV = 'PUBLISH_EVENTS_SECRET';
export const PUSH_URL_ENV = 'MIRRORWIRE_PUSH_URL';
/** `wrangler dev`'s default address: where `npm start` serves. */
export const LOCAL_WORKER_URL = 'http://127.0.0.1:8787';

const REQUEST_TIMEOUT_MS = 15_000;
/** Tries per request: a deploy in progress or a blip should not leave events behind. */
const ATTEMPTS = 3;

export interface AdminTarget {
  /** The worker's origin: `https://www.presstv.ir`, `http://127.0.0.1:8787`. */
  origin: string;
  secret: string | undefined;
}

export class AdminRequestError extends Error {
  override readonly name = 'AdminRequestError';
}

/** `NAME=value` lines, as wrangler reads `.dev.vars` (quotes optional); absent file: none. */
async function readDevVar(path: string, name: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // No .dev.vars: the local worker has no secret either, so there is nothing to read.
    return undefined;
  }
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === name) return match[2]?.replace(/^(["'])(.*)\1$/, '$2');
  }
  return undefined;
}

/**
 * Where and how to reach the worker. Remote: `MIRRORWIRE_PUSH_URL` or the primary over https, the
 * secret from the environment. Local: `wrangler dev`'s address, the secret from the environment or
 * `.dev.vars` (the file `wrangler dev` gives the worker), so one value serves both sides.
 */
export async function adminTarget(options: {
  local: boolean;
  primary: string;
  env: NodeJS.ProcessEnv;
  devVarsPath?: string;
}): Promise<AdminTarget> {
  const { env, local } = options;
  const origin = (env[PUSH_URL_ENV] || (local ? LOCAL_WORKER_URL : `https://${options.primary}`)).replace(
    /\/+$/,
    '',
  );
  const secret =
    env[SECRET_ENV] || (local ? await readDevVar(options.devVarsPath ?? '.dev.vars', SECRET_ENV) : undefined);
  return { origin, secret: secret || undefined };
}

/** One authenticated request to /admin/v1, retried on network errors and 5xx; the JSON answer. */
export async function adminRequest(
  target: AdminTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  if (!target.secret) throw new AdminRequestError(`${SECRET_ENV} is not set`);
  const url = `${target.origin}/admin/v1${path}`;
  let lastError = 'no attempt';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 2)));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${target.secret}`,
          ...(body !== undefined && { 'Content-Type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      lastError = `${url} not reachable${cause}`;
      continue;
    }
    const text = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(text);
      } catch {
        // Something else answered at that address (a proxy page): not the worker.
        throw new AdminRequestError(`${url} did not answer with JSON`);
      }
    }
    const message = /"message":"([^"]*)"/.exec(text)?.[1] ?? text.slice(0, 200);
    lastError = `${url} answered ${response.status}: ${message}`;
    // A refusal (bad secret, bad event) will not change on a retry.
    if (response.status < 500) break;
  }
  throw new AdminRequestError(lastError);
}

const pendingSchema = z.object({ origin: z.string(), event: publishEventSchema });

async function readPending(path: string, origin: string): Promise<PublishEvent | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // No file: nothing is waiting.
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A garbled file (a crash mid-write) holds nothing usable; the next send replaces it.
    return null;
  }
  const parsed = z.safeParse(pendingSchema, json);
  // An event for another worker (the file moved, the URL changed) is not this worker's news.
  return parsed.success && parsed.data.origin === origin ? parsed.data.event : null;
}

export interface SendOutcome {
  /** What was sent (null: nothing to send). */
  event: PublishEvent | null;
  queued: number;
}

/**
 * Sends `event` together with any event an earlier run could not send. On failure the combined
 * event is saved to `pendingPath` and the error is thrown; on success the file is removed.
 */
export async function sendPublishEvent(
  target: AdminTarget,
  event: PublishEvent | null,
  pendingPath: string,
): Promise<SendOutcome> {
  const pending = await readPending(pendingPath, target.origin);
  const combined = pending && event ? mergeEvents(pending, event) : (pending ?? event);
  if (!combined) return { event: null, queued: 0 };
  let queued = 0;
  try {
    for (const part of splitEvent(combined)) {
      const answer = await adminRequest(target, 'POST', '/publish-events', part);
      const count = z.safeParse(z.object({ data: z.object({ queued: z.number() }) }), answer);
      queued += count.success ? count.data.data.queued : 0;
    }
  } catch (error) {
    await mkdir(dirname(pendingPath), { recursive: true });
    await writeFile(pendingPath, `${JSON.stringify({ origin: target.origin, event: combined })}\n`);
    throw error;
  }
  await rm(pendingPath, { force: true });
  return { event: combined, queued };
}

/** Where an event that could not be sent waits: beside the local state, or the remote compile cache. */
export function pendingEventPath(local: boolean, persistTo: string): string {
  return local
    ? join(persistTo, 'mirrorwire-push-pending.json')
    : '.wrangler/publish-cache/remote-push-pending.json';
}

/**
 * After a publish: hands its event to the worker, saying what happened in one line. Never fails the
 * publish, which is done: an event that could not be sent waits for the next publish or `--resend`.
 */
export async function notifyWorker(options: {
  event: PublishEvent | null;
  local: boolean;
  primary: string;
  persistTo: string;
  log: (line: string) => void;
}): Promise<void> {
  const { event, local, log } = options;
  const target = await adminTarget({ local, primary: options.primary, env: process.env });
  if (!target.secret) {
    if (event)
      log(`push: ${SECRET_ENV} is not set, so no WebSub ping or webhook for this publish (docs/push.md)`);
    return;
  }
  try {
    const sent = await sendPublishEvent(target, event, pendingEventPath(local, options.persistTo));
    if (!sent.event) return;
    const { from, to, feeds } = sent.event;
    const changes = to > from ? `changes ${from + 1}–${to}` : 'no change-log entry';
    log(
      `push: ${changes} and ${feeds.length} changed feeds sent to ${target.origin}: ${sent.queued} deliveries queued`,
    );
  } catch (error) {
    if (!(error instanceof AdminRequestError)) throw error;
    const flag = local ? '--local' : '--remote';
    log(
      `push: not sent (${error.message}); saved, it goes with the next publish or \`npm run webhooks -- ${flag} --resend\``,
    );
  }
}
