// A publish event becomes queue messages: one WebSub ping per changed feed on every serving host
// (each host's URL is its own topic) and one webhook per change-log entry and partner. Building is
// pure; sending goes out in the queue's largest batches.
import type { SiteConfig } from '../config/site-config';
import { absoluteUrl, httpsOrigin, onionOrigin } from '../sites/urls';
import type { PublishEvent, PushMessage } from './messages';
import type { Partner } from './partners';

/** Queues accept at most 100 messages (and 256 KB) per sendBatch; ours are a few hundred bytes each. */
const SEND_BATCH_SIZE = 100;

/** Every origin that serves the feeds: the primary and mirrors over https, the onion over http. */
export function servingOrigins(site: SiteConfig): string[] {
  return [
    httpsOrigin(site.primary),
    ...site.mirrors.map(httpsOrigin),
    ...(site.onion ? [onionOrigin(site.onion)] : []),
  ];
}

export function pushMessagesFor(event: PublishEvent, site: SiteConfig, partners: Partner[]): PushMessage[] {
  const messages: PushMessage[] = [];
  const { hub } = site;
  if (hub) {
    const topics = new Set(
      event.feeds.flatMap((path) => servingOrigins(site).map((origin) => absoluteUrl(origin, path))),
    );
    for (const topic of topics) messages.push({ kind: 'websub', gen: event.gen, hub, topic });
  }
  for (let seq = event.from + 1; seq <= event.to; seq++) {
    for (const partner of partners) messages.push({ kind: 'webhook', seq, partner: partner.name });
  }
  return messages;
}

export async function sendMessages(queue: Queue, messages: PushMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += SEND_BATCH_SIZE) {
    const batch = messages.slice(start, start + SEND_BATCH_SIZE).map((body) => ({ body }));
    await queue.sendBatch(batch);
  }
}
