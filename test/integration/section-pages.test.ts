// Section pagination over fixed buckets: page 1 is the newest, older pages go back in time, every
// article appears once, and each page costs one KV read on a miss.
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryContent } from '../support/content';
import { publish } from '../support/publish';
import { cacheStatus, get, kvReads, PRIMARY } from '../support/request';

const EXTRA = 45;
const FIRST_ID = 900_001;

function extraArticle(index: number) {
  const day = String(1 + (index % 28)).padStart(2, '0');
  const month = String(1 + Math.floor(index / 28)).padStart(2, '0');
  return {
    path: `content/articles/2023/${month}/${FIRST_ID + index}-market-note.md`,
    text: [
      '---',
      `id: ${FIRST_ID + index}`,
      `title: Market note number ${index}`,
      'section: economy',
      `published: 2023-${month}-${day}T08:00:00Z`,
      '---',
      '',
      `Prices moved on day ${index} of the series.`,
      '',
    ].join('\n'),
  };
}

function articleIds(html: string): number[] {
  return [
    ...new Set([...html.matchAll(/href="\/Detail\/\d{4}\/\d{2}\/\d{2}\/(\d+)\//g)].map((m) => Number(m[1]))),
  ];
}

let economyTotal = 0;

beforeAll(async () => {
  const content = repositoryContent();
  content.articles = [...content.articles, ...Array.from({ length: EXTRA }, (_, i) => extraArticle(i))];
  const { records } = await publish(content);
  economyTotal = records.manifest.manifest.sections.find((s) => s.slug === 'economy')?.articles ?? 0;
  await (await get(PRIMARY, '/section/sport')).arrayBuffer();
});

describe('section pages', () => {
  it('lists every article of the section once, newest first, across its pages', async () => {
    const pages = Math.max(1, Math.ceil(economyTotal / 10) - 1);
    const seen: number[] = [];
    for (let page = 1; page <= pages; page++) {
      const response = await get(PRIMARY, page === 1 ? '/section/economy' : `/section/economy?page=${page}`);
      expect(response.status).toBe(200);
      expect(cacheStatus(response)).toBe('miss');
      expect(kvReads(response)).toBe(1);
      const html = await response.text();
      expect(html).toContain(`Page ${page} of ${pages}`);
      const ids = articleIds(html);
      if (page > 1) expect(ids).toHaveLength(10);
      seen.push(...ids);
      expect(html.includes('rel="next"')).toBe(page < pages);
    }
    expect(seen).toHaveLength(economyTotal);
    expect(new Set(seen).size).toBe(economyTotal);
    expect(seen.slice(0, 5)).toEqual([
      FIRST_ID + EXTRA - 1,
      FIRST_ID + EXTRA - 2,
      FIRST_ID + EXTRA - 3,
      FIRST_ID + EXTRA - 4,
      FIRST_ID + EXTRA - 5,
    ]);
  });

  it('answers a page past the last with 404 and no KV read', async () => {
    const response = await get(PRIMARY, '/section/economy?page=99');
    expect(response.status).toBe(404);
    expect(kvReads(response)).toBe(0);
  });
});
