// Named HTTP failures (storage's own are in src/storage/errors.ts). app.onError (src/index.ts) turns each into
// a response in the right format for the surface; nothing else builds error responses.
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A partner API refusal with a machine-readable code (CONTRACT §6) and the headers it needs. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: { parameter?: string; headers?: Record<string, string> } = {},
  ) {
    super(status, { message });
  }
}

/** A bad request parameter: 400 naming it. */
export function invalidParameter(parameter: string, message: string): ApiError {
  return new ApiError(400, 'invalid_parameter', message, { parameter });
}

/**
 * 410 Gone: an article taken down for good (RFC 9110 §15.5.11). Its reason is the editors' public
 * text from content/, never the request's; the HTML page and the API show it.
 */
export class GoneError extends HTTPException {
  constructor(
    readonly removedAt: string,
    readonly reason: string | undefined,
  ) {
    super(410, { message: 'This article was removed.' });
  }
}
