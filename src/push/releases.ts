// Scheduled releases push like publishes do: the event publish stored with each release (what it
// would have sent to /admin/v1/publish-events) is queued once the cron has applied the release.
import * as z from 'zod/mini';
import { manifestKey } from '../storage/keys';
import { manifestSchema } from '../storage/records';
import type { AppliedRelease } from '../storage/scheduled-release';
import { pushMessagesFor, sendMessages } from './enqueue';
import { isEmptyEvent, publishEventSchema } from './messages';
import { readPartners } from './partners';

export async function pushReleases(
  applied: AppliedRelease[],
  env: Pick<Env, 'ARTICLES' | 'PUSH_QUEUE' | 'WEBHOOK_PARTNERS'>,
): Promise<void> {
  // The manifest the last release wrote: its hosts are the ones the pings name.
  const text = await env.ARTICLES.get(manifestKey(), 'text');
  if (text === null) return;
  const { site } = manifestSchema.parse(JSON.parse(text));
  const partners = readPartners(env.WEBHOOK_PARTNERS);
  for (const release of applied) {
    const event = z.safeParse(publishEventSchema, release.event);
    if (!event.success || isEmptyEvent(event.data)) continue;
    await sendMessages(env.PUSH_QUEUE, pushMessagesFor(event.data, site, partners));
  }
}
