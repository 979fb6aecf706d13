// Sorts a list of strings where it is, in the order Array.prototype.sort gives them (by UTF-16 code
// units), without a copy. V8's sort copies the list into a work array and merges through a second
// of up to half its length: for the 1.86 million keys a publish of 500,000 articles hashes into its
// content version, about 27 MB more resident at the build's peak, where this needs none.

/** Below this many, a part is sorted by insertion. */
const INSERTION_BELOW = 16;

/**
 * Sorts `list` in place: a quicksort on the median of three, its smaller part first, and a heapsort
 * for any part split more than `depthLimit` times (an order that defeats the median: n log n at
 * worst, as Array.prototype.sort is).
 */
export function sortStringsInPlace(
  list: string[],
  depthLimit = 2 * Math.floor(Math.log2(Math.max(list.length, 1))),
): void {
  // The larger part of each split waits here, with the splits left to it; the smaller is sorted at
  // once, so at most about log2(n) parts wait at any time.
  const waiting: number[] = [0, list.length - 1, depthLimit];
  while (waiting.length > 0) {
    let depth = waiting.pop() as number;
    let high = waiting.pop() as number;
    let low = waiting.pop() as number;
    while (high - low + 1 >= INSERTION_BELOW) {
      if (depth === 0) {
        heapSort(list, low, high);
        break;
      }
      depth--;
      const [left, right] = partition(list, low, high);
      // Sort the smaller side next; the larger waits.
      if (right - low < high - left) {
        waiting.push(left, high, depth);
        high = right;
      } else {
        waiting.push(low, right, depth);
        low = left;
      }
    }
    if (high - low + 1 < INSERTION_BELOW) insertionSort(list, low, high);
  }
}

/**
 * Partitions list[low..high] around the median of its first, middle and last: afterwards every
 * item up to `right` is at most the pivot and every item from `left` at least it (Hoare's scheme,
 * `right` < `left`).
 */
function partition(list: string[], low: number, high: number): [left: number, right: number] {
  const middle = low + ((high - low) >> 1);
  const pivot = medianOf(list[low] as string, list[middle] as string, list[high] as string);
  let left = low;
  let right = high;
  while (left <= right) {
    while ((list[left] as string) < pivot) left++;
    while ((list[right] as string) > pivot) right--;
    if (left <= right) {
      const item = list[left] as string;
      list[left] = list[right] as string;
      list[right] = item;
      left++;
      right--;
    }
  }
  return [left, right];
}

function medianOf(a: string, b: string, c: string): string {
  const [low, high] = a < b ? [a, b] : [b, a];
  if (c < low) return low;
  return c > high ? high : c;
}

function insertionSort(list: string[], low: number, high: number): void {
  for (let i = low + 1; i <= high; i++) {
    const item = list[i] as string;
    let j = i - 1;
    while (j >= low && (list[j] as string) > item) {
      list[j + 1] = list[j] as string;
      j--;
    }
    list[j + 1] = item;
  }
}

/** Sorts list[low..high] as a heap: no part of it can make this slower than n log n. */
function heapSort(list: string[], low: number, high: number): void {
  const count = high - low + 1;
  for (let root = (count >> 1) - 1; root >= 0; root--) siftDown(list, low, root, count);
  for (let end = count - 1; end > 0; end--) {
    const top = list[low] as string;
    list[low] = list[low + end] as string;
    list[low + end] = top;
    siftDown(list, low, 0, end);
  }
}

/** Moves the item at `root` (counted from `low`) down the heap of `count` items until it holds. */
function siftDown(list: string[], low: number, root: number, count: number): void {
  const item = list[low + root] as string;
  let at = root;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= count) break;
    if (child + 1 < count && (list[low + child + 1] as string) > (list[low + child] as string)) child++;
    if ((list[low + child] as string) <= item) break;
    list[low + at] = list[low + child] as string;
    at = child;
  }
  list[low + at] = item;
}
