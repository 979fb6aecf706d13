// Host resolution: one pure function decides how a request's Host is served.
// It is the only place that interprets the Host header (see site-middleware.ts).
import type { SiteConfig } from './site-config';

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

/**
 * Resolves a raw Host header against the published site configuration.
 * Case and a trailing dot are ignored, and so are the default ports; any other port is
 * only accepted on local hosts. IP literals and unknown names are `unknown` (421).
 */
export function resolveHost(
  rawHost: string | undefined,
  site: SiteConfig,
  options: ResolveOptions,
): HostResolution {
  const match = HOST_WITH_PORT.exec((rawHost ?? '').trim().toLowerCase());
  if (!match?.[1]) return { type: 'unknown' };
  const name = match[1];
  const port = match[2] ?? '';

  if (LOCAL_HOSTS.has(name)) {
    if (!options.allowLocal) return { type: 'unknown' };
    const host = port ? `${name}:${port}` : name;
    return { type: 'serve', kind: 'local', host, origin: `http://${host}` };
  }
  if (!DEFAULT_PORTS.has(port)) return { type: 'unknown' };

  if (name === site.primary) return { type: 'serve', kind: 'primary', host: name, origin: `https://${name}` };
  if (site.mirrors.includes(name))
    return { type: 'serve', kind: 'mirror', host: name, origin: `https://${name}` };
  // Onion services are reached over http: Tor already encrypts and authenticates the hop.
  if (site.onion === name) return { type: 'serve', kind: 'onion', host: name, origin: `http://${name}` };
  if (site.redirects.includes(name)) return { type: 'redirect', origin: `https://${site.primary}` };
  return { type: 'unknown' };
}
