// Named failures that cross module boundaries. app.onError (src/index.ts) turns each into
// a response in the right format for the surface; nothing else builds error responses.

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
