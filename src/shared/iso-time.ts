// Instants as records and headers write them: ISO 8601 in UTC to the whole second
// (`2022-01-18T14:05:00Z`). Shared by the worker and publish, so it imports nothing.

/** `2022-01-18T14:05:00Z`: the fraction of a second is dropped, not rounded. */
export function isoSeconds(time: number | Date): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
