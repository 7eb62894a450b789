/**
 * `plotBatch`: a summary of many fits of one model — a histogram of each parameter over the fits
 * and the count of each termination status — from a plain, documented input shape, so that any
 * batch runner (or a loop over `curveFit`) can feed it.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { isArrayLike } from '../options/validate.ts';
import { COLOURS, topLevel, type VegaLiteSpec } from './spec.ts';

/** The fits of a batch: p parameter names, the nFits×p estimates, and each fit's status. */
export interface BatchSummary {
  /** Parameter names, p of them. */
  readonly names: readonly string[];
  /** Estimates, nFits×p row-major: fit i's parameter j at `popt[i * p + j]` (NaN for a failed fit). */
  readonly popt: ArrayLike<number>;
  /** Each fit's status (e.g. SolverStatus values, or 'error'), nFits of them. */
  readonly status: ArrayLike<string>;
}

/** Options of {@link plotBatch}. */
export interface PlotBatchOptions {
  /** Bins per histogram (default 30). */
  readonly bins?: number;
  /** Histograms per row (default 3). */
  readonly columns?: number;
  /** Width of one histogram in pixels (default 220). */
  readonly width?: number;
}

const CALLER = 'plotBatch';

/** Counts of finite values in `bins` equal bins over [min, max] (one bin when all are equal). */
export function histogram(values: readonly number[], bins: number): { lo: number; hi: number; count: number }[] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  let lo = finite.reduce((a, b) => Math.min(a, b));
  let hi = finite.reduce((a, b) => Math.max(a, b));
  if (lo === hi) {
    const pad = lo === 0 ? 0.5 : Math.abs(lo) * 1e-3;
    [lo, hi] = [lo - pad, hi + pad];
    bins = 1;
  }
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]! += 1;
  return counts.map((count, k) => ({ lo: lo + ((hi - lo) * k) / bins, hi: lo + ((hi - lo) * (k + 1)) / bins, count }));
}

/**
 * Histograms of each parameter over a batch of fits, and the status counts.
 *
 * @param summary - `{ names, popt, status }` (see {@link BatchSummary}).
 * @param options - bins, layout and size.
 * @returns the spec.
 * @throws NlsqTypeError naming `summary` when a field is missing or of the wrong type;
 *   NlsqRangeError (`ERR_SHAPE`) naming `summary` when popt is not status.length × names.length.
 */
export function plotBatch(summary: BatchSummary, options: PlotBatchOptions = {}): VegaLiteSpec {
  if (typeof summary !== 'object' || summary === null || !Array.isArray(summary.names) || !isArrayLike(summary.popt) || !(isArrayLike(summary.status) || Array.isArray(summary.status))) {
    throw new NlsqTypeError(`${CALLER}: summary must be { names, popt, status } (parameter names, nFits×p estimates, one status per fit), got ${describeValue(summary)}`, 'summary');
  }
  const { names, popt, status } = summary;
  const p = names.length;
  const nFits = status.length;
  if (p === 0 || popt.length !== nFits * p) {
    throw new NlsqRangeError(`${CALLER}: summary.popt must have length ${nFits * p} (${nFits} fits × ${p} parameters), got ${popt.length}`, 'summary', 'ERR_SHAPE');
  }
  const bins = options.bins ?? 30;
  if (!(Number.isInteger(bins) && bins > 0)) throw new NlsqRangeError(`${CALLER}: bins must be a positive integer, got ${describeValue(bins)}`, 'bins');
  const width = options.width ?? 220;
  const histograms = names.map((name, j) => {
    const column = Array.from({ length: nFits }, (_, i) => popt[i * p + j]!);
    return {
      name: `histogram_${j}`,
      title: name,
      width,
      height: 140,
      data: { values: histogram(column, bins) },
      mark: { type: 'rect', color: COLOURS.data, stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', title: name, scale: { zero: false, nice: false } },
        x2: { field: 'hi' },
        y: { field: 'count', type: 'quantitative', title: 'fits' },
      },
    };
  });
  const counts = new Map<string, number>();
  for (let i = 0; i < nFits; i++) counts.set(String(status[i]), (counts.get(String(status[i])) ?? 0) + 1);
  const statusRows = [...counts].map(([s, count]) => ({ status: s, count }));
  return topLevel(`Batch of ${nFits.toLocaleString('en-US')} fits: a histogram of each of the ${p} parameters (${bins} bins, finite estimates) and the count of each status.`, {
    title: { text: `${nFits.toLocaleString('en-US')} fits`, subtitle: statusRows.map((r) => `${r.status}: ${r.count}`).join(' · ') },
    vconcat: [
      { concat: histograms, columns: options.columns ?? 3 },
      {
        name: 'status_counts',
        title: 'status',
        width: Math.min(width * 2, 80 * statusRows.length + 80),
        height: 120,
        data: { values: statusRows },
        mark: { type: 'bar', color: COLOURS.confidence },
        encoding: {
          x: { field: 'status', type: 'nominal', title: 'status', sort: '-y', axis: { labelAngle: 0 } },
          y: { field: 'count', type: 'quantitative', title: 'fits' },
        },
      },
    ],
    resolve: { scale: { x: 'independent' } },
  });
}
