// Adding or retiring a mirror is a publish, not a code change. The manifest is memoised per isolate,
// so these requests go to the worker's fetch handler with SITE_MANIFEST_TTL_SECONDS '0': each one
// sees the publish before it, as every isolate does once the memo expires.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import { repositoryArticles } from '../support/content';
import { muteExpectedLogLines } from '../support/expected-logs';
import { publish } from '../support/publish';
import { fetchWithBindings } from '../support/request';

/** Two sample articles: adding or retiring a host depends on site.yaml, not on the articles. */
const sampleContent = () => repositoryArticles([675904, 675738]);

const NEW_MIRROR = 'new.presstv.example';
const NEW_REDIRECT = 'presstv.example.net';

/** The repository's content with site.yaml edited as an editor would. */
function withSiteYaml(edit: (yaml: string) => string): ContentInput {
  const content = sampleContent();
  const text = edit(content.site.text);
  if (text === content.site.text) throw new Error('the edit changed nothing');
  return { ...content, site: { ...content.site, text } };
}

const addMirror = (yaml: string) =>
  yaml.replace('  - mirror.presstv.example\n', `  - mirror.presstv.example\n  - ${NEW_MIRROR}\n`);
const retireMirror = (yaml: string) => yaml.replace('  - mirror.presstv.example\n', '');
const addRedirect = (yaml: string) =>
  yaml.replace('  - presstv.ir\n', `  - presstv.ir\n  - ${NEW_REDIRECT}\n`);

function fetchFresh(url: string): Promise<Response> {
  return fetchWithBindings(url, { SITE_MANIFEST_TTL_SECONDS: '0' });
}

async function mirrorsDocument(): Promise<{ mirrors: string[]; updated: string }> {
  const response = await fetchFresh('https://www.presstv.ir/.well-known/mirrors.json');
  return response.json();
}

muteExpectedLogLines();
beforeAll(async () => {
  await publish(sampleContent(), new Date('2026-01-01T00:00:00Z'));
});

describe('adding and retiring a mirror by publishing', () => {
  it('refuses a host before it is published', async () => {
    const response = await fetchFresh(`https://${NEW_MIRROR}/`);
    expect(response.status).toBe(421);
  });

  it('serves a mirror once a publish adds it, and lists it in mirrors.json with a new time', async () => {
    const before = await mirrorsDocument();
    await publish(withSiteYaml(addMirror), new Date('2026-02-01T00:00:00Z'));

    const home = await fetchFresh(`https://${NEW_MIRROR}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(`<a href="https://${NEW_MIRROR}/" rel="nofollow">`);
    const article = await fetchFresh(`https://${NEW_MIRROR}/section/russia`);
    expect(article.status).toBe(200);
    await article.arrayBuffer();

    const after = await mirrorsDocument();
    expect(after.mirrors).toContain(`https://${NEW_MIRROR}/`);
    expect(after.updated).toBe('2026-02-01T00:00:00Z');
    expect(after.updated).not.toBe(before.updated);
  });

  it('keeps the hosts time when a publish changes only articles', async () => {
    const content = withSiteYaml(addMirror);
    const [first, ...rest] = content.articles;
    if (!first) throw new Error('no articles');
    // An edit, not a removal: a removed article could never come back for the tests after this one.
    const edited = { ...first, text: `${first.text.trimEnd()}\n\nA later paragraph.\n` };
    await publish({ ...content, articles: [edited, ...rest] }, new Date('2026-03-01T00:00:00Z'));
    expect((await mirrorsDocument()).updated).toBe('2026-02-01T00:00:00Z');
  });

  it('answers 421 on a mirror once a publish retires it, and drops it from mirrors.json', async () => {
    await publish(withSiteYaml(retireMirror), new Date('2026-04-01T00:00:00Z'));

    for (const path of ['/', '/section/russia', '/.well-known/mirrors.json', '/assets/site.css']) {
      const response = await fetchFresh(`https://mirror.presstv.example${path}`);
      expect(response.status).toBe(421);
      expect(await response.text()).not.toContain('mirror.presstv.example');
    }
    const after = await mirrorsDocument();
    expect(after.mirrors).toEqual(['https://presstv.example/']);
    expect(after.updated).toBe('2026-04-01T00:00:00Z');
    const home = await fetchFresh('https://www.presstv.ir/');
    expect(await home.text()).not.toContain('mirror.presstv.example');
  });

  it('redirects a host once a publish lists it under redirects', async () => {
    await publish(withSiteYaml(addRedirect), new Date('2026-05-01T00:00:00Z'));
    const response = await fetchFresh(`https://${NEW_REDIRECT}/section/russia?page=1`);
    expect(response.status).toBe(301);
    expect(response.headers.get('Location')).toBe('https://www.presstv.ir/section/russia?page=1');
  });
});
