/**
 * The data a fit figure draws, checked against the result: the result keeps its parameters, not
 * its data, so `plotFit` and `plotResiduals` take the x, y (and σ) the fit was given and evaluate
 * the model there.
 *
 * @module
 */
import { describeValue, NlsqError, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { toFloat64 } from '../options/validate.ts';
import { parseNewX, type Band, type NewX } from '../result/bands.ts';
import type { CurveFitResult } from '../result/curve-fit-result.ts';
import type { NamedParams } from '../result/named-params.ts';
import { formatEstimate } from './spec.ts';

/**
 * What the fit figures need from a result: a {@link CurveFitResult} (or `fit()`'s result) has
 * all of it.
 */
export type PlottableFit = Pick<
  CurveFitResult,
  'predict' | 'confidenceBand' | 'predictionBand' | 'popt' | 'perr' | 'paramNames' | 'variables' | 'rSquared' | 'reducedChiSquare' | 'n' | 'dof'
> & {
  /** The parameters by name (for the subtitle's names and fixed marks), when the result has them. */
  readonly params?: NamedParams;
};

/** Axis titles given by the caller instead of the model's names. */
export interface PlotLabels {
  /** Title of the x axis (one name per variable for a 2-D model). */
  readonly x?: string | readonly string[];
  /** Title of the y axis. */
  readonly y?: string;
}

/** The data a fit was given, for the figures. */
export interface FitData {
  /** The independent variable(s): n numbers, or k arrays of n numbers for a k-variable model. */
  readonly x: NewX;
  /** The observations, n numbers. */
  readonly y: ArrayLike<number>;
  /** Standard deviations of y (one per value): drawn as error bars. */
  readonly sigma?: ArrayLike<number> | undefined;
  /** Axis titles (default: the model's variable names and `y`). */
  readonly labels?: PlotLabels | undefined;
}

/** {@link FitData} checked and evaluated: the columns, y, σ, ŷ = f(x; popt) and the axis titles. */
export interface ResolvedFitData {
  readonly columns: readonly Float64Array[];
  readonly y: Float64Array;
  readonly sigma: Float64Array | null;
  readonly yhat: Float64Array;
  readonly xNames: readonly string[];
  readonly yName: string;
}

/**
 * Check that `result` is a fit result; the figures' first argument.
 *
 * @param caller - public function name.
 * @param result - what the caller passed.
 * @param needs - the members the figure uses.
 * @throws NlsqTypeError naming `result` when one is missing.
 */
export function requireResult(caller: string, result: unknown, needs: readonly string[]): void {
  if (typeof result !== 'object' || result === null) {
    throw new NlsqTypeError(`${caller}: result must be the result of curveFit or fit, got ${describeValue(result)}`, 'result');
  }
  const missing = needs.filter((key) => (result as Record<string, unknown>)[key] === undefined);
  if (missing.length > 0) {
    throw new NlsqTypeError(`${caller}: result must be the result of curveFit or fit (it has no ${missing.join(', ')})`, 'result');
  }
}

const FIT_MEMBERS = ['predict', 'popt', 'perr', 'paramNames', 'variables'] as const;

/**
 * Check the data against the result and evaluate the model at it.
 *
 * @param caller - public function name (`plotFit`, `plotResiduals`).
 * @param result - the fit.
 * @param data - x, y, σ and labels as the caller gave them.
 * @returns the resolved data.
 * @throws NlsqTypeError for a missing result member, x or y; NlsqRangeError (`ERR_SHAPE`) when
 *   x does not have one row per model variable, or y or sigma is not as long as x.
 */
export function resolveFitData(caller: string, result: PlottableFit, data: FitData): ResolvedFitData {
  requireResult(caller, result, FIT_MEMBERS);
  if (typeof data !== 'object' || data === null) {
    throw new NlsqTypeError(`${caller}: the second argument must be { x, y }, the data the fit was given, got ${describeValue(data)}`, 'x');
  }
  const k = result.variables.length;
  if (data.x === undefined || data.x === null) {
    throw new NlsqTypeError(`${caller}: x is required (the result does not keep its data): pass the x the fit was given`, 'x');
  }
  const columns = parseNewX(caller, data.x, k);
  const n = columns[0]!.length;
  if (data.y === undefined || data.y === null) {
    throw new NlsqTypeError(`${caller}: y is required (the result does not keep its data): pass the y the fit was given`, 'y');
  }
  const y = toFloat64(caller, 'y', data.y, n, '(one per x value)');
  const sigma = data.sigma === undefined ? null : toFloat64(caller, 'sigma', data.sigma, n, '(one per y value)');
  const yhat = result.predict(k === 1 ? columns[0]! : columns);
  return { columns, y, sigma, yhat, ...axisNames(caller, result.variables, data.labels) };
}

/**
 * The axis titles: the caller's labels, else the model's variable names and `y`.
 *
 * @param caller - public function name.
 * @param variables - the model's variable names.
 * @param labels - the caller's titles.
 * @throws NlsqRangeError (`ERR_SHAPE`) when `labels.x` does not name each variable.
 */
export function axisNames(caller: string, variables: readonly string[], labels: PlotLabels | undefined): { xNames: readonly string[]; yName: string } {
  const x = labels?.x;
  const xNames = x === undefined ? variables : typeof x === 'string' ? [x] : [...x];
  if (xNames.length !== variables.length) {
    throw new NlsqRangeError(`${caller}: labels.x must name ${variables.length} variable(s) (${variables.join(', ')}), got ${xNames.length}`, 'labels', 'ERR_SHAPE');
  }
  return { xNames, yName: labels?.y ?? 'y' };
}

/** A band when every value is finite (a covariance that could not be estimated gives none). */
export function finiteBand(make: () => Band): Band | null {
  try {
    const band = make();
    return band.lower.every(Number.isFinite) && band.upper.every(Number.isFinite) ? band : null;
  } catch (error) {
    if (error instanceof NlsqError) return null; // dof ≤ 0: no band to draw
    throw error;
  }
}

/**
 * The subtitle lines of parameter estimates, `a = 3.01 ± 0.012 · b = …`, a few per line: names,
 * values and errors from `result.params` when present (fixed parameters marked), else from
 * `paramNames`, `popt` and `perr`.
 *
 * @param result - the fit.
 * @param perLine - estimates per line (default 4).
 */
export function estimateLines(result: Pick<CurveFitResult, 'popt' | 'perr' | 'paramNames'> & { readonly params?: NamedParams }, perLine = 4): string[] {
  const items =
    result.params !== undefined
      ? Object.values(result.params).map((q) => (q.kind === 'fixed' ? formatEstimate(q.name, q.value, 0) : formatEstimate(q.name, q.value, q.stderr)))
      : result.popt.map((v, j) => formatEstimate(result.paramNames[j] ?? `p${j}`, v, result.perr[j] ?? NaN));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(' · '));
  return lines;
}
