// KV key names: one function per key shape, versioned so a format change can be rolled out
// beside the old keys. docs/storage.md documents every shape with an example record.

/** Site configuration and content version: read by every request (memoised per isolate). */
export const manifestKey = (): string => 'site:v1';

export const articleKey = (id: number): string => `article:v1:${id}`;

export const homeListKey = (): string => 'list:v1:home';

export const sectionListKey = (slug: string, page: number): string => `list:v1:section:${slug}:${page}`;

/** Every key prefix the publish step owns: keys under them that it did not produce are deleted. */
export const OWNED_KEY_PREFIXES = ['site:', 'article:', 'list:'] as const;
