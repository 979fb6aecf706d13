// Sorts a list of strings where it is, in the order Array.prototype.sort gives them (by UTF-16 code
// units), without a copy. V8's sort copies the list into a work array and merges through a second
// of up to half its length: for the 1.86 million keys a publish of 500,000 articles hashes into its
// content version, about 27 MB more resident at the build's peak, where this needs none.

/** Below this many, a part is sorted by insertion. */
const INSERTION_BELOW = 16;

/** Sorts `list` in place: a quicksort on the median of three, its smaller part first. */
export function sortStringsInPlace(list: string[]): void {
  // The larger part of each split waits here; the smaller is sorted at once, so at most about
  // log2(n) parts wait at any time.
  const waiting: number[] = [0, list.length - 1];
  while (waiting.length > 0) {
    let high = waiting.pop() as number;
    let low = waiting.pop() as number;
    while (high - low + 1 >= INSERTION_BELOW) {
      const [left, right] = partition(list, low, high);
      // Sort the smaller side next; the larger waits.
      if (right - low < high - left) {
        waiting.push(left, high);
        high = right;
      } else {
        waiting.push(low, right);
        low = left;
      }
    }
    insertionSort(list, low, high);
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
