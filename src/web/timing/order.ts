/** Row order for the timing table (DOM-free, unit-tested in Node: test/web-state.test.ts). */

/**
 * Of `shown` (rows in the DOM, in DOM order, all of them in `wanted`), the
 * largest set already in `wanted`'s order: a longest increasing subsequence
 * of their wanted indexes, O(n log n). Those rows need not move.
 */
export function keptInOrder(shown: readonly string[], wanted: readonly string[]): Set<string> {
  const index = new Map(wanted.map((number, i) => [number, i]));
  const seq = shown.map((number) => index.get(number)!);
  // tails[k]: position in seq of the smallest tail of an increasing run of length k + 1.
  const tails: number[] = [];
  const previous = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const keep = new Set<string>();
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) keep.add(shown[i]!);
  return keep;
}
