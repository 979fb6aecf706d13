// Host resolution: one pure function decides how a request's Host is served.
// It is the only place that interprets the Host header (see site-middleware.ts).
import type { SiteConfig } from '../config/site-config';
import { httpsOrigin, onionOrigin } from './urls';

export type HostKind = 'primary' | 'mirror' | 'onion' | 'local';

export type HostResolution =
  | { type: 'serve'; kind: HostKind; host: string; origin: string }
  | { type: 'redirect'; origin: string }
  | { type: 'unknown' };

export interface ResolveOptions {
  /** Serve localhost and 127.0.0.1 (any port) over http; only `npm start` / `wrangler dev` set this. */
  allowLocal: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const DEFAULT_PORTS = new Set(['', '80', '443']);
const HOST_WITH_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+?)\.?(?::(\d{1,5}))?$/;
// A DNS name is at most 253 characters; with a trailing dot and a port a Host is a little longer.
const MAX_HOST_LENGTH = 253 + 1 + 6;
// The published config cannot list an IP (its schema wants a name ending in a letter), but refusing
// them here as well keeps "IP literals are never served" true of this function on its own.
const IP_LITERAL = /^(?:\[.*\]|[\d.]+)$/;

/**
 * Resolves a raw Host header against the published site configuration.
 * Case and a trailing dot are ignored, and so are the default ports; any other port is
 * only accepted on local hosts. IP literals (but the local 127.0.0.1 and [::1]), empty
 * and unknown names are `unknown` (421). Redirect hosts always point at the primary,
 * never at anything taken from the request.
 */
export function resolveHost(
  rawHost: string | undefined,
  site: SiteConfig,
  options: ResolveOptions,
): HostResolution {
  const candidate = (rawHost ?? '').trim().toLowerCase();
  if (candidate.length > MAX_HOST_LENGTH) return { type: 'unknown' };
  const match = HOST_WITH_PORT.exec(candidate);
  if (!match?.[1]) return { type: 'unknown' };
  const name = match[1];
  const port = match[2] ?? '';

  if (LOCAL_HOSTS.has(name)) {
    if (!options.allowLocal) return { type: 'unknown' };
    const host = port ? `${name}:${port}` : name;
    return { type: 'serve', kind: 'local', host, origin: `http://${host}` };
  }
  if (!DEFAULT_PORTS.has(port) || IP_LITERAL.test(name)) return { type: 'unknown' };

  if (name === site.primary) return { type: 'serve', kind: 'primary', host: name, origin: httpsOrigin(name) };
  if (site.mirrors.includes(name))
    return { type: 'serve', kind: 'mirror', host: name, origin: httpsOrigin(name) };
  if (site.onion === name) return { type: 'serve', kind: 'onion', host: name, origin: onionOrigin(name) };
  if (site.redirects.includes(name)) return { type: 'redirect', origin: httpsOrigin(site.primary) };
  return { type: 'unknown' };
}
