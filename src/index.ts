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
import { searchRoutes } from './routes/search';
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
app.route('/', searchRoutes);
app.route('/', wellKnownRoutes);
app.options('*', answerOptions);

app.notFound(respondNotFound);
app.onError(respondToError);

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    try {
      return await app.fetch(request, env, ctx);
    } catch (error) {
      // Only reached if the error handler itself failed: answer plainly rather than let the
      // runtime send its own page, and log one line like every other failure (no stack trace).
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
      console.error(
        JSON.stringify({ level: 'error', status: 500, reason: `error handler failed: ${reason}` }),
      );
      return new Response('500 Something went wrong', {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store' },
      });
    }
  },
} satisfies ExportedHandler<Env>;
