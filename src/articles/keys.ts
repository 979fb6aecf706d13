// KV key names: one function per key shape, versioned so a format change can be rolled out
// beside the old keys. docs/storage.md documents every shape with an example record.

/** Site configuration and content version: read by every request (memoised per isolate). */
export const manifestKey = (): string => 'site:v1';

export const articleKey = (id: number): string => `article:v1:${id}`;

export const homeListKey = (): string => 'list:v2:home';

/** A section's newest articles (reader page 1): rewritten by every publish that adds to the section. */
export const sectionHeadKey = (slug: string): string => `list:v2:section:${slug}:head`;

/** Closed chronological bucket `bucket` of a section (1 = oldest): written once, when it fills. */
export const sectionBucketKey = (slug: string, bucket: number): string =>
  `list:v2:section:${slug}:b${bucket}`;

/** Every key prefix the publish step owns: keys under them that it did not produce are deleted. */
export const OWNED_KEY_PREFIXES = ['site:', 'article:', 'list:'] as const;
