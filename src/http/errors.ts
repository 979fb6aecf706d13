// Named failures that cross module boundaries. app.onError (src/index.ts) turns each into
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

/** A KV read threw: storage is unreachable, so the client should retry shortly. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`KV read failed for ${key}`, options);
  }
}

/** A stored value does not decode: a publish bug or a hand edit. Logged with its key. */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`record ${key} is corrupt: ${reason}`);
  }
}

/** Nothing has been published to this namespace yet. */
export class NotPublishedError extends Error {
  override readonly name = 'NotPublishedError';
  constructor() {
    super('no site manifest in KV: run `npm run publish`');
  }
}
