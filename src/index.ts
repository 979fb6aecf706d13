// App assembly: middleware order, surface mounts, and the one error handler.
// Order matters: timing wraps everything; the site (Host) is resolved before any route runs.
import { Hono } from 'hono';
import type { AppEnv } from './env';
import { respondNotFound, respondToError } from './http/error-response';
import { requestGuard } from './http/request-guard';
import { serverTiming } from './http/server-timing';
import { assetRoutes } from './routes/assets';
import { htmlRoutes } from './routes/html';
import { siteMiddleware } from './sites/site-middleware';

const app = new Hono<AppEnv>();

app.use(serverTiming());
app.use(siteMiddleware());
// After the site, so that refusals are rendered in its layout; before routing, so no route sees them.
app.use(requestGuard());

app.route('/', assetRoutes);
app.route('/', htmlRoutes);

app.notFound(respondNotFound);
app.onError(respondToError);

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
