/**
 * The result type of `fit()`: a curve-fit result with the plan that produced it.
 *
 * @module
 */
import type { Plan } from '../workflow/plan.ts';
import type { CurveFitResult } from './curve-fit-result.ts';

/** The result of `fit()`: a curve-fit result with the plan that produced it. */
export type FitResult = CurveFitResult & {
  /** The plan: strategy, backend, chunk size, given/used, and the memory budget. */
  readonly plan: Plan;
};
