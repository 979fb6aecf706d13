// App assembly: middleware order, surface mounts, and the one error handler.
// Order matters: timing wraps everything; the site (Host) is resolved before any route runs.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { apiCors } from './api/gate';
import type { AppEnv } from './env';
import { respondNotFound, respondToError } from './http/error-response';
import { serverTiming } from './http/server-timing';
import { apiRoutes } from './routes/api';
import { assetRoutes } from './routes/assets';
import { feedRoutes } from './routes/feeds';
import { htmlRoutes } from './routes/html';
import { seoRoutes } from './routes/seo';
import { wellKnownRoutes } from './routes/well-known';
import { siteMiddleware } from './sites/site-middleware';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const app = new Hono<AppEnv>();

app.use(serverTiming());
app.use(siteMiddleware());
// Before readOnly: preflights are answered here, and API errors (405 included) stay readable cross-origin.
app.use('/api/*', apiCors());
app.use(async function readOnly(c, next) {
  // Every surface is read-only: anything but a read is refused before routing.
  if (!READ_METHODS.has(c.req.method))
    throw new HTTPException(405, { message: 'Only GET and HEAD are allowed.' });
  await next();
});

app.route('/api/v1', apiRoutes);
app.route('/', assetRoutes);
app.route('/', seoRoutes);
app.route('/', feedRoutes);
app.route('/', htmlRoutes);
app.route('/', wellKnownRoutes);

app.notFound(respondNotFound);
app.onError(respondToError);

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
