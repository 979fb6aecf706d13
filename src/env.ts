// The app's Hono environment: bindings from wrangler.toml (worker-configuration.d.ts, made by
// `npm run types`), secrets set with `wrangler secret put`, and the variables middleware sets.
import type { ServerTimingVariables } from './http/server-timing';
import type { PageVariables } from './routes/page-etag';
import type { SiteVariables } from './sites/site-middleware';

/** Secrets: never in wrangler.toml, so `wrangler types` does not know them. */
export interface Secrets {
  /** Comma-separated partner API keys; when set (even empty), /api/v1 requires one of them. */
  PARTNER_KEYS?: string;
  /** Bearer token of /admin/v1 (publish events, dead letters); unset, those routes answer 503. */
  PUBLISH_EVENTS_SECRET?: string;
}

export type AppEnv = {
  Bindings: Env & Secrets;
  Variables: ServerTimingVariables & SiteVariables & PageVariables;
};
