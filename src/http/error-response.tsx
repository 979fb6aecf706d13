// Turns every failure into a deliberate response in the format of the surface that failed
// (HTML page, JSON error), logs it as one structured line, and never leaks a stack trace.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../env';
import { ErrorPage, errorTitle } from '../views/ErrorPage';
import { renderPage } from '../views/render-page';
import { CACHE_POLICY } from './cache-policy';
import { ApiError, CorruptRecordError, NotPublishedError, StorageUnavailableError } from './errors';
import { htmlSecurityHeaders } from './security-headers';

/** Seconds a client should wait after a 503 before retrying. */
const RETRY_AFTER_SECONDS = 30;

interface Failure {
  status: ContentfulStatusCode;
  /** Safe to show: written by us, never derived from the request. */
  message: string;
  /** For the log line only. */
  reason: string;
  /** API errors: a code more precise than the status, the parameter at fault, extra headers. */
  code?: string;
  parameter?: string;
  headers?: Record<string, string>;
}

/** The API answers in JSON everywhere under /api, even on paths that match no route. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

function classify(error: unknown): Failure {
  if (error instanceof ApiError) {
    return {
      status: error.status as ContentfulStatusCode,
      message: error.message,
      reason: error.message,
      code: error.code,
      ...error.details,
    };
  }
  if (error instanceof HTTPException) {
    return {
      status: error.status as ContentfulStatusCode,
      message: error.message || errorTitle(error.status),
      reason: error.message,
    };
  }
  if (error instanceof StorageUnavailableError || error instanceof NotPublishedError) {
    return { status: 503, message: errorTitle(503), reason: error.message };
  }
  if (error instanceof CorruptRecordError) {
    return { status: 500, message: errorTitle(500), reason: error.message };
  }
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
  return { status: 500, message: errorTitle(500), reason };
}

const API_ERROR_CODES: Record<number, string> = {
  400: 'invalid_parameter',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  429: 'rate_limited',
  503: 'unavailable',
};

function errorCode(status: number): string {
  return API_ERROR_CODES[status] ?? errorTitle(status).toLowerCase().replace(/\s+/g, '_');
}

/**
 * Machine-readable surfaces answer errors in their own format family, so a feed reader or API
 * client never has to parse an HTML page. First match wins; anything else gets the HTML page.
 */
const ERROR_FORMATS: {
  matches: (path: string) => boolean;
  render: (c: Context<AppEnv>, f: Failure) => Response;
}[] = [
  { matches: (path) => isApiPath(path) || path.endsWith('.json'), render: renderJsonError },
  { matches: (path) => path.endsWith('.xml') || path.endsWith('.opml'), render: renderXmlError },
];

function renderJsonError(c: Context<AppEnv>, failure: Failure): Response {
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  const { code = errorCode(failure.status), message, parameter } = failure;
  const body = JSON.stringify({ error: { code, message, ...(parameter && { parameter }) } });
  // CONTRACT §5: every Content-Type names its charset; Hono's default for JSON does not.
  return c.body(body, failure.status, { 'Content-Type': 'application/json; charset=UTF-8' });
}

function renderXmlError(c: Context<AppEnv>, failure: Failure): Response {
  const body = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<error><code>${errorCode(failure.status)}</code><message>${escapeXml(failure.message)}</message></error>`,
    '',
  ].join('\n');
  return c.body(body, failure.status, { 'Content-Type': 'application/xml; charset=UTF-8' });
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export async function respondToError(error: unknown, c: Context<AppEnv>): Promise<Response> {
  const failure = classify(error);
  logFailure(c, failure);
  return renderFailure(c, failure);
}

export function respondNotFound(c: Context<AppEnv>): Promise<Response> {
  const message = isApiPath(c.req.path)
    ? 'Nothing is served at this path: see /api/v1/openapi.json.'
    : errorTitle(404);
  return renderFailure(c, { status: 404, message, reason: 'no route' });
}

async function renderFailure(c: Context<AppEnv>, failure: Failure): Promise<Response> {
  const { status } = failure;
  c.header('Cache-Control', status === 404 ? CACHE_POLICY.error : CACHE_POLICY.none);
  if (status === 503) c.header('Retry-After', String(RETRY_AFTER_SECONDS));
  const api = isApiPath(c.req.path);
  if (status === 405) c.header('Allow', api ? 'GET, HEAD, OPTIONS' : 'GET, HEAD');

  const format = ERROR_FORMATS.find((f) => f.matches(c.req.path));
  if (format) return format.render(c, failure);
  const site = c.get('site');
  // Without a resolved site (421, 503 before the manifest) there is no layout to render. The text
  // is fixed: a 421 must never echo the name it refuses (CONTRACT §3).
  if (!site) return c.text(`${status} ${errorTitle(status)}`, status);
  await htmlSecurityHeaders()(c, async () => {});
  return renderPage(
    c,
    <ErrorPage site={site.config} sections={site.manifest.sections} status={status} />,
    status,
  );
}

function logFailure(c: Context<AppEnv>, failure: Failure): void {
  if (failure.status < 500) return;
  console.error(
    JSON.stringify({
      level: 'error',
      requestId: c.req.header('cf-ray') ?? crypto.randomUUID(),
      method: c.req.method,
      route: c.req.routePath,
      status: failure.status,
      reason: failure.reason,
    }),
  );
}
