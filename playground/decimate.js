/**
 * Min/max decimation for the zoomable chart: however many points there are, draw at most 2 per
 * bucket of {@link ZOOM_BUCKETS} across the visible x range — the lowest and the highest y of the
 * bucket, which keeps every excursion visible — with ŷ at the same points. Pure functions (no
 * DOM), so that the tests run them in Node.
 */

/** Buckets across the visible x range (two points each). */
export const ZOOM_BUCKETS = 1500;

/** The indices of x in increasing order, or null when x is already sorted. */
export function sortedOrder(x) {
  let sorted = true;
  for (let i = 1; i < x.length && sorted; i++) if (x[i] < x[i - 1]) sorted = false;
  if (sorted) return null;
  const order = Uint32Array.from({ length: x.length }, (_, i) => i);
  return order.sort((a, b) => x[a] - x[b]);
}

/** First position in sorted order whose x is ≥ v (`strict`: > v). */
function bound(x, order, v, strict) {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const xm = x[order === null ? mid : order[mid]];
    if (xm < v || (strict && xm === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points drawn for the x range [lo, hi]: per bucket of positions, the points of lowest and
 * highest y in x order, with ŷ there.
 * @returns {[number[], number[], number[]]} x, y, ŷ.
 */
export function decimate(x, y, yhat, order, lo, hi, buckets = ZOOM_BUCKETS) {
  const start = bound(x, order, lo, false);
  const end = bound(x, order, hi, true);
  const at = (k) => (order === null ? k : order[k]);
  const xs = [];
  const ys = [];
  const fs = [];
  const count = end - start;
  const push = (i) => {
    xs.push(x[i]);
    ys.push(y[i]);
    fs.push(yhat[i]);
  };
  if (count <= 2 * buckets) {
    for (let k = start; k < end; k++) push(at(k));
    return [xs, ys, fs];
  }
  for (let b = 0; b < buckets; b++) {
    const from = start + Math.floor((count * b) / buckets);
    const to = start + Math.floor((count * (b + 1)) / buckets);
    let iMin = at(from);
    let iMax = iMin;
    for (let k = from + 1; k < to; k++) {
      const i = at(k);
      if (y[i] < y[iMin]) iMin = i;
      if (y[i] > y[iMax]) iMax = i;
    }
    const [a, c] = iMin === iMax ? [iMin, -1] : x[iMin] <= x[iMax] ? [iMin, iMax] : [iMax, iMin];
    push(a);
    if (c >= 0) push(c);
  }
  return [xs, ys, fs];
}

