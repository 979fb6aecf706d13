// A scheduled release as publish stores it (`release:v1:{gen}`) and the cron trigger reads it.
import * as z from 'zod/mini';

/** A release record: what the cron writes, phase by phase, then what it deletes. */
export const releaseRecordSchema = z.object({
  at: z.string(),
  gen: z.int(),
  phases: z.array(
    z.object({
      name: z.string(),
      writes: z.array(
        z.object({
          key: z.string(),
          value: z.string(),
          metadata: z.object({ hash: z.string(), gen: z.int() }),
        }),
      ),
    }),
  ),
  deletes: z.array(z.string()),
  /** What to push once applied (a publish event, src/push/messages.ts), as publish would have sent it. */
  event: z.optional(z.unknown()),
});

export type ReleaseRecord = z.output<typeof releaseRecordSchema>;
