// What a caught value says, for messages: an Error's message, anything else as text.
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
