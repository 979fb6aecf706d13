// The rules the worker judges reads by, and the recent-writes map publish keeps in the manifest.
import { describe, expect, it } from 'vitest';
import {
  type ConsistencyState,
  judgeRead,
  nextRecentWrites,
  RECENT_KEYS_MAX,
  SETTLING_WINDOW_SECONDS,
} from '../../src/storage/consistency';

const T0 = Date.parse('2026-03-01T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const state: ConsistencyState = {
  gen: 5,
  recent: {
    written: { 'list:v2:home': 5, 'article:v1:1': 4 },
    deleted: { 'article:v1:2': 5 },
    at: { '4': iso(T0 - 60_000), '5': iso(T0) },
  },
};

describe('judging a read', () => {
  it('settles a value of the generation that last wrote it', () => {
    expect(judgeRead('list:v2:home', { present: true, gen: 5 }, state, T0 + 1000).verdict).toBe('settled');
  });

  it('finds a location behind when it still has an older value, or none, of a recent write', () => {
    expect(judgeRead('list:v2:home', { present: true, gen: 3 }, state, T0 + 1000).verdict).toBe('behind');
    expect(judgeRead('article:v1:1', { present: false, gen: undefined }, state, T0).verdict).toBe('behind');
  });

  it('finds a value ahead of the manifest', () => {
    expect(judgeRead('feed:v1:site:rss', { present: true, gen: 6 }, state, T0).verdict).toBe('ahead');
  });

  it('answers a recently deleted key as absent even where it is still held', () => {
    expect(judgeRead('article:v1:2', { present: true, gen: 3 }, state, T0)).toEqual({
      verdict: 'settled',
      deleted: true,
    });
  });

  it('trusts what is read once the window of the write has passed', () => {
    const later = T0 + SETTLING_WINDOW_SECONDS * 1000 + 1;
    expect(judgeRead('list:v2:home', { present: true, gen: 3 }, state, later).verdict).toBe('settled');
  });

  it('cannot verify reads while a publish too large to list is settling', () => {
    const large = { ...state, recent: { ...state.recent, unverifiedUntil: iso(T0 + 60_000) } };
    expect(judgeRead('seo:v1:sitemap-index', { present: true, gen: 2 }, large, T0).verdict).toBe(
      'unverified',
    );
    expect(judgeRead('seo:v1:sitemap-index', { present: true, gen: 2 }, large, T0 + 60_000).verdict).toBe(
      'settled',
    );
  });
});

describe('the recent-writes map', () => {
  it('adds this publish, keeps what is in the window and forgets what left it', () => {
    const now = new Date(T0 + (SETTLING_WINDOW_SECONDS - 30) * 1000);
    const recent = nextRecentWrites({
      previous: state,
      gen: 6,
      now,
      writes: ['list:v2:home', 'article:v1:2'],
      deletes: ['article:v1:9'],
      uncommitted: new Map(),
    });
    // Generation 4 (a minute before T0) has left the window; 5 has not.
    expect(recent.written).toEqual({ 'list:v2:home': 6, 'article:v1:2': 6 });
    expect(recent.deleted).toEqual({ 'article:v1:9': 6 });
    expect(Object.keys(recent.at)).toEqual(['6']);
  });

  it('names the keys of a publish killed before its manifest with their generation', () => {
    const recent = nextRecentWrites({
      previous: null,
      gen: 8,
      now: new Date(T0),
      writes: [],
      deletes: [],
      uncommitted: new Map([['article:v1:7', 7]]),
    });
    expect(recent.written).toEqual({ 'article:v1:7': 7 });
  });

  it('keeps a generation of exactly the bound, each key once', () => {
    const writes = Array.from({ length: RECENT_KEYS_MAX - 1 }, (_, i) => `article:v1:${i + 1}`);
    const recent = nextRecentWrites({
      previous: null,
      gen: 6,
      now: new Date(T0),
      writes,
      deletes: ['article:v1:0'],
      uncommitted: new Map(),
    });
    expect(Object.keys(recent.written)).toHaveLength(RECENT_KEYS_MAX - 1);
    expect(recent.deleted).toEqual({ 'article:v1:0': 6 });
    expect(recent.unverifiedUntil).toBeUndefined();
  });

  it('drops a generation too large to list and leaves reads unverifiable for its window', () => {
    const writes = Array.from({ length: RECENT_KEYS_MAX + 1 }, (_, i) => `article:v1:${i + 1}`);
    const recent = nextRecentWrites({
      previous: state,
      gen: 6,
      now: new Date(T0),
      writes,
      deletes: [],
      uncommitted: new Map(),
    });
    expect(recent.written).toEqual({});
    expect(recent.unverifiedUntil).toBe(iso(T0 + SETTLING_WINDOW_SECONDS * 1000));
    expect(Object.keys(recent.written).length + Object.keys(recent.deleted).length).toBeLessThanOrEqual(
      RECENT_KEYS_MAX,
    );
  });
});
