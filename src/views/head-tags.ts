// Head elements written as strings, byte for byte as the JSX renderer writes them (attributes in
// the order given, absent ones left out, values escaped by the renderer's own function). hono/jsx
// renders each <meta>, <link> and <title> as a separate render with its own context (for hoisting
// into <head>), about 15 µs apiece: list pages write some twenty of them on every miss.
import { escapeToBuffer } from 'hono/utils/html';

/** Text or an attribute value, escaped exactly as the JSX renderer escapes it. */
export function escapeHtml(text: string): string {
  const buffer: [string] = [''];
  escapeToBuffer(text, buffer);
  return buffer[0];
}

/** `<meta …/>` or `<link …/>`, as JSX writes it. */
export function voidTag(tag: 'meta' | 'link', attributes: Record<string, string | undefined>): string {
  let markup = `<${tag}`;
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) markup += ` ${name}="${escapeHtml(value)}"`;
  return `${markup}/>`;
}
