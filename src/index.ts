// App assembly: middleware order, surface mounts, and the one error handler.
// Order matters: timing wraps everything; the site (Host) is resolved before any route runs.
import { Hono } from 'hono';
import { apiCors } from './api/gate';
import type { AppEnv } from './env';
import { respondNotFound, respondToError } from './http/error-response';
import { answerOptions, requestGuard } from './http/request-guard';
import { serverTiming } from './http/server-timing';
import { handlePushBatch } from './push/consumer';
import { pushReleases } from './push/releases';
import { adminRoutes } from './routes/admin';
import { apiRoutes } from './routes/api';
import { assetRoutes } from './routes/assets';
import { feedRoutes } from './routes/feeds';
import { htmlRoutes } from './routes/html';
import { imageRoutes } from './routes/images';
import { searchRoutes } from './routes/search';
import { seoRoutes } from './routes/seo';
import { wellKnownRoutes } from './routes/well-known';
import { siteMiddleware } from './sites/site-middleware';
import { applyDueReleases } from './storage/scheduled-release';

const app = new Hono<AppEnv>();

app.use(serverTiming());
app.use(siteMiddleware());
// Before the guard: preflights are answered here, and API errors (405 included) stay readable cross-origin.
app.use('/api/*', apiCors());
// Before the guard, which refuses every write: publish events and replays are POSTs.
app.route('/admin/v1', adminRoutes);
// After the site, so that refusals are rendered in its layout; before routing, so no route sees them.
app.use(requestGuard());

app.route('/api/v1', apiRoutes);
// Before the assets: article images come from R2, the site's own images from public/.
app.route('/', imageRoutes);
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
  /** Each minute: scheduled articles go live (storage/scheduled-release.ts). */
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    const applied = await applyDueReleases(env.ARTICLES, controller.scheduledTime);
    if (applied.length === 0) return;
    console.log(JSON.stringify({ level: 'info', released: applied.map((release) => release.gen) }));
    await pushReleases(applied, env);
  },
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
  // Push deliveries (WebSub pings, partner webhooks) and their dead letters: src/push/consumer.ts.
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    await handlePushBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
