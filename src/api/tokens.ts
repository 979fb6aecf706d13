// Opaque list cursors and change-log tokens: base64url JSON, decoded through a schema so that a
// hand-made or damaged token is a 400, never a crash. Opaque so their content can change in v1.
import * as z from 'zod/mini';
import type { CursorPlace } from './paging';

const cursorSchema = z.strictObject({
  /** The filters the cursor was issued for: it is refused with any others. */
  f: z.string(),
  b: z.int().check(z.nonnegative()),
  t: z.int(),
  i: z.int().check(z.positive()),
});

const changeTokenSchema = z.strictObject({ s: z.int().check(z.nonnegative()) });

export interface ListCursor extends CursorPlace {
  filters: string;
}

function encode(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decode<S extends z.ZodMiniType>(token: string, schema: S): z.output<S> | null {
  try {
    const binary = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (ch) => ch.charCodeAt(0)),
    );
    const parsed = z.safeParse(schema, JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not base64url, not UTF-8 or not JSON: the caller answers 400 for any unreadable token.
    return null;
  }
}

export function encodeCursor(cursor: ListCursor): string {
  return encode({ f: cursor.filters, b: cursor.bucket, t: cursor.after.t, i: cursor.after.i });
}

export function decodeCursor(token: string): ListCursor | null {
  const value = decode(token, cursorSchema);
  return value && { filters: value.f, bucket: value.b, after: { t: value.t, i: value.i } };
}

export function encodeChangeToken(seq: number): string {
  return encode({ s: seq });
}

export function decodeChangeToken(token: string): number | null {
  return decode(token, changeTokenSchema)?.s ?? null;
}
