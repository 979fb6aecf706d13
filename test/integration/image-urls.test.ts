// An article image given as an https URL stays that URL on every surface (page, feeds, API), on the
// primary and a mirror, and the pages' Content-Security-Policy allows that one origin and no other.
import { beforeAll, describe, expect, it } from 'vitest';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { ContentError } from '../../src/content/problems';
import { repositoryArticles } from '../support/content';
import { parseHtml } from '../support/html';
import { publish } from '../support/publish';
import { fetchWorker, get, MIRROR, PRIMARY } from '../support/request';
import { childrenNamed, onlyChild, parseXml } from '../support/xml';

const ID = 990300;
const PATH = `/Detail/2022/01/18/${ID}/Photos-from-the-talks`;
const IMAGE_URL = 'https://photos.example.org/2022/01/talks.jpg?w=1200';
const HOSTS = [PRIMARY, MIRROR];

/** Two sample articles, with photos of the site's own: beside them, the one whose image is a URL. */
const sample = () => repositoryArticles([675904, 675738]);

function withImage(src: string): ContentInput {
  const input = sample();
  input.articles.push({
    path: 'content/articles/photos.md',
    text: [
      '---',
      `id: ${ID}`,
      'title: Photos from the talks',
      'section: russia',
      'published: 2022-01-18T15:00:00Z',
      'image:',
      `  src: ${src}`,
      '  alt: Delegates at the table',
      '---',
      '',
      'The delegates met again.',
      '',
    ].join('\n'),
  });
  return input;
}

function imgSrcDirective(response: Response): string | undefined {
  const csp = response.headers.get('Content-Security-Policy') ?? '';
  return csp
    .split(';')
    .map((directive) => directive.trim())
    .find((directive) => directive.startsWith('img-src '));
}

async function text(host: string, path: string): Promise<string> {
  const response = await get(host, path);
  expect(response.status, `${host}${path}`).toBe(200);
  return response.text();
}

describe('an article image given as a URL', () => {
  it('is refused unless it is https on a plain host name, naming file and line', () => {
    for (const src of [
      'http://photos.example.org/a.jpg',
      'https://user:pw@photos.example.org/a.jpg',
      // The origin goes into the pages' CSP: a comma would start a second policy, `*` allow any host.
      'https://a,b.example.org/a.jpg',
      'https://*.example.org/a.jpg',
      'https://photos;example.org/a.jpg',
    ]) {
      let problems: ContentError['problems'] = [];
      try {
        compileContent(withImage(src));
      } catch (error) {
        if (!(error instanceof ContentError)) throw error;
        problems = error.problems;
      }
      expect(problems, src).toEqual([
        { path: 'content/articles/photos.md', line: 7, reason: expect.stringContaining('https:// URL') },
      ]);
    }
  });

  describe('once published', () => {
    beforeAll(async () => {
      await publish(withImage(IMAGE_URL));
    });

    it.each(HOSTS)('is shown as that URL, without renditions, on %s', async (host) => {
      const dom = parseHtml(await text(host, PATH));
      expect(dom.attr('.lead-image img', 'src')).toBe(IMAGE_URL);
      expect(dom.attr('.lead-image img', 'srcset')).toBeUndefined();
      expect(dom.attr('.lead-image img', 'alt')).toBe('Delegates at the table');
    });

    it.each(HOSTS)('is allowed by the pages’ CSP, its origin alone, on %s', async (host) => {
      for (const path of [PATH, '/', '/section/russia']) {
        const response = await get(host, path);
        expect(response.status, path).toBe(200);
        expect(imgSrcDirective(response), path).toBe("img-src 'self' https://photos.example.org");
      }
    });

    it('stays that URL in the feeds and the API', async () => {
      const json = JSON.parse(await text(MIRROR, '/feed.json'));
      const item = json.items.find((i: { id: string }) => i.id.endsWith(`:${ID}`));
      expect(item.image).toBe(IMAGE_URL);

      const atom = parseXml(await text(MIRROR, '/atom.xml'));
      const entry = childrenNamed(atom, 'entry').find((e) => onlyChild(e, 'id').text.endsWith(`:${ID}`));
      const enclosure = entry && childrenNamed(entry, 'link').find((l) => l.attributes.rel === 'enclosure');
      expect(enclosure?.attributes.href).toBe(IMAGE_URL);
      // Its type from the path, not from the query.
      expect(enclosure?.attributes.type).toBe('image/jpeg');

      const { data } = JSON.parse(await text(MIRROR, `/api/v1/articles/${ID}`));
      expect(data.image.url).toBe(IMAGE_URL);
    });
  });
});

describe('a site whose images are all its own', () => {
  it('keeps img-src to the site itself', async () => {
    await publish(sample());
    // The manifest memo off: this request must see the publish just made.
    const response = await fetchWorker(`https://${MIRROR}/`);
    expect(response.status).toBe(200);
    expect(imgSrcDirective(response)?.trim()).toBe("img-src 'self'");
  });
});
