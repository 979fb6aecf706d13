// Feeds given hostile titles, summaries and bodies: every feed must stay well-formed and inert.
// Its own file: the worker memoises the manifest per isolate, so a re-publish needs a fresh one.
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryArticles } from '../support/content';
import { publish } from '../support/publish';
import { get, PRIMARY } from '../support/request';
import { childrenNamed, descendants, onlyChild, parseXml, type XmlNode } from '../support/xml';

/** Two sample articles beside the hostile ones: the feeds are checked for what those carry. */
const sampleContent = () => repositoryArticles([675738, 675904]);

interface JsonFeedItem {
  title: string;
  summary: string;
  tags: string[];
  content_html: string;
}

describe('feeds given hostile markup', () => {
  const TITLE = 'Title</title><script>alert(1)</script>';
  const SUMMARY = 'A summary with ]]> twice ]]> and <b>tags</b> & ampersands.';
  // A writer that puts titles in CDATA and splits only the first `]]>` breaks here: two must survive.
  const CDATA_TITLE = 'Two CDATA ends ]]> and ]]> in one title & an &amp; entity';

  beforeAll(async () => {
    const input = sampleContent();
    const article = [
      '---',
      'id: 999001',
      `title: ${JSON.stringify(TITLE)}`,
      'section: sport',
      'published: 2022-04-01T00:00:00Z',
      `summary: ${JSON.stringify(SUMMARY)}`,
      'tags:',
      '  - "a<b & c"',
      '---',
      '',
      'A body with a CDATA end ]]> in text, another ]]> here, and <b>raw ]]> HTML</b>.',
      '',
      '<p title="x ]]> y">An attribute ]]></p><script>alert(2)</script>',
      '',
    ].join('\n');
    const second = article
      .replace('id: 999001', 'id: 999002')
      .replace(`title: ${JSON.stringify(TITLE)}`, `title: ${JSON.stringify(CDATA_TITLE)}`);
    await publish({
      ...input,
      articles: [
        ...input.articles,
        { path: 'content/articles/2022/04/999001-hostile.md', text: article },
        { path: 'content/articles/2022/04/999002-cdata.md', text: second },
      ],
    });
  });

  it('keeps every feed well-formed with exactly one title per item and no script element', async () => {
    for (const path of ['/rss.xml', '/atom.xml', '/section/sport/rss.xml', '/section/sport/atom.xml']) {
      const response = await get(PRIMARY, path);
      const root = parseXml(await response.text());
      expect(
        descendants(root).filter((node) => node.name === 'script'),
        path,
      ).toHaveLength(0);
      const items = path.endsWith('rss.xml')
        ? childrenNamed(onlyChild(root, 'channel'), 'item')
        : childrenNamed(root, 'entry');
      for (const item of items) expect(childrenNamed(item, 'title'), path).toHaveLength(1);
      const titles = items.map((item) => onlyChild(item, 'title').text);
      expect(titles, path).toContain(CDATA_TITLE);
      const hostile = items.find((item) => onlyChild(item, 'title').text === TITLE);
      expect(hostile, path).toBeDefined();
      const body = onlyChild(
        hostile as XmlNode,
        path.endsWith('rss.xml') ? 'content:encoded' : 'content',
      ).text;
      expect(body).toContain('in text, another');
      expect(body).not.toMatch(/<script/i);
    }
  });

  it('keeps the hostile title and summary as plain text in JSON Feed and the OPML file well-formed', async () => {
    const json = JSON.parse(await (await get(PRIMARY, '/feed.json')).text()) as { items: JsonFeedItem[] };
    const item = json.items.find((i) => i.title === TITLE);
    expect(item?.summary).toBe(SUMMARY);
    expect(item?.tags).toContain('a<b & c');
    expect(item?.content_html).not.toMatch(/<script/i);
    parseXml(await (await get(PRIMARY, '/feeds.opml')).text());
  });
});
