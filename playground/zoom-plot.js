/**
 * The zoomable chart for data too large for the SVG figure: uPlot (a canvas chart) draws the
 * data and the fitted curve ŷ; dragging across it zooms into an x range, where the points are
 * drawn again from the full data. However many points there are, it draws at most 2 per bucket
 * of {@link ZOOM_BUCKETS} across the visible range — the lowest and the highest y of the bucket
 * (min/max decimation, which keeps every excursion visible) — with ŷ at the same points.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The size observer of the chart shown (one chart at a time). */
let stopResize = null;

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

/** First position in sorted order whose x is ≥ v. */
function lowerBound(x, order, v) {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[order === null ? mid : order[mid]] < v) lo = mid + 1;
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
  const start = lowerBound(x, order, lo);
  const end = lowerBound(x, order, hi === Infinity ? Infinity : hi + Number.EPSILON * Math.abs(hi));
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

/** The chart in `el` (replacing its content); returns `{ plot, reset, toPNG }`. */
export function showZoom(el, { x, y, yhat, xName, yName }) {
  el.replaceChildren();
  stopResize?.disconnect();
  const order = sortedOrder(x);
  const first = order === null ? x[0] : x[order[0]];
  const last = order === null ? x[x.length - 1] : x[order[order.length - 1]];
  const mark = (data, lo, hi) => {
    el.dataset.xmin = String(lo);
    el.dataset.xmax = String(hi);
    el.dataset.points = String(data[0].length);
  };
  let busy = false;
  const width = Math.max(240, Math.min(900, el.clientWidth || 600));
  const full = decimate(x, y, yhat, order, first, last);
  const plot = new uPlot(
    {
      width,
      height: 320,
      scales: { x: { time: false } },
      axes: [{ label: xName }, { label: yName }],
      series: [
        { label: xName },
        { label: 'data', stroke: '#4477aa', width: 0, paths: () => null, points: { show: true, size: 3, fill: '#4477aa', stroke: '#4477aa' } },
        { label: 'fit', stroke: '#cc3311', width: 2, points: { show: false } },
      ],
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || busy) return;
            const { min, max } = u.scales.x;
            if (min == null || max == null) return;
            busy = true;
            try {
              const data = decimate(x, y, yhat, order, min, max);
              u.setData(data, false);
              mark(data, min, max);
            } finally {
              busy = false;
            }
          },
        ],
      },
    },
    full,
    el,
  );
  mark(full, first, last);
  // Follow the page's width (a phone turned, a window resized).
  const resize = new ResizeObserver(() => {
    const w = Math.max(240, Math.min(900, el.clientWidth));
    if (Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height: 320 });
  });
  resize.observe(el);
  stopResize = resize;
  return {
    plot,
    reset() {
      busy = true;
      try {
        plot.setData(full, true);
        mark(full, first, last);
      } finally {
        busy = false;
      }
    },
    /** The chart as PNG (its canvas). */
    toPNG() {
      return new Promise((ok, fail) => plot.ctx.canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the chart canvas gave no PNG'))), 'image/png'));
    },
  };
}
