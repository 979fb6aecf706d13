// A corrected article, as every surface shows it on the primary and a mirror: the page lists the
// corrections with their times, and JSON-LD, the three feeds, the API and the change log agree.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContentInput } from '../../src/content/compile';
import { repositoryArticles } from '../support/content';
import { elementsByClass, elementsByTag, parseHtml, textOf } from '../support/html';
import { publish } from '../support/publish';
import { fetchWorker, get, MIRROR, PRIMARY } from '../support/request';
import { childrenNamed, onlyChild, parseXml } from '../support/xml';

/** Two sample articles beside the corrected one: the corrections are that article’s alone. */
const sampleContent = () => repositoryArticles([675904, 675768]);

const ID = 990200;
const PATH = `/Detail/2022/01/18/${ID}/Talks-stall-again`;
const FIRST = {
  at: '2022-01-19T10:00:00Z',
  text: 'An earlier version misnamed the venue <Geneva> & the date.',
};
const SECOND = { at: '2022-01-20T08:30:00Z', text: 'The minister spoke on Tuesday, not Monday.' };
const HOSTS = [PRIMARY, MIRROR];

function corrected(corrections: { at: string; text: string }[]): ContentInput {
  const input = sampleContent();
  const list = corrections.map((c) => `  - at: ${c.at}\n    text: '${c.text}'`).join('\n');
  input.articles.push({
    path: 'content/articles/corrected.md',
    text: [
      '---',
      `id: ${ID}`,
      'title: Talks stall again',
      'section: russia',
      'published: 2022-01-18T14:05:00Z',
      // Earlier than the latest correction: raised to it.
      'updated: 2022-01-19T09:00:00Z',
      'corrections:',
      list,
      '---',
      '',
      'The talks stalled again.',
      '',
    ].join('\n'),
  });
  return input;
}

async function text(host: string, path: string): Promise<string> {
  const response = await get(host, path);
  expect(response.status, `${host}${path}`).toBe(200);
  return response.text();
}

beforeAll(async () => {
  await publish(corrected([SECOND, FIRST]));
});

describe('a corrected article', () => {
  it.each(HOSTS)('lists its corrections under the article with their times on %s', async (host) => {
    const doc = parseHtml(await text(host, PATH));
    const [section] = elementsByClass(doc, 'section', 'corrections');
    const [body] = elementsByClass(doc, 'div', 'body');
    expect(section && body).toBeTruthy();
    const items = elementsByClass(doc, 'p', 'correction');
    expect(items.map((p) => textOf(p)?.replace(/\s+/g, ' ').trim())).toEqual([
      `Correction, 19 January 2022: ${FIRST.text}`,
      `Correction, 20 January 2022: ${SECOND.text}`,
    ]);
    const times = items.flatMap((p) => elementsByTag(p, 'time').map((t) => t.attribs.datetime));
    expect(times).toEqual([FIRST.at, SECOND.at]);
    // Its dateline's last update follows the latest correction, not the earlier `updated`.
    const [updated] = elementsByClass(doc, 'span', 'updated');
    expect(elementsByTag(updated ?? doc, 'time')[0]?.attribs.datetime).toBe(SECOND.at);
  });

  it('carries dateModified and each correction as a CorrectionComment in JSON-LD', async () => {
    const doc = parseHtml(await text(MIRROR, PATH));
    const script = elementsByTag(doc, 'script').find((s) => s.attribs.type === 'application/ld+json');
    const ld = JSON.parse(textOf(script) ?? '');
    expect(ld.dateModified).toBe(SECOND.at);
    expect(ld.correction).toEqual([
      { '@type': 'CorrectionComment', text: FIRST.text, datePublished: FIRST.at },
      { '@type': 'CorrectionComment', text: SECOND.text, datePublished: SECOND.at },
    ]);
  });

  it.each(HOSTS)(
    'is updated in Atom and JSON Feed, with a note atop its RSS content, on %s',
    async (host) => {
      for (const base of ['', '/section/russia']) {
        const atom = parseXml(await text(host, `${base}/atom.xml`));
        const entry = childrenNamed(atom, 'entry').find((e) => onlyChild(e, 'id').text.endsWith(`:${ID}`));
        expect(entry && onlyChild(entry, 'updated').text).toBe(SECOND.at);
        expect(entry && onlyChild(entry, 'published').text).toBe('2022-01-18T14:05:00Z');

        const json = JSON.parse(await text(host, `${base}/feed.json`));
        const item = json.items.find((i: { id: string }) => i.id.endsWith(`:${ID}`));
        expect(item.date_modified).toBe(SECOND.at);
        expect(item.date_published).toBe('2022-01-18T14:05:00Z');

        const channel = onlyChild(parseXml(await text(host, `${base}/rss.xml`)), 'channel');
        const rssItem = childrenNamed(channel, 'item').find((i) =>
          onlyChild(i, 'guid').text.endsWith(`:${ID}`),
        );
        const content = parseHtml(rssItem ? onlyChild(rssItem, 'content:encoded').text : '');
        const first = content.children.find((node) => 'name' in node);
        expect(first && 'name' in first && first.name).toBe('p');
        expect(elementsByClass(content, 'p', 'correction').map((p) => textOf(p))).toEqual([
          `Correction, 19 January 2022: ${FIRST.text}`,
          `Correction, 20 January 2022: ${SECOND.text}`,
        ]);
      }
    },
  );

  it.each(HOSTS)('carries the corrections and the raised updated in the API on %s', async (host) => {
    const { data } = JSON.parse(await text(host, `/api/v1/articles/${ID}`));
    expect(data.updated).toBe(SECOND.at);
    expect(data.corrections).toEqual([FIRST, SECOND]);
    // An uncorrected article has no `corrections` at all.
    const { data: plain } = JSON.parse(await text(host, '/api/v1/articles/675904'));
    expect(plain).not.toHaveProperty('corrections');
  });

  it('describes corrections in the OpenAPI document', async () => {
    const doc = JSON.parse(await text(PRIMARY, '/api/v1/openapi.json'));
    const article = doc.components.schemas.Article;
    expect(article.properties.corrections.type).toBe('array');
    expect(article.properties.corrections.items.$ref).toBe('#/components/schemas/Correction');
    expect(article.required).not.toContain('corrections');
    expect(doc.components.schemas.Correction.required).toEqual(['at', 'text']);
  });

  it('logs a new correction in /changes as an upsert carrying it', async () => {
    const before = JSON.parse(await text(PRIMARY, '/api/v1/changes'));
    const THIRD = { at: '2022-02-01T12:00:00Z', text: 'A quote was attributed to the wrong official.' };
    await publish(corrected([FIRST, SECOND, THIRD]), new Date('2026-01-02T00:00:00Z'));
    const after = JSON.parse(
      await (await fetchWorker(`https://${MIRROR}/api/v1/changes?since=${before.next_token}`)).text(),
    );
    expect(after.data).toHaveLength(1);
    expect(after.data[0]).toMatchObject({ type: 'upsert', id: ID });
    expect(after.data[0].article.updated).toBe(THIRD.at);
    expect(after.data[0].article.corrections).toEqual([FIRST, SECOND, THIRD]);
  });
});
