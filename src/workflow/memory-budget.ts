/**
 * Memory budget of a fit: how much the data, the Jacobian and the solver's peak need, against
 * how much memory may safely be used.
 *
 * Follows NLSQ's `MemoryBudget.compute` (`nlsq/core/workflow.py`). With n points, p parameters,
 * k independent variables and b bytes per element (8 for f64):
 *
 * ```
 *   dataGb      = n · (k + 1) · b / 2³⁰          x columns and y
 *   jacobianGb  = n · p · b / 2³⁰                 the N×p Jacobian
 *   peakGb      = dataGb + 1.3 · jacobianGb + 0.1 1.3: SVD workspace, 0.1 GB: solver overhead
 *   thresholdGb = availableGb · safetyFactor
 * ```
 *
 * "GB" here is NLSQ's GB: 2³⁰ bytes (a GiB). For 5 parameters: 100K points → data 0.0015,
 * Jacobian 0.0037, peak 0.1063; 50M points → 0.7451 / 1.8626 / 3.2665.
 *
 * (nlsq folds blocks into a p×p triangle, so its own standard strategy never holds the N×p
 * Jacobian and SVD at once; the estimate is kept as NLSQ defines it, so strategy choices and
 * boundaries agree with NLSQ's.)
 *
 * @module
 */
import { describeValue, NlsqRangeError } from '../errors.ts';
import { BYTES_PER_GB, MemoryEstimator } from './memory-estimator.ts';

/** NLSQ's factor on the Jacobian size for the peak estimate (SVD U, S, V workspace). */
const PEAK_JACOBIAN_FACTOR = 1.3;

/** NLSQ's fixed solver overhead in the peak estimate, in GB. */
const SOLVER_OVERHEAD_GB = 0.1;

/** Default fraction of the available memory a fit may use. */
export const DEFAULT_SAFETY_FACTOR = 0.75;

/** Inputs of `MemoryBudget.compute`. */
export interface MemoryBudgetInput {
  /** Number of data points n (a positive integer). */
  readonly nPoints: number;
  /** Number of fit parameters p (a positive integer). */
  readonly nParams: number;
  /** Number of independent variables k (default 1). */
  readonly nFeatures?: number;
  /** Bytes per element (default 8, f64; 4 for f32). */
  readonly dtypeBytes?: number;
  /** Fraction of the available memory that may be used, in (0, 1] (default 0.75). */
  readonly safetyFactor?: number;
  /** Memory limit in GB; when absent the {@link MemoryEstimator} measures what is available. */
  readonly memoryLimitGb?: number | undefined;
}

/** A computed memory budget (all sizes in GB = 2³⁰ bytes). */
export interface MemoryBudget {
  /** Memory that may be used: the given limit, or what the estimator found available. */
  readonly availableGb: number;
  /** Where {@link MemoryBudget.availableGb} came from. */
  readonly availableFrom: 'memoryLimitGb' | 'estimator';
  /** The safety factor applied. */
  readonly safetyFactor: number;
  /** Safe threshold = availableGb · safetyFactor. */
  readonly thresholdGb: number;
  /** Data arrays (x columns and y). */
  readonly dataGb: number;
  /** The full N×p Jacobian. */
  readonly jacobianGb: number;
  /** Estimated peak = dataGb + 1.3 · jacobianGb + 0.1. */
  readonly peakGb: number;
  /** peakGb ≤ thresholdGb. */
  readonly fitsInMemory: boolean;
  /** dataGb ≤ thresholdGb. */
  readonly dataFits: boolean;
}

/** Throw unless `value` is a positive integer. */
function requirePositiveInteger(caller: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new NlsqRangeError(`${caller}: ${name} must be a positive integer, got ${describeValue(value)}`, name);
  }
  return value;
}

/** {@link MemoryBudgetInput} validated, with its defaults filled in. */
export interface ResolvedBudgetInput {
  /** Number of data points n. */
  readonly nPoints: number;
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of independent variables k. */
  readonly nFeatures: number;
  /** Bytes per element. */
  readonly dtypeBytes: number;
  /** Fraction of the available memory that may be used. */
  readonly safetyFactor: number;
  /** The caller's memory limit in GB, or undefined to measure. */
  readonly memoryLimitGb: number | undefined;
}

/**
 * Validate and default the inputs shared by the budget, the selector and the plan.
 *
 * @param caller - the public function name used in error messages.
 * @param input - the caller's input.
 * @returns the validated input with defaults (nFeatures 1, dtypeBytes 8, safetyFactor 0.75).
 * @throws NlsqRangeError naming the first invalid argument.
 */
export function validateBudgetInput(caller: string, input: MemoryBudgetInput): ResolvedBudgetInput {
  const nPoints = requirePositiveInteger(caller, 'nPoints', input.nPoints);
  const nParams = requirePositiveInteger(caller, 'nParams', input.nParams);
  const nFeatures = requirePositiveInteger(caller, 'nFeatures', input.nFeatures ?? 1);
  const dtypeBytes = requirePositiveInteger(caller, 'dtypeBytes', input.dtypeBytes ?? 8);
  const safetyFactor = input.safetyFactor ?? DEFAULT_SAFETY_FACTOR;
  if (typeof safetyFactor !== 'number' || !(safetyFactor > 0 && safetyFactor <= 1)) {
    throw new NlsqRangeError(`${caller}: safetyFactor must be in (0, 1], got ${describeValue(safetyFactor)}`, 'safetyFactor');
  }
  const memoryLimitGb = input.memoryLimitGb;
  if (memoryLimitGb !== undefined && (typeof memoryLimitGb !== 'number' || !(memoryLimitGb > 0) || !Number.isFinite(memoryLimitGb))) {
    throw new NlsqRangeError(`${caller}: memoryLimitGb must be a positive finite number of GB, got ${describeValue(memoryLimitGb)}`, 'memoryLimitGb');
  }
  return { nPoints, nParams, nFeatures, dtypeBytes, safetyFactor, memoryLimitGb };
}

/**
 * Compute the memory budget of a fit (NLSQ's `MemoryBudget.compute`).
 *
 * @param input - sizes, safety factor and an optional memory limit; see {@link MemoryBudgetInput}.
 * @returns the frozen budget.
 * @throws NlsqRangeError when nPoints, nParams, nFeatures or dtypeBytes is not a positive
 *   integer, safetyFactor is outside (0, 1], or memoryLimitGb is not a positive finite number.
 * @example
 * ```ts
 * const b = MemoryBudget.compute({ nPoints: 50_000_000, nParams: 5, memoryLimitGb: 4 });
 * b.peakGb.toFixed(4);  // '3.2665'
 * b.thresholdGb;        // 3
 * b.fitsInMemory;       // false
 * ```
 */
function compute(input: MemoryBudgetInput): MemoryBudget {
  const v = validateBudgetInput('MemoryBudget.compute', input);
  const availableGb = v.memoryLimitGb ?? MemoryEstimator.getAvailableMemoryGb();
  const dataGb = (v.nPoints * (v.nFeatures + 1) * v.dtypeBytes) / BYTES_PER_GB;
  const jacobianGb = (v.nPoints * v.nParams * v.dtypeBytes) / BYTES_PER_GB;
  const peakGb = dataGb + PEAK_JACOBIAN_FACTOR * jacobianGb + SOLVER_OVERHEAD_GB;
  const thresholdGb = availableGb * v.safetyFactor;
  return Object.freeze({
    availableGb,
    availableFrom: v.memoryLimitGb === undefined ? 'estimator' : 'memoryLimitGb',
    safetyFactor: v.safetyFactor,
    thresholdGb,
    dataGb,
    jacobianGb,
    peakGb,
    fitsInMemory: peakGb <= thresholdGb,
    dataFits: dataGb <= thresholdGb,
  });
}

/**
 * Memory budgets (NLSQ's `MemoryBudget`): `MemoryBudget.compute({...})`.
 * The formulas are in this module's header.
 */
export const MemoryBudget = Object.freeze({
  /**
   * Compute the memory budget of a fit: data, Jacobian and peak sizes against the safe threshold.
   * @param input - sizes, safety factor and an optional memory limit.
   * @returns the frozen budget.
   * @throws NlsqRangeError naming the first invalid argument.
   */
  compute,
});
