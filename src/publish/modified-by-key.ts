// The API's `modified` scope after a correction moved one article's `updated` past every other
// article's, by key. The scope is cut by content (paging.ts cutByContent): every cut follows an
// article chosen by its id, so when the article leaves its place for the newest end, no cut moves,
// no bucket is made or lost and the anchors' list is the same. Only the buckets whose windows (own
// run, LIST_SLACK newer and LIST_OVERLAP older articles) held the article's old place or reach the
// newest end change: the group index names the first (they list the article), the anchors' list
// orders the buckets and so gives the second. The runs of those buckets and of their neighbours
// are the scope's order there, from which each changed bucket is cut again. What would move a cut
// declines (NotByKeyError): the article is itself followed by a cut, its run was cut by length
// (MAX_RUN), or the article that was the newest would now be followed by one.
import {
  type AnchorList,
  cutsAfter,
  isOlder,
  LIST_OVERLAP,
  LIST_SLACK,
  MAX_RUN,
  type OrderKey,
} from '../api/paging';
import { anchorListSchema } from '../api/schemas';
import { apiListAnchorsKey, apiListKey } from '../storage/keys';
import type { IndexedGroup } from './group-index';
import { API_LISTS_BUILDER, contentCutOf, MODIFIED_SCOPE, withOwnRun } from './indexes/api-records';
import type { Recipe } from './indexes/recipe';
import { NotByKeyError } from './placed-by-key';
import { parseStored } from './stored-json';

/** A `modified` bucket as published, and its recipe and members (newest first) once the article moved. */
export interface MovedBucket {
  before: IndexedGroup;
  recipe: Recipe;
  members: number[];
}

export interface ModifiedByKeySource {
  /** The group whose first key is `key`, as the index holds it. */
  group(key: string): Promise<IndexedGroup | undefined>;
  /** A value KV holds (the scope's anchors' list). */
  getText(key: string): Promise<string | null>;
  /** An article's place in the `modified` order as published, by id. */
  orderKey(id: number): Promise<OrderKey>;
}

/** Whether a group is one of the `modified` scope's buckets (a content cut's recipe, contentCutOf). */
export function isModifiedBucket(group: IndexedGroup): boolean {
  return (
    group.builder === API_LISTS_BUILDER &&
    group.recipe[0] === MODIFIED_SCOPE &&
    contentCutOf(group.recipe) !== undefined
  );
}

/** A bucket as its recipe names it (api-records.ts contentCutOf), with its members. */
interface Cut {
  group: IndexedGroup;
  bucket: number;
  newest: boolean;
  /** Where in its members (newest first) its own run is, as its recipe says. */
  own: [number, number];
  /** Its own run's ids, oldest first. */
  run: number[];
}

/**
 * The buckets that change when article `id` moves to the newest end of the scope with its new
 * place `now`, given the buckets that list it (`listing`, from the group index). The article's
 * place as published is wherever those buckets hold it. Declines (NotByKeyError) a place that is
 * not newer than every other article's, or than its own was.
 */
export async function movedToNewest(
  id: number,
  now: OrderKey,
  listing: readonly IndexedGroup[],
  source: ModifiedByKeySource,
): Promise<MovedBucket[]> {
  const anchors = anchorListSchema.safeParse(
    parseStored(await source.getText(apiListAnchorsKey(MODIFIED_SCOPE))),
  );
  if (!anchors.success) throw new NotByKeyError('the modified scope’s anchors cannot be read');
  // Every bucket in the scope's order, oldest first: each is numbered by its anchor (0 for the oldest).
  const order = [0, ...(anchors.data as AnchorList).anchors.map(([anchor]) => anchor)];
  const at = new Map(order.map((bucket, index) => [bucket, index]));
  const cuts = new Map<number, Cut>();
  const cutAt = async (index: number): Promise<Cut> => {
    let cut = cuts.get(index);
    if (!cut) {
      const group = await source.group(apiListKey(MODIFIED_SCOPE, order[index] as number));
      if (!group || !isModifiedBucket(group))
        throw new NotByKeyError(`the group index has no bucket ${order[index]} of the modified scope`);
      cut = cutOf(group);
      cuts.set(index, cut);
    }
    return cut;
  };
  for (const group of listing) {
    const cut = cutOf(group);
    const index = at.get(cut.bucket);
    if (index === undefined) throw new NotByKeyError(`the modified scope has no bucket ${cut.bucket}`);
    cuts.set(index, cut);
  }
  const last = order.length - 1;
  const newestCut = await cutAt(last);
  const newestId = newestCut.group.members[0];
  if (!newestCut.newest || newestId === undefined)
    throw new NotByKeyError('the modified scope’s newest bucket is not the anchors’ last');
  // Already the newest, and later still: it keeps its place, and the buckets that list it are made
  // again as they are.
  if (newestId === id) {
    if (isOlder(now, await source.orderKey(id)))
      throw new NotByKeyError(`article ${id}'s new date is older than its last`);
    return listing.map((group) => ({ before: group, recipe: group.recipe, members: group.members }));
  }

  const own = [...cuts.values()].find((cut) => cut.run.includes(id));
  if (!own) throw new NotByKeyError(`no bucket of the modified scope holds article ${id} in its run`);
  if (cutsAfter(id)) throw new NotByKeyError(`a cut of the modified scope follows article ${id}`);
  if (own.run.length >= MAX_RUN)
    throw new NotByKeyError(`article ${id}'s run in the modified scope was cut by length`);
  const newestRun = newestCut.run.filter((member) => member !== id).length;
  if (cutsAfter(newestId) || newestRun >= MAX_RUN)
    throw new NotByKeyError(`a cut of the modified scope would follow article ${newestId}`);
  if (!isOlder(await source.orderKey(newestId), now))
    throw new NotByKeyError(`article ${id}'s new date is not the newest of the modified scope`);

  // The buckets that change: those read so far (the ones listing the article, and the newest), and
  // those whose windows reach the newest end.
  const changed = new Set(cuts.keys());
  let end = last;
  while (end > 0 && (await cutAt(end - 1)).group.members[0] === newestId) changed.add(--end);
  // Each run of changed buckets with a neighbour on each side, as far as there is one: their runs
  // and the outer windows are the scope's order over every changed bucket's window.
  const ranges = stretches(
    [...changed].sort((a, b) => a - b),
    last,
  );
  const segments: Segment[] = [];
  for (const [from, to] of ranges) {
    const chain: Cut[] = [];
    for (let index = from; index <= to; index++) chain.push(await cutAt(index));
    const segment = segmentOf(chain);
    // Two stretches apart in the buckets may meet in their windows: one segment then, each id once.
    const previous = segments.at(-1);
    const meet = previous ? segment.ids.indexOf(previous.ids.at(-1) as number) : -1;
    if (previous && meet >= 0) {
      previous.ids.push(...segment.ids.slice(meet + 1));
      previous.atNewest = segment.atNewest;
    } else segments.push(segment);
  }
  // The windows as published, cut from the segments, must be the buckets' members: else the index
  // and the anchors are not one publish's, and nothing is known by key.
  for (const index of changed) {
    const cut = await cutAt(index);
    const window = windowIn(segmentHolding(segments, cut.run), cut.run);
    if (window.members.join() !== cut.group.members.join() || window.own.join() !== cut.own.join())
      throw new NotByKeyError(`bucket ${cut.bucket} of the modified scope is not as the index holds it`);
  }
  // The move: out of its place, onto the newest end (the last segment's, which ends the scope).
  const from = segmentHolding(segments, own.run);
  from.ids.splice(from.ids.indexOf(id), 1);
  (segments.at(-1) as Segment).ids.push(id);
  const moved: MovedBucket[] = [];
  for (const index of [...changed].sort((a, b) => a - b)) {
    const cut = await cutAt(index);
    const run = cut.run.filter((member) => member !== id);
    if (cut.newest) run.push(id);
    const window = windowIn(segmentHolding(segments, run), run);
    moved.push({
      before: cut.group,
      recipe: withOwnRun(cut.group.recipe, window.own),
      members: window.members,
    });
  }
  return moved;
}

function cutOf(group: IndexedGroup): Cut {
  const cut = contentCutOf(group.recipe);
  if (!cut) throw new NotByKeyError(`${group.key} is not a bucket cut by content`);
  const { bucket, newest, own } = cut;
  return { group, bucket, newest, own, run: group.members.slice(...own).reverse() };
}

/** The changed buckets' indexes as ranges, each widened by a neighbour on either side where there is one. */
function stretches(sorted: readonly number[], last: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (const index of sorted) {
    const from = Math.max(0, index - 1);
    const to = Math.min(last, index + 1);
    const previous = ranges.at(-1);
    if (previous && from <= previous[1] + 1) previous[1] = Math.max(previous[1], to);
    else ranges.push([from, to]);
  }
  return ranges;
}

/** A stretch of the scope's order, oldest first, and whether it starts or ends the scope. */
interface Segment {
  ids: number[];
  atOldest: boolean;
  atNewest: boolean;
}

/**
 * The order over consecutive buckets (oldest first): the first's overlap, every run, the last's
 * slack. A bucket's window reaches past its neighbour's own run on each side (runs are never
 * empty), so the segment over a changed bucket and its neighbours holds the changed one's window.
 */
function segmentOf(chain: readonly Cut[]): Segment {
  const first = chain[0] as Cut;
  const lastCut = chain.at(-1) as Cut;
  const overlap = first.group.members.slice(first.own[1]);
  const slack = lastCut.group.members.slice(0, lastCut.own[0]);
  return {
    ids: [...overlap.reverse(), ...chain.flatMap((cut) => cut.run), ...slack.reverse()],
    // A window cut short by the scope's end holds fewer than it would.
    atOldest: overlap.length < LIST_OVERLAP,
    atNewest: slack.length < LIST_SLACK,
  };
}

function segmentHolding(segments: readonly Segment[], run: readonly number[]): Segment {
  const segment = segments.find((candidate) => candidate.ids.includes(run[0] as number));
  if (!segment) throw new NotByKeyError('a run of the modified scope is in no stretch read');
  return segment;
}

/** A run's window in a segment, as cutByContent cuts it: its members newest first and its own range. */
function windowIn(segment: Segment, run: readonly number[]): { members: number[]; own: [number, number] } {
  const from = segment.ids.indexOf(run[0] as number);
  const to = from + run.length;
  if (segment.ids.slice(from, to).join() !== run.join())
    throw new NotByKeyError('a run of the modified scope is not whole in the stretch read');
  let bottom = from - LIST_OVERLAP;
  let top = to + LIST_SLACK;
  if (bottom < 0) {
    if (!segment.atOldest) throw new NotByKeyError('the stretch read of the modified scope is too short');
    bottom = 0;
  }
  if (top > segment.ids.length) {
    if (!segment.atNewest) throw new NotByKeyError('the stretch read of the modified scope is too short');
    top = segment.ids.length;
  }
  return { members: segment.ids.slice(bottom, top).reverse(), own: [top - to, top - from] };
}
