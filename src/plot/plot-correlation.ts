/**
 * `plotCorrelation`: the parameters' correlation matrix r_ij = P_ij / √(P_ii P_jj) from the
 * covariance P = pcov as a heat map with the values written in the cells (lmfit's `correl`,
 * drawn). |r| near 1 means two parameters trade off and are poorly determined separately.
 * Fixed parameters (zero variance) have no correlation and are left out.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import { requireResult } from './fit-data.ts';
import { topLevel, type VegaLiteSpec } from './spec.ts';

/** Options of {@link plotCorrelation}. */
export interface PlotCorrelationOptions {
  /** Side of the square in pixels (default 40 per parameter, at least 200). */
  readonly size?: number;
}

const CALLER = 'plotCorrelation';

/**
 * The correlation matrix of the fitted parameters as a heat map.
 *
 * @param result - the fit (its `pcov` and `paramNames`).
 * @param options - size.
 * @returns the spec.
 * @throws NlsqTypeError when result has no pcov; NlsqRangeError naming `result` when the
 *   covariance could not be estimated (non-finite) or no parameter varies.
 */
export function plotCorrelation(result: Pick<CurveFitResult, 'pcov' | 'paramNames'>, options: PlotCorrelationOptions = {}): VegaLiteSpec {
  requireResult(CALLER, result, ['pcov', 'paramNames']);
  const P = result.pcov;
  const names = result.paramNames;
  const free = names.map((_, j) => j).filter((j) => P[j]![j]! > 0);
  if (free.some((j) => !Number.isFinite(P[j]![j]!)) || P.some((row) => row.some((v) => Number.isNaN(v)))) {
    throw new NlsqRangeError(`${CALLER}: result's covariance could not be estimated (pcov is not finite), so there are no correlations to draw`, 'result');
  }
  if (free.length === 0) throw new NlsqRangeError(`${CALLER}: result has no parameter with a positive variance`, 'result');
  const cells = free.flatMap((i) =>
    free.map((j) => {
      const r = i === j ? 1 : P[i]![j]! / Math.sqrt(P[i]![i]! * P[j]![j]!);
      return { row: names[i]!, column: names[j]!, r, label: r.toFixed(2) };
    }),
  );
  const order = free.map((j) => names[j]!);
  const size = options.size ?? Math.max(200, 40 * free.length);
  const x = { field: 'column', type: 'nominal', title: 'parameter', sort: order, axis: { labelAngle: 0 } };
  const y = { field: 'row', type: 'nominal', title: 'parameter', sort: order };
  return topLevel(`Correlation matrix of the ${free.length} fitted parameters (${order.join(', ')}), r = pcov_ij / √(pcov_ii pcov_jj).`, {
    title: { text: 'Parameter correlations' },
    width: size,
    height: size,
    data: { values: cells },
    layer: [
      { name: 'correlation_cells', mark: { type: 'rect' }, encoding: { x, y, color: { field: 'r', type: 'quantitative', title: 'r', scale: { scheme: 'redblue', domain: [-1, 1], reverse: true } } } },
      { name: 'correlation_values', mark: { type: 'text', fontSize: 11 }, encoding: { x, y, text: { field: 'label' }, color: { condition: { test: 'abs(datum.r) > 0.6', value: 'white' }, value: 'black' } } },
    ],
  });
}
