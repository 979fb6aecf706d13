// A string joined from parts (a template literal past a dozen characters, `a + b`) is held by V8
// as a tree of its parts until something needs its characters in one piece, which then copies
// them and keeps the tree besides. Keys held for a whole publish (1.86 million at 500,000
// articles) are better copied into one piece as they are made, while the tree is still young and
// the collector drops it at once: held as trees and joined later by the content version's sort,
// 1.86 million keys took about 50 MB more in a script (docs/publishing-measured.md, "Keys held in
// one piece").

/**
 * The same string, its characters made one piece now. Reading a character of a joined string
 * makes V8 join it in place; the string is unchanged for any other purpose.
 */
export function flatString(text: string): string {
  text.charCodeAt(0);
  return text;
}
