// Turns every failure into a deliberate response in the format of the surface that failed
// (HTML page, JSON error), logs it as one structured line, and never leaks a stack trace.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../env';
import { escapeText } from '../shared/xml';
import {
  CorruptRecordError,
  NotPublishedError,
  NotYetVisibleError,
  StorageUnavailableError,
} from '../storage/errors';
import { ErrorPage, errorTitle } from '../views/ErrorPage';
import { renderPage } from '../views/render-page';
import { CACHE_POLICY } from './cache-policy';
import { ApiError, GoneError } from './errors';
import { ALLOWED_METHODS } from './request-guard';
import { htmlSecurityHeaders } from './security-headers';

/** Seconds a client should wait after a 503 before retrying. */
const RETRY_AFTER_SECONDS = 30;
/** After a transient 503: KV propagates a write to every location within about a minute. */
const TRANSIENT_RETRY_AFTER_SECONDS = 10;

/** Returned on every error response, so a reader or partner can quote it and we can find the log line. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** 4xx worth a log line: they point at a broken client, link or DNS entry. 404s are only noise. */
const LOGGED_CLIENT_ERRORS = new Set([400, 405, 421]);

/** Longest path kept in a log line: enough to find the page, not a way to flood the logs. */
const LOGGED_PATH_CHARS = 256;

// Cloudflare's ray id (`8f2b1c3d4e5f6a7b-AMS`); anything else in the header is a client's invention.
const RAY_ID = /^[0-9a-f]{16}(?:-[A-Z]{3})?$/;

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
  /** Expected in normal operation (a write still propagating): logged as a warning, retried sooner. */
  transient?: true;
  /** A removed article (410): the page says when and why. */
  removal?: { removedAt: string; reason: string | undefined };
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
  if (error instanceof GoneError) {
    return {
      status: 410,
      message: error.message,
      reason: 'removed',
      removal: { removedAt: error.removedAt, reason: error.reason },
    };
  }
  if (error instanceof HTTPException) {
    return {
      status: error.status as ContentfulStatusCode,
      // HTTPException messages are ours (never built from the request), so the API may show them.
      message: error.message || errorTitle(error.status),
      reason: error.message || errorTitle(error.status),
    };
  }
  if (error instanceof StorageUnavailableError || error instanceof NotPublishedError) {
    return { status: 503, message: errorTitle(503), reason: error.message };
  }
  if (error instanceof NotYetVisibleError) {
    // Expected for a minute after a publish, at a location that cached the key's absence.
    return { status: 503, message: errorTitle(503), reason: error.message, transient: true };
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
  410: 'gone',
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
  {
    matches: (path) => isApiPath(path) || path.startsWith('/admin/') || path.endsWith('.json'),
    render: renderJsonError,
  },
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
    `<error><code>${errorCode(failure.status)}</code><message>${escapeText(failure.message)}</message></error>`,
    '',
  ].join('\n');
  return c.body(body, failure.status, { 'Content-Type': 'application/xml; charset=UTF-8' });
}

/** The platform's ray id when there is one, so our log line and Cloudflare's share an id. */
function requestIdOf(c: Context<AppEnv>): string {
  const ray = c.req.header('cf-ray');
  return ray && RAY_ID.test(ray) ? ray : crypto.randomUUID();
}

export async function respondToError(error: unknown, c: Context<AppEnv>): Promise<Response> {
  const failure = classify(error);
  const requestId = requestIdOf(c);
  logFailure(c, failure, requestId);
  return renderFailure(c, failure, requestId);
}

export function respondNotFound(c: Context<AppEnv>): Promise<Response> {
  const message = isApiPath(c.req.path)
    ? 'Nothing is served at this path: see /api/v1/openapi.json.'
    : errorTitle(404);
  return renderFailure(c, { status: 404, message, reason: 'no route' }, requestIdOf(c));
}

async function renderFailure(c: Context<AppEnv>, failure: Failure, requestId: string): Promise<Response> {
  const { status } = failure;
  // A removal is as settled as a missing page: both may be kept briefly, nothing else is.
  c.header('Cache-Control', status === 404 || status === 410 ? CACHE_POLICY.error : CACHE_POLICY.none);
  c.header(REQUEST_ID_HEADER, requestId);
  if (status === 503)
    c.header('Retry-After', String(failure.transient ? TRANSIENT_RETRY_AFTER_SECONDS : RETRY_AFTER_SECONDS));
  if (status === 405) c.header('Allow', ALLOWED_METHODS);

  const format = ERROR_FORMATS.find((f) => f.matches(c.req.path));
  if (format) return format.render(c, failure);
  const site = c.get('site');
  // Without a resolved site (421, 503 before the manifest) there is no layout to render. The text
  // is fixed: a 421 must never echo the name it refuses (CONTRACT §3).
  if (!site) {
    c.header('X-Content-Type-Options', 'nosniff');
    return c.text(`${status} ${errorTitle(status)}`, status);
  }
  await htmlSecurityHeaders()(c, async () => {});
  // 5xx pages are never stored, so they can name the request; 4xx pages stay byte-identical.
  const reference = status >= 500 ? requestId : undefined;
  return renderPage(
    c,
    <ErrorPage
      site={site.config}
      sections={site.manifest.sections}
      status={status}
      reference={reference}
      removal={failure.removal}
    />,
    status,
  );
}

/** One JSON line per logged failure: what an operator greps for, with the id the client was given. */
function logFailure(c: Context<AppEnv>, failure: Failure, requestId: string): void {
  if (failure.status < 500 && !LOGGED_CLIENT_ERRORS.has(failure.status)) return;
  const line = JSON.stringify({
    level: failure.status >= 500 && !failure.transient ? 'error' : 'warn',
    requestId,
    method: c.req.method.slice(0, 16),
    route: c.req.routePath,
    // Never the Host: an unknown host's name must not travel anywhere (421).
    path: c.req.path.slice(0, LOGGED_PATH_CHARS),
    status: failure.status,
    reason: failure.reason,
  });
  if (failure.status >= 500 && !failure.transient) console.error(line);
  else console.warn(line);
}
