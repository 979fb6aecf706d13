// The DELIVERIES namespace, and the only module that touches it: the last failure of each delivery
// still being retried, and the dead letters (deliveries that used up their retries) until replayed.
// Kept apart from ARTICLES, which only the publish command writes.
import * as z from 'zod/mini';
import { deliveryId, type PushMessage, pushMessageSchema } from './messages';

/** A failure record outlives the longest retry schedule (12 retries at most an hour apart) by far. */
const FAILURE_TTL_SECONDS = 7 * 24 * 3600;
/** Longest error text kept: enough for a status line and a response's first words. */
const MAX_ERROR_CHARS = 300;

const failureSchema = z.object({
  id: z.string(),
  message: pushMessageSchema,
  attempts: z.int().check(z.positive()),
  error: z.string(),
  at: z.string(),
});

const deadLetterSchema = z.object({
  id: z.string(),
  message: pushMessageSchema,
  /** Attempts made before it was given up (from the last failure record; 0 when unknown). */
  attempts: z.int().check(z.nonnegative()),
  /** The last attempt's error, when it was recorded. */
  error: z.nullable(z.string()),
  /** When the dead-letter queue handed it over. */
  deadAt: z.string(),
});

export type DeliveryFailure = z.output<typeof failureSchema>;
export type DeadLetter = z.output<typeof deadLetterSchema>;

const failureKey = (id: string): string => `failure:v1:${id}`;
const deadKey = (id: string): string => `dead:v1:${id}`;

function decode<S extends z.ZodMiniType>(schema: S, text: string | null): z.output<S> | null {
  if (text === null) return null;
  try {
    const result = z.safeParse(schema, JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    // A record this module did not write (or a hand edit) is treated as absent, never thrown:
    // the status view must stay readable whatever one record holds.
    return null;
  }
}

export class DeliveryStore {
  constructor(private readonly kv: KVNamespace) {}

  async recordFailure(message: PushMessage, attempts: number, error: string, now: Date): Promise<void> {
    const id = deliveryId(message);
    const record: DeliveryFailure = {
      id,
      message,
      attempts,
      error: error.slice(0, MAX_ERROR_CHARS),
      at: now.toISOString(),
    };
    await this.kv.put(failureKey(id), JSON.stringify(record), { expirationTtl: FAILURE_TTL_SECONDS });
  }

  /** Called after a success: only deliveries that failed before have a record to remove. */
  async clearFailure(message: PushMessage, hadFailed: boolean): Promise<void> {
    if (hadFailed) await this.kv.delete(failureKey(deliveryId(message)));
  }

  /** Moves a message that used up its retries to the dead letters, with its last recorded error. */
  async bury(message: PushMessage, now: Date): Promise<DeadLetter> {
    const id = deliveryId(message);
    const failure = decode(failureSchema, await this.kv.get(failureKey(id), 'text'));
    const letter: DeadLetter = {
      id,
      message,
      attempts: failure?.attempts ?? 0,
      error: failure?.error ?? null,
      deadAt: now.toISOString(),
    };
    await this.kv.put(deadKey(id), JSON.stringify(letter));
    await this.kv.delete(failureKey(id));
    return letter;
  }

  deadLetters(): Promise<DeadLetter[]> {
    return this.listRecords('dead:v1:', deadLetterSchema);
  }

  /** Deliveries that failed at least once and are waiting for their next attempt. */
  retrying(): Promise<DeliveryFailure[]> {
    return this.listRecords('failure:v1:', failureSchema);
  }

  /** Forgets a dead letter once it is back on the queue. */
  async release(id: string): Promise<void> {
    await this.kv.delete(deadKey(id));
  }

  private async listRecords<S extends z.ZodMiniType>(prefix: string, schema: S): Promise<z.output<S>[]> {
    const records: z.output<S>[] = [];
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<unknown> = await this.kv.list({ prefix, ...(cursor && { cursor }) });
      const values = await Promise.all(page.keys.map((key) => this.kv.get(key.name, 'text')));
      for (const value of values) {
        const record = decode(schema, value);
        if (record !== null) records.push(record);
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return records;
  }
}
