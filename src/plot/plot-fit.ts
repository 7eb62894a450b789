/**
 * `plotFit`: the figure of a fit — lmfit's `ModelResult.plot` (data, fit and residuals) as a
 * Vega-Lite spec.
 *
 * One variable: the data points (with ±σ error bars when σ is given), the fitted curve
 * f(x; popt) on a fine grid over the data's x range, the confidence band of the curve and the
 * prediction band of a new observation (delta method, `result/bands.ts`), and a residual panel
 * y − ŷ below that shares the x axis. Two variables: heat maps of data, fit and residuals
 * (`./plot-fit-2d.ts`). The subtitle lists the parameters ± their standard errors and R², χ²ν.
 *
 * @module
 */
import { describeValue, NlsqRangeError } from '../errors.ts';
import { formatNumber } from '../util/format.ts';
import { selectPoints, DEFAULT_MAX_POINTS } from './downsample.ts';
import { positiveInteger } from './check-option.ts';
import { estimateLines, finiteBand, resolveFitData, type FitData, type PlottableFit, type ResolvedFitData } from './fit-data.ts';
import { plotFit2d } from './plot-fit-2d.ts';
import { COLOURS, topLevel, type VegaLiteSpec } from './spec.ts';

/** Options of {@link plotFit}: the data the fit was given, and the figure's settings. */
export interface PlotFitOptions extends FitData {
  /** Confidence level of the bands (default 0.95). */
  readonly level?: number;
  /** Points of the grid the curve and bands are computed on (default 400; one variable). */
  readonly gridPoints?: number;
  /**
   * Most data points drawn (default 1000); more are thinned to an even subsample, as the
   * description says, and then drawn without per-point accessibility labels, to keep the SVG small.
   */
  readonly maxPoints?: number;
  /** Cells per side of the heat maps (default 40; two variables). */
  readonly gridCells?: number;
  /** Title (default `Fit of y against x`). */
  readonly title?: string;
  /** Width of a panel in pixels (default 560). */
  readonly width?: number;
  /** Height of the data panel in pixels (default 320; the residual panel is 120). */
  readonly height?: number;
}

const CALLER = 'plotFit';

/** n evenly spaced values from lo to hi. */
export function linspace(lo: number, hi: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
  return out;
}

/** Smallest and largest finite value, or null when there is none. */
export function finiteRange(a: ArrayLike<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The statistics line of a fit's subtitle. */
export function statisticsLine(result: PlottableFit): string {
  return `R² = ${formatNumber(result.rSquared)} · χ²ν = ${formatNumber(result.reducedChiSquare)} · n = ${result.n} · dof = ${result.dof}`;
}

/** The data points (selected) and their residuals. */
function pointRows(d: ResolvedFitData, indices: Int32Array): Record<string, number>[] {
  const x = d.columns[0]!;
  return Array.from(indices, (i) => {
    const row: Record<string, number> = { x: x[i]!, y: d.y[i]!, residual: d.y[i]! - d.yhat[i]! };
    if (d.sigma !== null) {
      row['lo'] = d.y[i]! - d.sigma[i]!;
      row['hi'] = d.y[i]! + d.sigma[i]!;
      row['rlo'] = row['residual']! - d.sigma[i]!;
      row['rhi'] = row['residual']! + d.sigma[i]!;
    }
    return row;
  });
}

/**
 * The Vega-Lite figure of a fit: data, fitted curve, confidence and prediction bands, residuals.
 *
 * The curve is `result.predict` on `gridPoints` evenly spaced x over the data's range; the bands
 * are `result.confidenceBand` (ŷ ± t·√(gᵀPg)) and `result.predictionBand` (ŷ ± t·√(gᵀPg + s²),
 * s² = RSS/dof) at the same x — the delta method of SciPy-based tools and lmfit's
 * `eval_uncertainty`. A band is left out (and the description says so) where it cannot be
 * computed: dof ≤ 0 or a covariance that could not be estimated. Residuals are y − ŷ
 * (unweighted), with ±σ bars when σ is given. More than `maxPoints` points are thinned to an even
 * subsample for the drawing only; every statistic uses all points.
 *
 * @param result - the fit (`curveFit`, `curveFitSync` or `fit`).
 * @param options - `{ x, y, sigma?, labels? }`, the data the fit was given, and figure settings.
 * @returns the spec: render it with `toSVG` / `toPNG`, or in a browser with vega-embed.
 * @throws NlsqTypeError when result is not a fit result or x / y is missing; NlsqRangeError
 *   (`ERR_SHAPE`) when y or sigma is not as long as x, or x has not one row per model variable;
 *   NlsqRangeError for a model of more than two variables or a bad option.
 * @example
 * ```ts
 * const r = await curveFit(model('a*exp(-b*t) + c'), t, y, { sigma });
 * const spec = plotFit(r, { x: t, y, sigma, labels: { x: 'time (s)', y: 'signal' } });
 * await writeFile('fit.svg', await toSVG(spec));
 * ```
 */
export function plotFit(result: PlottableFit, options: PlotFitOptions): VegaLiteSpec {
  const d = resolveFitData(CALLER, result, options);
  const level = options.level ?? 0.95;
  if (!(typeof level === 'number' && level > 0 && level < 1)) throw new NlsqRangeError(`${CALLER}: level must be in (0, 1), got ${describeValue(level)}`, 'level');
  const maxPoints = positiveInteger(CALLER, 'maxPoints', options.maxPoints, DEFAULT_MAX_POINTS);
  const width = positiveInteger(CALLER, 'width', options.width, 560, 50);
  const height = positiveInteger(CALLER, 'height', options.height, 320, 50);
  if (d.columns.length === 2) {
    return plotFit2d(CALLER, result, d, { cells: positiveInteger(CALLER, 'gridCells', options.gridCells, 40, 2), width, height, title: options.title });
  }
  if (d.columns.length !== 1) {
    throw new NlsqRangeError(`${CALLER}: figures are drawn for models of one or two variables, got ${d.columns.length} (${result.variables.join(', ')})`, 'x', 'ERR_SHAPE');
  }
  const gridPoints = positiveInteger(CALLER, 'gridPoints', options.gridPoints, 400, 2);
  const range = finiteRange(d.columns[0]!);
  if (range === null) throw new NlsqRangeError(`${CALLER}: x must hold at least one finite value`, 'x');
  const grid = linspace(range[0], range[1], gridPoints);
  const curve = result.predict(grid);
  const confidence = finiteBand(() => result.confidenceBand(grid, level));
  const prediction = finiteBand(() => result.predictionBand(grid, level));
  const curveRows = Array.from(grid, (x, i) => ({
    x,
    yhat: curve[i]!,
    ...(confidence === null ? {} : { clo: confidence.lower[i]!, chi: confidence.upper[i]! }),
    ...(prediction === null ? {} : { plo: prediction.lower[i]!, phi: prediction.upper[i]! }),
  }));
  const selection = selectPoints(CALLER, d.y.length, maxPoints);
  const pct = `${Number((level * 100).toPrecision(4))}%`;
  const names = { data: 'data', fit: 'fit', confidence: `${pct} confidence band`, prediction: `${pct} prediction band` };
  const legend = {
    scale: {
      domain: [names.data, names.fit, ...(confidence === null ? [] : [names.confidence]), ...(prediction === null ? [] : [names.prediction])],
      range: [COLOURS.data, COLOURS.fit, ...(confidence === null ? [] : [COLOURS.confidence]), ...(prediction === null ? [] : [COLOURS.prediction])],
    },
    legend: { title: null, orient: 'top-right', labelLimit: 300, symbolType: 'square' },
  };
  const [xName] = d.xNames;
  const xTop = { field: 'x', type: 'quantitative', title: null, scale: { zero: false, nice: false } };
  const xBottom = { field: 'x', type: 'quantitative', title: xName, scale: { zero: false, nice: false } };
  const dataLayers: unknown[] = [];
  if (prediction !== null) {
    dataLayers.push({ name: 'prediction_band', data: { name: 'curve' }, mark: { type: 'area', opacity: 0.35 }, encoding: { x: xTop, y: { field: 'plo', type: 'quantitative', title: d.yName, scale: { zero: false } }, y2: { field: 'phi' }, color: { datum: names.prediction, ...legend } } });
  }
  if (confidence !== null) {
    dataLayers.push({ name: 'confidence_band', data: { name: 'curve' }, mark: { type: 'area', opacity: 0.45 }, encoding: { x: xTop, y: { field: 'clo', type: 'quantitative', title: d.yName, scale: { zero: false } }, y2: { field: 'chi' }, color: { datum: names.confidence, ...legend } } });
  }
  if (d.sigma !== null) {
    dataLayers.push({ name: 'error_bars', data: { name: 'points' }, mark: { type: 'rule', strokeWidth: 1, opacity: 0.6, aria: false }, encoding: { x: xTop, y: { field: 'lo', type: 'quantitative', title: d.yName }, y2: { field: 'hi' }, color: { datum: names.data, ...legend } } });
  }
  dataLayers.push(
    { name: 'data_points', data: { name: 'points' }, mark: { type: 'point', filled: true, size: 18, opacity: 0.8, aria: selection.stride === 1 }, encoding: { x: xTop, y: { field: 'y', type: 'quantitative', title: d.yName, scale: { zero: false } }, color: { datum: names.data, ...legend } } },
    { name: 'fit_curve', data: { name: 'curve' }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x: xTop, y: { field: 'yhat', type: 'quantitative', title: d.yName }, color: { datum: names.fit, ...legend } } },
  );
  const residualLayers: unknown[] = [
    { name: 'zero_rule', data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888', strokeDash: [4, 3], aria: false }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
  ];
  if (d.sigma !== null) {
    residualLayers.push({ name: 'residual_error_bars', data: { name: 'points' }, mark: { type: 'rule', color: COLOURS.residual, opacity: 0.6, aria: false }, encoding: { x: xBottom, y: { field: 'rlo', type: 'quantitative' }, y2: { field: 'rhi' } } });
  }
  residualLayers.push({ name: 'residual_points', data: { name: 'points' }, mark: { type: 'point', filled: true, size: 14, color: COLOURS.residual, aria: false }, encoding: { x: xBottom, y: { field: 'residual', type: 'quantitative', title: `residual ${d.yName} − ŷ` } } });
  const omitted = [confidence === null ? 'confidence band' : '', prediction === null ? 'prediction band' : ''].filter((s) => s !== '');
  const description =
    `Fit of ${d.yName} against ${xName}: data (${selection.note}${d.sigma === null ? '' : ', ±σ error bars'}), the fitted curve on ${gridPoints} grid points` +
    (omitted.length === 2 ? '' : `, the ${[confidence === null ? '' : names.confidence, prediction === null ? '' : names.prediction].filter((s) => s !== '').join(' and ')}`) +
    `; residuals ${d.yName} − ŷ below, sharing the x axis.` +
    (omitted.length === 0 ? '' : ` No ${omitted.join(' or ')}: the covariance could not be estimated or dof ≤ 0.`);
  return topLevel(description, {
    title: { text: options.title ?? `Fit of ${d.yName} against ${xName}`, subtitle: [...estimateLines(result), statisticsLine(result)] },
    datasets: { points: pointRows(d, selection.indices), curve: curveRows },
    vconcat: [
      { name: 'fit_panel', width, height, layer: dataLayers },
      { name: 'residual_panel', width, height: 120, layer: residualLayers },
    ],
    resolve: { scale: { x: 'shared' } },
    spacing: 8,
  });
}
