// Resolves the request's Host once, into c.var.site; every URL is then built from it (urls.ts).
// Unknown hosts get 421 without their name anywhere in the response; redirect hosts get 301.
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { SiteConfig } from '../config/site-config';
import { CACHE_POLICY } from '../http/cache-policy';
import { hostOf, pathAndQuery } from '../http/request-url';
import type { RequestMetrics } from '../http/server-timing';
import { NotPublishedError } from '../storage/errors';
import type { Manifest } from '../storage/records';
import { ContentRepository } from '../storage/repository';
import { type HostKind, type HostResolution, resolveHost } from './resolve-host';
import { onionOrigin, sameRequestOn } from './urls';

/** The resolved serving context of one request. */
export interface Site {
  config: SiteConfig;
  manifest: Manifest;
  kind: HostKind;
  /** Normalised host name (with port for local hosts only): never the raw header. */
  host: string;
  /** `https://mirror.presstv.example`: base of every absolute URL in feeds and the API. */
  origin: string;
}

export type SiteVariables = { site: Site; repo: ContentRepository; metrics: RequestMetrics };

type SiteEnv = {
  Bindings: Pick<Env, 'ARTICLES' | 'ALLOW_LOCAL_HOSTS' | 'SITE_MANIFEST_TTL_SECONDS'>;
  Variables: SiteVariables;
};

interface MemoisedManifest {
  manifest: Manifest;
  fetchedAtMs: number;
}

// The manifest is read by every request, so each isolate keeps it for a few seconds: KV itself
// propagates writes within about 60 s, so a short memo adds no new kind of staleness. The memo
// never goes back: a location that still caches an older manifest cannot undo a newer one here.
const manifestMemo = new WeakMap<KVNamespace, MemoisedManifest>();

async function loadManifest(kv: KVNamespace, repo: ContentRepository, ttlSeconds: number): Promise<Manifest> {
  const memo = manifestMemo.get(kv);
  if (memo && Date.now() - memo.fetchedAtMs < ttlSeconds * 1000) return memo.manifest;
  const read = await repo.getManifest();
  if (!read) throw new NotPublishedError();
  const manifest = memo && (read.gen ?? 0) < (memo.manifest.gen ?? 0) ? memo.manifest : read;
  manifestMemo.set(kv, { manifest, fetchedAtMs: Date.now() });
  return manifest;
}

// Host resolution per site configuration, kept for the names it serves as they are spelled in it:
// a handful, so the memo stays small. Other spellings, unknown hosts and local ports are resolved
// each time, since anyone can send any number of them.
const resolvedHosts = new WeakMap<SiteConfig, Map<string, HostResolution>>();

function resolveKnownHost(rawHost: string, site: SiteConfig, allowLocal: boolean): HostResolution {
  let known = resolvedHosts.get(site);
  if (!known) {
    known = new Map();
    resolvedHosts.set(site, known);
  }
  // Local names are never kept, and only they depend on allowLocal: the raw host alone is the key.
  const kept = known.get(rawHost);
  if (kept) return kept;
  const resolution = resolveHost(rawHost, site, { allowLocal });
  if (resolution.type === 'serve' && resolution.kind !== 'local' && resolution.host === rawHost)
    known.set(rawHost, resolution);
  return resolution;
}

export const siteMiddleware = () =>
  createMiddleware<SiteEnv>(async function resolveSite(c, next) {
    const repo = new ContentRepository(c.env.ARTICLES, c.get('metrics'));
    c.set('repo', repo);
    const ttlSeconds = Number(c.env.SITE_MANIFEST_TTL_SECONDS) || 0;
    const manifest = await loadManifest(c.env.ARTICLES, repo, ttlSeconds);
    repo.useManifest(manifest);
    // The URL's authority is the Host header as the runtime received it (workerd refuses a request
    // whose Host is not a valid authority before the worker runs). Sliced, not parsed: every request pays for it.
    const resolution = resolveKnownHost(hostOf(c.req.url), manifest.site, c.env.ALLOW_LOCAL_HOSTS === 'true');

    if (resolution.type === 'unknown') {
      throw new HTTPException(421, { message: 'This host is not served here.' });
    }
    if (resolution.type === 'redirect') {
      // The origin comes from the config, so the Location never names the host that was asked for.
      c.header('Cache-Control', CACHE_POLICY.hostRedirect);
      return c.redirect(sameRequestOn(resolution.origin, pathAndQuery(c.req.url)), 301);
    }

    const { kind, host, origin } = resolution;
    c.set('site', { config: manifest.site, manifest, kind, host, origin });
    await next();
    // Set after the handler so that every primary response carries it: 200s, 304s and cache hits.
    if (kind === 'primary' && manifest.site.onion) {
      c.res.headers.set(
        'Onion-Location',
        sameRequestOn(onionOrigin(manifest.site.onion), pathAndQuery(c.req.url)),
      );
    }
  });
