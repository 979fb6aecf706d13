// App assembly: middleware order, surface mounts, and the one error handler.
// Order matters: timing wraps everything; the site (Host) is resolved before any route runs.
import { Hono } from 'hono';
import { apiCors } from './api/gate';
import type { AppEnv } from './env';
import { respondNotFound, respondToError } from './http/error-response';
import { answerOptions, requestGuard } from './http/request-guard';
import { serverTiming } from './http/server-timing';
import { apiRoutes } from './routes/api';
import { assetRoutes } from './routes/assets';
import { feedRoutes } from './routes/feeds';
import { htmlRoutes } from './routes/html';
import { seoRoutes } from './routes/seo';
import { wellKnownRoutes } from './routes/well-known';
import { siteMiddleware } from './sites/site-middleware';

const app = new Hono<AppEnv>();

app.use(serverTiming());
app.use(siteMiddleware());
// Before the guard: preflights are answered here, and API errors (405 included) stay readable cross-origin.
app.use('/api/*', apiCors());
// After the site, so that refusals are rendered in its layout; before routing, so no route sees them.
app.use(requestGuard());

app.route('/api/v1', apiRoutes);
app.route('/', assetRoutes);
app.route('/', seoRoutes);
app.route('/', feedRoutes);
app.route('/', htmlRoutes);
app.route('/', wellKnownRoutes);
app.options('*', answerOptions);

app.notFound(respondNotFound);
app.onError(respondToError);

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
