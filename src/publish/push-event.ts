// What a finished publish tells the worker to push (docs/push.md): the change-log range it
// appended and the feeds whose bytes it rewrote, read off the write plan. Pure, so the tests build
// the same event the CLI sends.
import { FEED_FORMATS, type FeedFormat } from '../feeds/feed-formats';
import { isEmptyEvent, MAX_EVENT_CHANGES, type PublishEvent } from '../push/messages';
import type { PreparedPublish } from './pipeline';

/**
 * Where each feed scope's feeds are served: `feed:v1:{type}:{slug}:{format}` lives at
 * `{folder}/{slug}/{file}`; the site's own feeds (`feed:v1:site:{format}`) at the root. A new scope
 * (tag, author) is pinged as soon as its folder is listed here and its keys follow the shape.
 */
const SCOPE_FOLDERS: Readonly<Record<string, string>> = {
  section: '/section',
  tag: '/tag',
  author: '/author',
};

const FEED_KEY = /^feed:v1:(?:site|([a-z]+):([^:]+)):([a-z]+)$/;

function isFeedFormat(format: string): format is FeedFormat {
  return Object.hasOwn(FEED_FORMATS, format);
}

/** The root-relative path of the feed stored under `key`, or null for any other key (OPML, archives). */
export function feedPathOfKey(key: string): string | null {
  const match = FEED_KEY.exec(key);
  if (!match) return null;
  const [, type, slug, format = ''] = match;
  if (!isFeedFormat(format)) return null;
  const file = FEED_FORMATS[format].file;
  if (type === undefined || slug === undefined) return `/${file}`;
  const folder = SCOPE_FOLDERS[type];
  return folder === undefined ? null : `${folder}/${encodeURIComponent(slug)}/${file}`;
}

/** What a publish planned, as the push event reads it: its writes, change-log range and manifest. */
export type PushedPublish = Pick<PreparedPublish, 'plan' | 'changeLog'> & {
  records: { manifest: Pick<PreparedPublish['records']['manifest'], 'manifest'> };
};

/** The feeds this publish rewrote, as sorted root-relative paths (every host adds its origin). */
export function changedFeedPaths(prepared: Pick<PreparedPublish, 'plan'>): string[] {
  const paths = new Set<string>();
  for (const phase of prepared.plan.phases) {
    for (const write of phase.writes) {
      const path = feedPathOfKey(write.key);
      if (path !== null) paths.add(path);
    }
  }
  return [...paths].sort();
}

/** The event to send after this publish is written, or null when it changed nothing to push. */
export function pushEventOf(prepared: PushedPublish): PublishEvent | null {
  const gen = prepared.records.manifest.manifest.gen;
  if (gen === undefined) return null;
  const event: PublishEvent = {
    gen,
    from: prepared.changeLog.from,
    to: prepared.changeLog.to,
    feeds: changedFeedPaths(prepared),
  };
  return isEmptyEvent(event) ? null : event;
}

/** Two events not yet sent, as one: the later publish's range continues the earlier one's. */
export function mergeEvents(earlier: PublishEvent, later: PublishEvent): PublishEvent {
  return {
    gen: Math.max(earlier.gen, later.gen),
    from: Math.min(earlier.from, later.from),
    to: Math.max(earlier.to, later.to),
    feeds: [...new Set([...earlier.feeds, ...later.feeds])].sort(),
  };
}

/** Events small enough for the worker: ranges of at most MAX_EVENT_CHANGES, the feeds with the first. */
export function splitEvent(event: PublishEvent, most = MAX_EVENT_CHANGES): PublishEvent[] {
  const parts: PublishEvent[] = [];
  for (let from = event.from; from < event.to || parts.length === 0; from += most) {
    parts.push({
      gen: event.gen,
      from,
      to: Math.min(event.to, from + most),
      feeds: parts.length ? [] : event.feeds,
    });
  }
  return parts;
}
