// The app's Hono environment: bindings from wrangler.toml (worker-configuration.d.ts, made by
// `npm run types`) and the variables middleware sets for handlers.
import type { ServerTimingVariables } from './http/server-timing';
import type { SiteVariables } from './sites/site-middleware';

export type AppEnv = {
  Bindings: Env;
  Variables: ServerTimingVariables & SiteVariables;
};
