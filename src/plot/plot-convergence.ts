/**
 * `plotConvergence`: how the solver got there — the cost ½Σρ(f²) and the step norm ‖Δx‖ with the
 * gradient norm ‖g‖∞ at each iteration, from the result's `history` (recorded for every fit by
 * the driver core, `optim/driver.ts`). Both panels use log y scales: near the solution TRF and
 * LM converge quadratically and the cost falls over decades (Moré, "The Levenberg–Marquardt
 * algorithm: implementation and theory", 1978; Branch, Coleman and Li, SIAM J. Sci. Comput. 21,
 * 1999).
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import { requireResult } from './fit-data.ts';
import { COLOURS, topLevel, type VegaLiteSpec } from './spec.ts';

/** Options of {@link plotConvergence}. */
export interface PlotConvergenceOptions {
  /** Width in pixels (default 560). */
  readonly width?: number;
  /** Height of each panel in pixels (default 200). */
  readonly height?: number;
}

const CALLER = 'plotConvergence';

/**
 * The convergence figure of a fit: cost per iteration above, step and gradient norms below.
 * Zero values (a rejected step has ‖Δx‖ = 0; an exact fit has cost 0) cannot sit on a log scale
 * and are left out, as the description says.
 *
 * @param result - the fit (its `history`, `method`, `status`, `nfev`).
 * @param options - panel size.
 * @returns the spec.
 * @throws NlsqTypeError when result has no history; NlsqRangeError naming `result` when the history is empty (a one-pass streaming estimate has none).
 */
export function plotConvergence(result: Pick<CurveFitResult, 'history'> & Partial<Pick<CurveFitResult, 'method' | 'status' | 'nfev'>>, options: PlotConvergenceOptions = {}): VegaLiteSpec {
  requireResult(CALLER, result, ['history']);
  const { history } = result;
  if (history.length === 0) throw new NlsqRangeError(`${CALLER}: result has no iterations to draw (a one-pass streaming estimate records none)`, 'result');
  const width = options.width ?? 560;
  const height = options.height ?? 200;
  const costs = history.map((h) => ({ iteration: h.iteration, cost: h.cost })).filter((h) => h.cost > 0 && Number.isFinite(h.cost));
  const norms = history.flatMap((h) => [
    { iteration: h.iteration, norm: h.stepNorm, quantity: 'step ‖Δx‖' },
    { iteration: h.iteration, norm: h.gradientNorm, quantity: 'gradient ‖g‖∞' },
  ]).filter((h) => h.norm > 0 && Number.isFinite(h.norm));
  const dropped = 3 * history.length - costs.length - norms.length;
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration', axis: { tickMinStep: 1 } };
  const how = [result.method, result.status === undefined ? undefined : `status ${result.status}`, result.nfev === undefined ? undefined : `${result.nfev} evaluations`].filter((s) => s !== undefined);
  return topLevel(
    `Convergence over ${history.length} iterations: the cost ½Σρ(f²) (log scale) above, the step norm ‖Δx‖ and the gradient norm ‖g‖∞ (log scale) below.` + (dropped > 0 ? ` ${dropped} zero or non-finite value(s) left out of the log scales.` : ''),
    {
      title: { text: 'Convergence', ...(how.length === 0 ? {} : { subtitle: how.join(', ') }) },
      vconcat: [
        {
          name: 'cost_panel', width, height, data: { values: costs },
          mark: { type: 'line', point: { color: COLOURS.fit }, color: COLOURS.fit },
          encoding: { x, y: { field: 'cost', type: 'quantitative', title: 'cost ½Σρ(f²)', scale: { type: 'log' } } },
        },
        {
          name: 'step_panel', width, height, data: { values: norms },
          mark: { type: 'line', point: true },
          encoding: {
            x,
            y: { field: 'norm', type: 'quantitative', title: 'norm', scale: { type: 'log' } },
            color: { field: 'quantity', type: 'nominal', title: null, scale: { domain: ['step ‖Δx‖', 'gradient ‖g‖∞'], range: [COLOURS.data, COLOURS.confidence] } },
          },
        },
      ],
      resolve: { scale: { x: 'shared' } },
    },
  );
}
