/**
 * `plotResiduals`: residuals against x — lmfit's `ModelResult.plot_residuals` — as a Vega-Lite
 * spec. Raw residuals y − ŷ, or with `normalized` and σ the standardized (y − ŷ)/σ, whose
 * scatter about 0 should look like unit normal noise when the model and the σ are right. Two
 * variables give a heat map of the residuals (mean per cell).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import { DEFAULT_MAX_POINTS, selectPoints } from './downsample.ts';
import { resolveFitData, type FitData, type PlottableFit } from './fit-data.ts';
import { binMeans, gridAxis, heatPanel } from './heat-grid.ts';
import { positiveInteger } from './check-option.ts';
import { COLOURS, topLevel, type VegaLiteSpec } from './spec.ts';

/** Options of {@link plotResiduals}: the data the fit was given, and the figure's settings. */
export interface PlotResidualsOptions extends FitData {
  /** Draw (y − ŷ)/σ instead of y − ŷ (needs sigma). */
  readonly normalized?: boolean;
  /** Most points drawn; more are downsampled, as the description says (default 1000). */
  readonly maxPoints?: number;
  /** Cells per side of the heat map (default 40; two variables). */
  readonly gridCells?: number;
  /** Width in pixels (default 560). */
  readonly width?: number;
  /** Height in pixels (default 240). */
  readonly height?: number;
}

const CALLER = 'plotResiduals';

/**
 * The residual figure of a fit.
 *
 * @param result - the fit.
 * @param options - `{ x, y, sigma?, labels?, normalized? }`.
 * @returns the spec.
 * @throws as `plotFit`; NlsqRangeError naming `sigma` when `normalized` is asked without it.
 */
export function plotResiduals(result: PlottableFit, options: PlotResidualsOptions): VegaLiteSpec {
  const d = resolveFitData(CALLER, result, options);
  const normalized = options.normalized === true;
  if (normalized && d.sigma === null) throw new NlsqRangeError(`${CALLER}: normalized residuals need sigma`, 'sigma');
  const width = positiveInteger(CALLER, 'width', options.width, 560, 50);
  const height = positiveInteger(CALLER, 'height', options.height, 240, 50);
  const residual = d.y.map((v, i) => (v - d.yhat[i]!) / (normalized ? d.sigma![i]! : 1));
  const what = normalized ? `(${d.yName} − ŷ)/σ` : `${d.yName} − ŷ`;
  if (d.columns.length === 2) {
    const cells = positiveInteger(CALLER, 'gridCells', options.gridCells, 40, 2);
    const [x0, x1] = d.columns as [Float64Array, Float64Array];
    const axes = [gridAxis(CALLER, 'x[0]', x0, cells), gridAxis(CALLER, 'x[1]', x1, cells)] as const;
    const names = d.xNames as [string, string];
    const size = Math.min(width, Math.round(height * 1.5));
    return topLevel(`Residuals ${what} of the fit against ${names[0]} and ${names[1]}: mean per cell of a ${axes[0].cells}×${axes[1].cells} grid.`, {
      title: { text: `Residuals ${what}` },
      ...heatPanel('residual_heatmap', null, binMeans(x0, x1, residual, axes[0], axes[1]), axes, names, size, { title: what, scale: { scheme: 'redblue', domainMid: 0 } }),
    });
  }
  if (d.columns.length !== 1) throw new NlsqRangeError(`${CALLER}: figures are drawn for models of one or two variables, got ${d.columns.length}`, 'x', 'ERR_SHAPE');
  const selection = selectPoints(CALLER, d.y.length, positiveInteger(CALLER, 'maxPoints', options.maxPoints, DEFAULT_MAX_POINTS));
  const x = d.columns[0]!;
  const [xName] = d.xNames;
  const rows = Array.from(selection.indices, (i) => ({ x: x[i]!, residual: residual[i]!, ...(d.sigma !== null && !normalized ? { lo: residual[i]! - d.sigma[i]!, hi: residual[i]! + d.sigma[i]! } : {}) }));
  const xEnc = { field: 'x', type: 'quantitative', title: xName, scale: { zero: false, nice: false } };
  const layers: unknown[] = [{ name: 'zero_rule', data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888', strokeDash: [4, 3] }, encoding: { y: { field: 'zero', type: 'quantitative' } } }];
  if (d.sigma !== null && !normalized) layers.push({ name: 'residual_error_bars', mark: { type: 'rule', color: COLOURS.residual, opacity: 0.6 }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } });
  layers.push({ name: 'residual_points', mark: { type: 'point', filled: true, size: 16, color: COLOURS.residual }, encoding: { x: xEnc, y: { field: 'residual', type: 'quantitative', title: what } } });
  return topLevel(`Residuals ${what} of the fit against ${xName} (${selection.note}).`, {
    title: { text: `Residuals ${what}` },
    width,
    height,
    data: { values: rows },
    layer: layers,
  });
}
