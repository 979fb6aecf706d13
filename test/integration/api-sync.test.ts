// Keeping a copy in sync: the change log across publishes (first, unchanged, edit, removal,
// draft), replaying it into an exact copy, and keyset pages that stay consistent while the
// archive changes under a partner's cursor. Requests use a manifest memo of 0 s, so each sees the
// latest publish, and a limiter that always admits.
import { describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/api/tokens';
import type { ContentInput } from '../../src/content/compile';
import { repositoryContent } from '../support/content';
import { type PublishResult, publish } from '../support/publish';
import { getWithEnv, kvReads, MIRROR } from '../support/request';

const FRESH = {
  SITE_MANIFEST_TTL_SECONDS: '0',
  API_RATE_LIMITER: { limit: async () => ({ success: true }) },
};

async function api<T>(path: string): Promise<T> {
  const response = await getWithEnv(FRESH, MIRROR, path);
  expect(response.status, path).toBe(200);
  return response.json();
}

interface ArticleBody {
  id: number;
  guid: string;
  title: string;
  body_html: string;
  [field: string]: unknown;
}
type Change =
  | { seq: number; type: 'upsert'; id: number; guid: string; changed_at: string; article: ArticleBody }
  | { seq: number; type: 'removal'; id: number; guid: string; removed_at: string };
interface ChangeList {
  data: Change[];
  next_token: string;
  has_more: boolean;
}

/** Every change after `since` (all of them without it), following has_more. */
async function changesSince(since?: string): Promise<{ entries: Change[]; token: string }> {
  const entries: Change[] = [];
  let token = since;
  for (;;) {
    const page = await api<ChangeList>(`/api/v1/changes${token ? `?since=${token}` : ''}`);
    entries.push(...page.data);
    token = page.next_token;
    if (!page.has_more) return { entries, token };
  }
}

/** Every article id of a list walk, page by page. */
async function walkIds(path: string, cursor?: string): Promise<number[]> {
  const ids: number[] = [];
  let next: string | null | undefined = cursor;
  do {
    const page: { data: { id: number }[]; next_cursor: string | null } = await api(
      `${path}${next ? `&cursor=${next}` : ''}`,
    );
    ids.push(...page.data.map((item) => item.id));
    next = page.next_cursor;
  } while (next);
  return ids;
}

function editArticle(input: ContentInput, id: number, edit: (text: string) => string): ContentInput {
  return {
    ...input,
    articles: input.articles.map((file) =>
      new RegExp(`^id: ${id}$`, 'm').test(file.text) ? { ...file, text: edit(file.text) } : file,
    ),
  };
}

function withoutArticle(input: ContentInput, id: number): ContentInput {
  return {
    ...input,
    articles: input.articles.filter((file) => !new RegExp(`^id: ${id}$`, 'm').test(file.text)),
  };
}

describe('the change log', () => {
  let token = '';

  it('logs every published article as an upsert on the first publish, oldest first', async () => {
    await publish();
    const { entries, token: next } = await changesSince();
    token = next;
    expect(entries).toHaveLength(15);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((e) => e.type === 'upsert')).toBe(true);
    const published = entries.map((e) => (e.type === 'upsert' ? Date.parse(String(e.article.published)) : 0));
    expect(published).toEqual([...published].sort((a, b) => a - b));
    expect(entries.map((e) => e.id)).not.toContain(676063);
  });

  it('logs nothing, and writes nothing, when nothing changed', async () => {
    const { plan } = await publish(repositoryContent(), new Date('2026-01-02T00:00:00Z'));
    expect(plan.phases.map((p) => p.writes.length)).toEqual([0, 0, 0, 0]);
    expect(plan.deletes).toEqual([]);
    const response = await getWithEnv(FRESH, MIRROR, `/api/v1/changes?since=${token}`);
    expect(kvReads(response)).toBeLessThanOrEqual(1);
    expect(await response.json()).toEqual({ data: [], next_token: token, has_more: false });
  });

  it('logs an edit as an upsert carrying the new version, links absolute on the request host', async () => {
    const edited = editArticle(repositoryContent(), 675904, (text) =>
      text
        .replace(/^title: .*$/m, 'title: Russia says no new talks (corrected)')
        .replace(/^published: (.*)$/m, 'published: $1\nupdated: 2022-01-19T08:00:00Z')
        .concat('\nMore in [our Russia section](/section/russia) ![Map](/images/articles/675904.jpg)\n'),
    );
    await publish(edited, new Date('2026-01-03T00:00:00Z'));
    const { entries, token: next } = await changesSince(token);
    token = next;
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    if (entry?.type !== 'upsert') throw new Error('expected an upsert');
    expect(entry).toMatchObject({ id: 675904, changed_at: '2026-01-03T00:00:00Z' });
    expect(entry.article.title).toBe('Russia says no new talks (corrected)');
    expect(entry.article.updated).toBe('2022-01-19T08:00:00Z');
    expect(entry.article.body_html).toContain(`href="https://${MIRROR}/section/russia"`);
    expect(entry.article.body_html).toContain(`src="https://${MIRROR}/images/articles/675904.jpg"`);
    const { data } = await api<{ data: ArticleBody }>('/api/v1/articles/675904');
    expect(data).toEqual(entry.article);
  });

  it('logs a deleted file and a drafted article as tombstones', async () => {
    const content = editArticle(withoutArticle(repositoryContent(), 675712), 675715, (text) =>
      text.replace(/^---\n/, '---\ndraft: true\n'),
    );
    const before = await api<{ data: ArticleBody }>('/api/v1/articles/675715');
    await publish(content, new Date('2026-01-04T00:00:00Z'));
    const { entries, token: next } = await changesSince(token);
    token = next;
    const removals = entries.filter((e) => e.type === 'removal');
    expect(removals.map((e) => e.id).sort()).toEqual([675712, 675715]);
    expect(removals.find((e) => e.id === 675715)).toEqual({
      seq: expect.any(Number),
      type: 'removal',
      id: 675715,
      guid: before.data.guid,
      removed_at: '2026-01-04T00:00:00Z',
    });
    // The edit of 675904 was reverted by this content: that is an upsert too.
    expect(entries.filter((e) => e.type === 'upsert').map((e) => e.id)).toEqual([675904]);
    // Removed for good (its file is gone): 410. A draft may come back: 404.
    expect((await getWithEnv(FRESH, MIRROR, '/api/v1/articles/675712')).status).toBe(410);
    expect((await getWithEnv(FRESH, MIRROR, '/api/v1/articles/675715')).status).toBe(404);
  });

  it('replays into an exact copy of the archive', async () => {
    const copy = new Map<number, ArticleBody>();
    for (const entry of (await changesSince()).entries) {
      if (entry.type === 'upsert') copy.set(entry.id, entry.article);
      else copy.delete(entry.id);
    }
    const live = await walkIds('/api/v1/articles?limit=100');
    expect([...copy.keys()].sort()).toEqual([...live].sort());
    for (const id of live) {
      const { data } = await api<{ data: ArticleBody }>(`/api/v1/articles/${id}`);
      expect(copy.get(id)).toEqual(data);
    }
  });
});

/** Generated articles, `hour` hours after 2020-01-01, with a correction `corrected` hours after it if given. */
function archive(ids: { id: number; hour: number; corrected?: number }[]): ContentInput {
  const base = repositoryContent();
  const hourOf = (hour: number) => new Date(Date.UTC(2020, 0, 1) + hour * 3_600_000).toISOString();
  const articles = ids.map(({ id, hour, corrected }) => ({
    path: `content/articles/generated/${id}.md`,
    text: [
      '---',
      `id: ${id}`,
      `title: Generated article ${id}`,
      `section: ${id % 2 ? 'economy' : 'sport'}`,
      `published: ${hourOf(hour)}`,
      'tags:',
      `  - ${id % 3 ? 'Common' : 'Rare'}`,
      ...(corrected === undefined
        ? []
        : [
            'corrections:',
            `  - at: ${hourOf(corrected)}`,
            '    text: An earlier version gave the wrong date.',
          ]),
      '---',
      '',
      `Body of generated article ${id}.`,
      '',
    ].join('\n'),
  }));
  return { ...base, articles };
}

// Publishing a few hundred articles in workerd takes seconds, not milliseconds.
describe('keyset pages while the archive changes', { timeout: 60_000 }, () => {
  it('skips nothing and repeats nothing across publishes that add, backdate and remove articles', async () => {
    const initial = Array.from({ length: 230 }, (_, i) => ({ id: 1000 + i, hour: i * 2 }));
    await publish(archive(initial), new Date('2026-02-01T00:00:00Z'));

    // Read the first 70 (newest) articles, 7 at a time, and keep the cursor.
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const body: { data: { id: number }[]; next_cursor: string | null } = await api(
        `/api/v1/articles?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...body.data.map((item) => item.id));
      cursor = body.next_cursor;
    }
    expect(seen).toEqual(
      initial
        .slice(-70)
        .map((a) => a.id)
        .reverse(),
    );

    // 40 newer articles, 70 backdated ones (odd hours, older than the cursor: more than the
    // bucket slack, so the cursor's article moves to the next bucket), 5 removed unseen, 5 seen.
    const newer = Array.from({ length: 40 }, (_, i) => ({ id: 2000 + i, hour: 1000 + i }));
    const backdated = Array.from({ length: 70 }, (_, i) => ({ id: 3000 + i, hour: 2 * i + 1 }));
    const removedUnseen = new Set([1000, 1010, 1020, 1100, 1150]);
    const removedSeen = new Set(seen.slice(0, 5));
    const kept = initial.filter((a) => !removedUnseen.has(a.id) && !removedSeen.has(a.id));
    await publish(archive([...kept, ...newer, ...backdated]), new Date('2026-02-02T00:00:00Z'));

    // The cursor's bucket no longer reaches its article: the page comes from the next bucket.
    const moved = await getWithEnv(FRESH, MIRROR, `/api/v1/articles?limit=7&cursor=${cursor}`);
    expect(kvReads(moved)).toBe(3); // the manifest (memo of 0 s), the stale bucket, the right one

    const rest = cursor ? await walkIds('/api/v1/articles?limit=7', cursor) : [];
    const all = [...seen, ...rest];
    expect(new Set(all).size).toBe(all.length);
    const expected = [...kept, ...backdated].map((a) => a.id).filter((id) => !seen.includes(id));
    expect([...rest].sort()).toEqual(expected.sort());
    for (const id of removedUnseen) expect(rest).not.toContain(id);
  });

  it('serves a cursor from one read when only newer articles arrived', async () => {
    // Ids the test above never used: a removed id is never published again.
    const initial = Array.from({ length: 150 }, (_, i) => ({ id: 5000 + i, hour: i }));
    await publish(archive(initial), new Date('2026-03-01T00:00:00Z'));
    const first: { next_cursor: string } = await api('/api/v1/articles?tag=common&limit=50');
    const newer = Array.from({ length: 60 }, (_, i) => ({ id: 4000 + i, hour: 500 + i }));
    await publish(archive([...initial, ...newer]), new Date('2026-03-02T00:00:00Z'));
    const response = await getWithEnv(
      FRESH,
      MIRROR,
      `/api/v1/articles?tag=common&limit=50&cursor=${first.next_cursor}`,
    );
    expect(response.status).toBe(200);
    expect(kvReads(response)).toBe(2); // the manifest (memo of 0 s) and one bucket
  });
});

describe('the first page of a list, stored finished', { timeout: 60_000 }, () => {
  /** The body and the `next` Link's cursor and parameters. */
  async function page(path: string) {
    const response = await getWithEnv(FRESH, MIRROR, path);
    expect(response.status, path).toBe(200);
    const link = /<([^>]+)>; rel="next"/.exec(response.headers.get('Link') ?? '')?.[1];
    return {
      body: await response.text(),
      reads: kvReads(response),
      etag: response.headers.get('ETag'),
      next: link === undefined ? undefined : Object.fromEntries(new URL(link).searchParams),
    };
  }

  it('is byte for byte the page the same query builds from its bucket, and follows each new publish', async () => {
    const initial = Array.from({ length: 130 }, (_, i) => ({ id: 7000 + i, hour: 20_000 + i }));
    await publish(archive(initial), new Date('2026-04-01T00:00:00Z'));
    for (const query of ['', 'section=economy', 'tag=Common', 'tag=common', 'tag=rare']) {
      const stored = await page(`/api/v1/articles${query ? `?${query}` : ''}`);
      // An explicit limit is not served from the stored page: it is built from the scope's head.
      const built = await page(`/api/v1/articles?${query ? `${query}&` : ''}limit=20`);
      expect(stored.body, query).toBe(built.body);
      expect(stored.reads).toBe(2); // the manifest (memo of 0 s) and the stored page
      const { next_cursor } = JSON.parse(stored.body) as { next_cursor: string };
      expect(next_cursor).toEqual(expect.any(String));
      const filters = query ? Object.fromEntries(new URLSearchParams(query)) : {};
      expect(stored.next).toEqual({ ...filters, cursor: next_cursor });
      expect(built.next).toEqual({ ...filters, limit: '20', cursor: next_cursor });
      // Its ETag answers a conditional request with 304.
      const again = await getWithEnv(FRESH, MIRROR, `/api/v1/articles${query ? `?${query}` : ''}`, {
        'If-None-Match': stored.etag ?? '',
      });
      expect(again.status).toBe(304);
    }

    const before = await page('/api/v1/articles');
    const newer = [{ id: 7200, hour: 30_000 }];
    await publish(archive([...initial, ...newer]), new Date('2026-04-02T00:00:00Z'));
    const after = await page('/api/v1/articles');
    expect(after.etag).not.toBe(before.etag);
    const ids = (JSON.parse(after.body) as { data: { id: number }[] }).data.map((item) => item.id);
    expect(ids.slice(0, 2)).toEqual([7200, 7129]);
    expect(after.body).toBe((await page('/api/v1/articles?limit=20')).body);
  });
});

// The `modified` scope (for `updated_since`) is ordered by `updated ?? published`: a correction
// moves an old article to the newest end. Cut by position, as the other scopes are, every bucket
// above the article's old place would shift by one and be rewritten: a thousand at 100,000.
describe('the `modified` scope when an old article is edited', { timeout: 120_000 }, () => {
  /** Ids with two cuts (cutsAfter) among the first 150 and two more among the next 150. */
  const FIRST = 12_400;
  /** `count` articles a day apart. */
  const daily = (count: number, corrected = new Map<number, number>()) =>
    Array.from({ length: count }, (_, i) => ({ id: FIRST + i, hour: 24 * i, corrected: corrected.get(i) }));
  const touched = ({ plan }: { plan: PublishResult['plan'] }) =>
    [...plan.phases.flatMap((phase) => [...phase.writes].map((w) => w.key)), ...plan.deletes].filter((key) =>
      key.startsWith('api:v1:articles:modified:'),
    );

  /** The `modified` keys written or deleted when the tenth-oldest article is retitled, then corrected. */
  async function editsOf(count: number): Promise<{ retitled: string[]; corrected: string[] }> {
    const now = new Date('2026-04-01T00:00:00Z');
    await publish(archive(daily(count)), now);
    const input = archive(daily(count));
    const tenth = input.articles.find((file) => file.path.endsWith(`/${FIRST + 9}.md`));
    if (!tenth) throw new Error('no tenth article');
    tenth.text = tenth.text.replace(/^title: (.*)$/m, 'title: $1, corrected');
    const retitled = touched(await publish(input, now));
    const corrected = touched(await publish(archive(daily(count, new Map([[9, 24 * 365 * 5]]))), now));
    return { retitled, corrected };
  }

  it('rewrites the same few buckets whatever the size of the archive', async () => {
    // The same 150 and 150 newer: the tenth-oldest has the same neighbours (a cut by position
    // rewrites 5 and 7 `modified` keys for the correction). At 100 the newest bucket is among them.
    const small = await editsOf(150);
    const large = await editsOf(300);
    for (const edit of [small.retitled, small.corrected]) {
      expect(edit.length).toBeGreaterThan(0);
      expect(edit.length).toBeLessThanOrEqual(6);
    }
    // Which buckets differs (the newest is anchored elsewhere), how many does not.
    expect(large.retitled.length).toBe(small.retitled.length);
    expect(large.corrected.length).toBe(small.corrected.length);
  });

  it('pages `updated_since` without skipping or repeating while anchors are removed and corrected', async () => {
    // Hourly articles, walked from the second day (176 of them, newest first), 10 at a time. Ids
    // with 6 cuts among them (cutsAfter), so a cursor deep in the walk has buckets between it and
    // the newest, and one below it, whose anchor the walk does not reach.
    const initial = Array.from({ length: 200 }, (_, i) => ({ id: 51_800 + i, hour: i }));
    await publish(archive(initial), new Date('2026-05-01T00:00:00Z'));
    const since = '2020-01-02T00:00:00Z';
    const path = `/api/v1/articles?updated_since=${since}&limit=10`;
    const walkOrder = initial
      .filter((a) => a.hour >= 24)
      .reverse()
      .map((a) => a.id);
    /** `pages` pages on from `cursor`: their ids and the cursor after them. */
    async function pagesFrom(cursor: string | null, pages: number) {
      const ids: number[] = [];
      for (let page = 0; page < pages && (page === 0 || cursor); page++) {
        const body: { data: { id: number }[]; next_cursor: string | null } = await api(
          `${path}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        ids.push(...body.data.map((item) => item.id));
        cursor = body.next_cursor;
      }
      return { ids, cursor };
    }
    /** The cursor's bucket is numbered by its anchor, the article the cut below it follows. */
    const anchorOf = (cursor: string | null) => decodeCursor(cursor ?? '')?.bucket ?? 0;

    const first = await pagesFrom(null, 10);
    expect(first.ids).toEqual(walkOrder.slice(0, 100));
    // The anchor removed: the cursor's bucket is gone (merged with the one below). Unseen articles
    // corrected (they move to the newest end, past the cursor) or removed, a seen one corrected.
    const removedAnchor = anchorOf(first.cursor);
    expect(walkOrder.slice(100)).toContain(removedAnchor);
    const unseen = walkOrder.slice(100);
    const gone = new Set([removedAnchor, unseen[1], unseen[2]]);
    const moved = new Set([unseen[0], unseen[30], first.ids[0]]);
    let articles = initial
      .filter((a) => !gone.has(a.id))
      .map((a) => (moved.has(a.id) ? { ...a, corrected: 24 * 400 } : a));
    await publish(archive(articles), new Date('2026-05-02T00:00:00Z'));
    const lost = await getWithEnv(FRESH, MIRROR, `${path}&cursor=${first.cursor}`);
    expect(lost.status).toBe(200);
    expect(kvReads(lost)).toBe(4); // the manifest (memo of 0 s), the bucket gone, the anchors, the bucket

    const second = await pagesFrom(first.cursor, 6);
    // The anchor corrected, and a newer article: a bucket of that number exists again, at the newest end.
    const movedAnchor = anchorOf(second.cursor);
    expect(articles.map((a) => a.id)).toContain(movedAnchor);
    expect([...first.ids, ...second.ids]).not.toContain(movedAnchor);
    moved.add(movedAnchor);
    articles = [
      ...articles.map((a) => (a.id === movedAnchor ? { ...a, corrected: 24 * 400 } : a)),
      { id: 52_999, hour: 24 * 401 },
    ];
    await publish(archive(articles), new Date('2026-05-03T00:00:00Z'));
    const elsewhere = await getWithEnv(FRESH, MIRROR, `${path}&cursor=${second.cursor}`);
    expect(elsewhere.status).toBe(200);
    expect(kvReads(elsewhere)).toBeLessThanOrEqual(4);

    const rest = second.cursor ? await walkIds(path, second.cursor) : [];
    const walked = [...first.ids, ...second.ids, ...rest];
    const seenBefore = new Set(first.ids);
    expect(walked).toEqual(
      walkOrder.filter(
        (id) => seenBefore.has(id) || (!gone.has(id) && !(moved.has(id) && id !== first.ids[0])),
      ),
    );
  });
});
