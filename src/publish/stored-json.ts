// Stored values publish reads back (the manifest, change-log pages, records): JSON, or undefined
// when a value does not parse. The caller names the key in its error; the parser's message would
// only quote the value.

/** null for an absent value, undefined for one that is not JSON. */
export function parseStored(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Undecodable is all a caller needs to know; it names the key.
    return undefined;
  }
}
