// The storage layer is the bottom one: it owns key shapes, the records it decodes and the manifest
// cache, and imports nothing from HTTP, the API, SEO or sites. Routes ask it for named things. The
// feed writers are used by the publish (its index builders), never the other way round.
import { describe, expect, it } from 'vitest';

const storage = import.meta.glob<string>('/src/storage/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const routes = import.meta.glob<string>('/src/routes/*.{ts,tsx}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const feeds = import.meta.glob<string>('/src/feeds/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const importsOf = (source: string) => [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');

describe('the storage layer', () => {
  it('has its modules', () => {
    expect(Object.keys(storage)).toEqual(
      expect.arrayContaining([
        '/src/storage/repository.ts',
        '/src/storage/keys.ts',
        '/src/storage/records.ts',
      ]),
    );
  });

  it.each(Object.entries(storage))('%s imports nothing from http, api, seo or sites', (_, source) => {
    expect(importsOf(source).filter((path) => /^\.\.\/(http|api|seo|sites)\//.test(path))).toEqual([]);
  });

  it.each(Object.entries(routes))('%s builds no storage key', (_, source) => {
    expect(importsOf(source)).not.toContain('../storage/keys');
  });
});

describe('the feed writers', () => {
  it.each(Object.entries(feeds))('%s imports nothing from the publish', (_, source) => {
    expect(importsOf(source).filter((path) => path.startsWith('../publish/'))).toEqual([]);
  });
});
