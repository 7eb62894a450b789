/**
 * The zoomable chart for data too large for the SVG figure: uPlot (a canvas chart) draws the
 * data and the fitted curve ŷ; dragging across it zooms into an x range, where the points are
 * drawn again from the full data by `decimate.js` (at most two points per bucket of the visible
 * range: its lowest and highest y).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decimate, sortedOrder } from './decimate.js';

export { ZOOM_BUCKETS } from './decimate.js';

/** The size observer of the chart shown (one chart at a time). */
let stopResize = null;

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
