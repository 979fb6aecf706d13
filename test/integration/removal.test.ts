// Removed articles through the real worker, on the primary and a mirror: one deleted from content/,
// one marked `removed: true` with a reason. 410 on the page and in the API, RFC 6721 tombstones in
// the Atom feeds for 30 days, a removal in /changes, gone from the sitemaps, the id never reused.

import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import { ContentError, formatProblem } from '../../src/content/problems';
import { TOMBSTONES_NAMESPACE } from '../../src/feeds/render-atom';
import { manifestKey } from '../../src/storage/keys';
import { repositoryContent } from '../support/content';
import { checkAtomEntry } from '../support/feed-checks';
import { elementsByClass, elementsByTag, parseHtml, textOf } from '../support/html';
import { publish } from '../support/publish';
import { fetchWorker, kvReads, MIRROR, PRIMARY } from '../support/request';
import { childrenNamed, onlyChild, parseXml, parseXmlRecord, type XmlNode } from '../support/xml';

const DELETED = { id: 990300, section: 'russia', path: '/Detail/2022/01/20/990300/Deleted-story' };
const WITHDRAWN = { id: 990301, section: 'economy', path: '/Detail/2022/01/21/990301/Withdrawn-story' };
const DRAFTED = { id: 990302, section: 'economy', path: '/Detail/2022/01/22/990302/Drafted-story' };
/** The newest article, beside the tombstones: its entry must stay sound. */
const LIVE = { id: 990303, section: 'economy', path: '/Detail/2023/01/01/990303/Live-story' };
const REASON = 'Withdrawn on legal advice <pending> & review.';
const HOSTS = [PRIMARY, MIRROR];
const FIRST = new Date('2026-01-01T00:00:00Z');
const REMOVED_AT = '2026-01-05T00:00:00Z';
/** The test's own client address: the API's rate limit counts per address. */
const CLIENT = { 'CF-Connecting-IP': '198.51.100.41' };

function articleFile(
  { id, section, path }: { id: number; section: string; path: string },
  extra = '',
): { path: string; text: string } {
  const [, , yyyy, mm, dd, , slug] = path.split('/');
  const title = (slug ?? '').replaceAll('-', ' ');
  return {
    path: `content/articles/${id}.md`,
    text: `---\nid: ${id}\ntitle: ${title}\nsection: ${section}\npublished: ${yyyy}-${mm}-${dd}T12:00:00Z\n${extra}---\n\nThe story.\n\n    let x = 1;\n`,
  };
}

function contentWith(...files: { path: string; text: string }[]): ContentInput {
  const input = repositoryContent();
  input.articles.push(articleFile(LIVE), ...files);
  return input;
}

const guidOf = (article: { id: number; path: string }) =>
  `tag:presstv.ir,${article.path.split('/').slice(2, 5).join('-')}:${article.id}`;

async function fetchFrom(host: string, path: string): Promise<Response> {
  return fetchWorker(new Request(`https://${host}${path}`, { headers: CLIENT, redirect: 'manual' }));
}

function tombstones(feed: XmlNode): XmlNode[] {
  return childrenNamed(feed, 'at:deleted-entry');
}

beforeAll(async () => {
  await publish(contentWith(articleFile(DELETED), articleFile(WITHDRAWN), articleFile(DRAFTED)), FIRST);
  // Then: one file deleted, one marked removed with a reason, one drafted.
  await publish(
    contentWith(
      articleFile(WITHDRAWN, `removed: true\nreason: '${REASON}'\n`),
      articleFile(DRAFTED, 'draft: true\n'),
    ),
    new Date(REMOVED_AT),
  );
});

describe('a removed article', () => {
  it.each(HOSTS)('answers 410 with a page in the layout saying so, and why, on %s', async (host) => {
    for (const [article, reason] of [
      [DELETED, undefined],
      [WITHDRAWN, REASON],
    ] as const) {
      const response = await fetchFrom(host, article.path);
      expect(response.status, article.path).toBe(410);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html; charset=UTF-8$/i);
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
      const doc = parseHtml(await response.text());
      expect(textOf(elementsByTag(doc, 'h1')[0])).toBe('Article removed');
      expect(elementsByTag(doc, 'nav').length).toBeGreaterThan(0);
      const [removal] = elementsByClass(doc, 'p', 'removal');
      expect(elementsByTag(removal ?? doc, 'time')[0]?.attribs.datetime).toBe(REMOVED_AT);
      expect(textOf(removal)).toBe(
        reason ? `Removed on 5 January 2026: ${reason}` : 'Removed on 5 January 2026.',
      );
    }
    // Any slug for the id: still gone, never redirected to the old address.
    expect((await fetchFrom(host, `/Detail/2022/01/20/${DELETED.id}/Other-words`)).status).toBe(410);
  });

  it('costs one read more than a page only when the article is missing', async () => {
    const found = await fetchFrom(PRIMARY, '/Detail/2022/01/18/675904/x');
    const gone = await fetchFrom(PRIMARY, DELETED.path);
    const unknown = await fetchFrom(PRIMARY, '/Detail/2022/01/18/999999/x');
    expect(unknown.status).toBe(404);
    expect(kvReads(gone)).toBe(kvReads(found) + 1);
    expect(kvReads(unknown)).toBe(kvReads(found) + 1);
  });

  it.each(HOSTS)('answers 410 in the API error format on %s', async (host) => {
    const deleted = await fetchFrom(host, `/api/v1/articles/${DELETED.id}`);
    expect(deleted.status).toBe(410);
    expect(deleted.headers.get('Content-Type')).toBe('application/json; charset=UTF-8');
    expect(await deleted.json()).toEqual({
      error: { code: 'gone', message: `Article ${DELETED.id} was removed on ${REMOVED_AT}.` },
    });
    const withdrawn = await fetchFrom(host, `/api/v1/articles/${WITHDRAWN.id}`);
    expect(await withdrawn.json()).toEqual({
      error: { code: 'gone', message: `Article ${WITHDRAWN.id} was removed on ${REMOVED_AT}: ${REASON}` },
    });
    expect((await fetchFrom(host, '/api/v1/articles/999999')).status).toBe(404);
  });

  it('describes the 410 in the OpenAPI document', async () => {
    const doc = await (await fetchFrom(PRIMARY, '/api/v1/openapi.json')).json<{
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    }>();
    expect(doc.paths['/articles/{id}']?.get.responses).toHaveProperty('410');
  });

  it('is logged as a removal in /changes, once', async () => {
    const { data } = await (await fetchFrom(MIRROR, '/api/v1/changes')).json<{
      data: { type: string; id: number; guid: string; removed_at?: string }[];
    }>();
    for (const article of [DELETED, WITHDRAWN, DRAFTED]) {
      const removals = data.filter((entry) => entry.id === article.id && entry.type === 'removal');
      expect(removals, String(article.id)).toEqual([
        {
          seq: expect.any(Number),
          type: 'removal',
          id: article.id,
          guid: guidOf(article),
          removed_at: REMOVED_AT,
        },
      ]);
    }
  });

  it.each(HOSTS)('is a valid RFC 6721 tombstone in the site and section Atom feeds on %s', async (host) => {
    const body = await (await fetchFrom(host, '/atom.xml')).text();
    const feed = parseXml(body);
    expect(feed.attributes['xmlns:at']).toBe(TOMBSTONES_NAMESPACE);
    const site = tombstones(feed);
    expect(site.map((t) => t.attributes)).toEqual([
      { ref: guidOf(WITHDRAWN), when: REMOVED_AT },
      { ref: guidOf(DELETED), when: REMOVED_AT },
    ]);
    const comment = onlyChild(site[0] as XmlNode, 'at:comment');
    expect(comment.attributes.type).toBe('text');
    expect(comment.text).toBe(REASON);
    expect(childrenNamed(site[1] as XmlNode, 'at:comment')).toEqual([]);
    // Neither is an entry any more, and the entries around them are intact.
    const ids = childrenNamed(feed, 'entry').map((e) => onlyChild(e, 'id').text);
    expect(ids).not.toContain(guidOf(DELETED));
    expect(ids).not.toContain(guidOf(WITHDRAWN));
    expect(
      checkAtomEntry(body, `https://${host}`, {
        guid: guidOf(LIVE),
        title: 'Live story',
        summary: 'The story.',
        author: 'Press TV',
        categories: ['Economy'],
        tags: [],
        byline: undefined,
        code: 'let x = 1;\n',
      }),
    ).toEqual([]);

    // Each section feed carries its own removals, and its parent's feed its children's.
    const refs = async (path: string) =>
      tombstones(parseXml(await (await fetchFrom(host, path)).text())).map((t) => t.attributes.ref);
    expect(await refs('/section/russia/atom.xml')).toEqual([guidOf(DELETED)]);
    expect(await refs('/section/news/atom.xml')).toEqual([guidOf(DELETED)]);
    expect(await refs('/section/economy/atom.xml')).toEqual([guidOf(WITHDRAWN)]);
    expect(await refs('/section/sport/atom.xml')).toEqual([]);
  });

  it('is in no sitemap', async () => {
    const index = parseXmlRecord(await (await fetchFrom(MIRROR, '/sitemap.xml')).text());
    const sitemaps = (index.sitemapindex as { sitemap: { loc: string }[] }).sitemap;
    const locs: string[] = [];
    for (const { loc } of sitemaps) {
      const sitemap = parseXmlRecord(await (await fetchFrom(MIRROR, new URL(loc).pathname)).text());
      locs.push(...((sitemap.urlset as { url?: { loc: string }[] }).url ?? []).map((u) => u.loc));
    }
    expect(locs.length).toBeGreaterThan(10);
    for (const article of [DELETED, WITHDRAWN, DRAFTED])
      expect(locs.filter((loc) => loc.includes(`/${article.id}/`))).toEqual([]);
  });
});

describe('a drafted article', () => {
  it('is a 404, not a removal: it may come back', async () => {
    expect((await fetchFrom(PRIMARY, DRAFTED.path)).status).toBe(404);
    expect((await fetchFrom(PRIMARY, `/api/v1/articles/${DRAFTED.id}`)).status).toBe(404);
  });
});

describe('a removed id', () => {
  it('is refused when a file reuses it, with path and line, and nothing is written', async () => {
    const manifest = await env.ARTICLES.get(manifestKey());
    const reuse = { path: 'content/articles/reuse.md', text: articleFile(DELETED).text };
    const error = await publish(
      contentWith(reuse, articleFile(WITHDRAWN, 'removed: true\n'), articleFile(DRAFTED)),
      new Date('2026-01-06T00:00:00Z'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems.map(formatProblem)).toEqual([
      `content/articles/reuse.md:2: id: ${DELETED.id} was removed on ${REMOVED_AT}; a removed id is never reused`,
    ]);
    expect(await env.ARTICLES.get(manifestKey())).toBe(manifest);
    // Un-removing a withdrawn file is reusing its id too.
    const unremoved = await publish(
      contentWith(articleFile(WITHDRAWN)),
      new Date('2026-01-06T00:00:00Z'),
    ).catch((e: unknown) => e);
    expect((unremoved as ContentError).problems.map(formatProblem)).toEqual([
      `content/articles/${WITHDRAWN.id}.md:2: id: ${WITHDRAWN.id} was removed on ${REMOVED_AT}; a removed id is never reused`,
    ]);
  });

  it('stays gone after its file is deleted too, and its tombstone leaves the feeds after 30 days', async () => {
    // The drafted article comes back; the withdrawn file is deleted: its reason is remembered.
    await publish(contentWith(articleFile(DRAFTED)), new Date('2026-01-10T00:00:00Z'));
    expect((await fetchFrom(MIRROR, DRAFTED.path)).status).toBe(200);
    const withdrawn = await fetchFrom(MIRROR, WITHDRAWN.path);
    expect(withdrawn.status).toBe(410);
    expect(await withdrawn.text()).toContain('Withdrawn on legal advice &lt;pending&gt; &amp; review.');
    expect(tombstones(parseXml(await (await fetchFrom(MIRROR, '/atom.xml')).text()))).toHaveLength(2);

    await publish(contentWith(articleFile(DRAFTED)), new Date('2026-02-05T00:00:00Z'));
    const feed = parseXml(await (await fetchFrom(PRIMARY, '/atom.xml')).text());
    expect(tombstones(feed)).toEqual([]);
    expect(feed.attributes['xmlns:at']).toBe(TOMBSTONES_NAMESPACE);
    expect((await fetchFrom(PRIMARY, DELETED.path)).status).toBe(410);
    expect((await fetchFrom(PRIMARY, `/api/v1/articles/${WITHDRAWN.id}`)).status).toBe(410);
  });
});
