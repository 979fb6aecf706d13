// Named storage failures. The storage layer throws them; app.onError (src/http/error-response.tsx)
// turns each into a response, so nothing below HTTP knows about status codes.

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
    super(`record ${key} is corrupt: ${reason}; \`npm run publish -- --repair\` rewrites it`);
  }
}

/**
 * The manifest says this key was written, but this location still holds no value for it (KV has
 * not propagated the write here yet, or cached its absence): the client should retry shortly.
 */
export class NotYetVisibleError extends Error {
  override readonly name = 'NotYetVisibleError';
  constructor(readonly key: string) {
    super(`${key} is published but not yet visible at this location`);
  }
}

/** Nothing has been published to this namespace yet. */
export class NotPublishedError extends Error {
  override readonly name = 'NotPublishedError';
  constructor() {
    super('no site manifest in KV: run `npm run publish`');
  }
}
