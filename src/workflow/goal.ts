/**
 * Optimization goals and NLSQ's size-tiered convergence tolerances
 * (`calculate_adaptive_tolerances` and `OptimizationGoal` in `nlsq/core/workflow.py`).
 *
 * A dataset's size places it in a tier; each tier has one tolerance used for `ftol`, `xtol` and
 * `gtol` alike (n = number of points, bounds exclusive above):
 *
 * | tier        | n               | tolerance |
 * |-------------|-----------------|-----------|
 * | tiny        | < 1K            | 1e-12     |
 * | small       | 1K – 10K        | 1e-10     |
 * | medium      | 10K – 100K      | 1e-9      |
 * | large       | 100K – 1M       | 1e-8      |
 * | very_large  | 1M – 10M        | 1e-7      |
 * | huge        | 10M – 100M      | 1e-6      |
 * | massive     | ≥ 100M          | 1e-5      |
 *
 * The goal shifts the tier: `'quality'` one tier tighter, `'fast'` one tier looser, `'robust'`
 * (the default) and `'global'` none; shifts stop at the ends of the table. In NLSQ `'robust'` and
 * `'quality'` also enable multi-start global search; here that is a goal of its own, `'global'`:
 * the size tier's tolerances and, in `fit()`, the `global` search with its defaults
 * (`DEFAULT_GLOBAL_STARTS` scrambled Sobol starts, seed 0, p0 first) unless `global` is given.
 *
 * @module
 */
import { describeValue, NlsqRangeError } from '../errors.ts';

/** What the caller optimizes for. */
export type Goal = 'fast' | 'robust' | 'quality' | 'global';

/** NLSQ's dataset-size tiers, smallest first. */
export type SizeTier = 'tiny' | 'small' | 'medium' | 'large' | 'very_large' | 'huge' | 'massive';

/** A size tier: its exclusive upper bound on n and its tolerance. */
export interface SizeTierInfo {
  /** The tier's name. */
  readonly tier: SizeTier;
  /** Exclusive upper bound on the number of points (Infinity for 'massive'). */
  readonly maxPoints: number;
  /** The tier's tolerance for ftol, xtol and gtol. */
  readonly tolerance: number;
}

/** NLSQ's tier table, smallest first. */
export const SIZE_TIERS: readonly SizeTierInfo[] = Object.freeze([
  { tier: 'tiny', maxPoints: 1_000, tolerance: 1e-12 },
  { tier: 'small', maxPoints: 10_000, tolerance: 1e-10 },
  { tier: 'medium', maxPoints: 100_000, tolerance: 1e-9 },
  { tier: 'large', maxPoints: 1_000_000, tolerance: 1e-8 },
  { tier: 'very_large', maxPoints: 10_000_000, tolerance: 1e-7 },
  { tier: 'huge', maxPoints: 100_000_000, tolerance: 1e-6 },
  { tier: 'massive', maxPoints: Infinity, tolerance: 1e-5 },
] as const satisfies readonly SizeTierInfo[]);

/** Convergence tolerances chosen for a goal and a size. */
export interface GoalTolerances {
  /** Tolerance on the relative change of the cost. */
  readonly ftol: number;
  /** Tolerance on the relative change of the parameters. */
  readonly xtol: number;
  /** Tolerance on the scaled gradient norm. */
  readonly gtol: number;
  /** The tier of the dataset's size. */
  readonly sizeTier: SizeTier;
  /** The tier whose tolerance was used, after the goal's shift. */
  readonly usedTier: SizeTier;
  /** The goal applied. */
  readonly goal: Goal;
}

const GOAL_SHIFT: Readonly<Record<Goal, number>> = Object.freeze({ quality: -1, robust: 0, fast: 1, global: 0 });

/** Throw unless n is a positive integer. */
function requirePoints(caller: string, nPoints: unknown): number {
  if (typeof nPoints !== 'number' || !Number.isSafeInteger(nPoints) || nPoints <= 0) {
    throw new NlsqRangeError(`${caller}: nPoints must be a positive integer, got ${describeValue(nPoints)}`, 'nPoints');
  }
  return nPoints;
}

/**
 * Index of the size tier of `nPoints` in {@link SIZE_TIERS} (NLSQ's `DatasetSizeTier.from_n_points`).
 * @param nPoints - number of data points (a positive integer).
 * @returns the tier index (0 = tiny … 6 = massive).
 * @throws NlsqRangeError when nPoints is not a positive integer.
 */
export function sizeTierIndex(nPoints: number): number {
  const n = requirePoints('sizeTierIndex', nPoints);
  const index = SIZE_TIERS.findIndex((t) => n < t.maxPoints);
  return index === -1 ? SIZE_TIERS.length - 1 : index;
}

/**
 * The convergence tolerances for a dataset size and a goal (NLSQ's `calculate_adaptive_tolerances`).
 *
 * @param nPoints - number of data points (a positive integer).
 * @param goal - `'fast'`, `'robust'` (default), `'quality'` or `'global'` (the tolerances of `'robust'`).
 * @returns ftol = xtol = gtol = the shifted tier's tolerance, with the tiers involved.
 * @throws NlsqRangeError when nPoints is not a positive integer or goal is unknown.
 * @example
 * ```ts
 * goalTolerances(5_000_000).gtol;            // 1e-7  (very_large)
 * goalTolerances(5_000_000, 'quality').gtol; // 1e-8  (one tier tighter)
 * goalTolerances(5_000_000, 'fast').gtol;    // 1e-6  (one tier looser)
 * ```
 */
export function goalTolerances(nPoints: number, goal: Goal = 'robust'): GoalTolerances {
  requirePoints('goalTolerances', nPoints);
  if (!Object.hasOwn(GOAL_SHIFT, goal)) {
    throw new NlsqRangeError(`goalTolerances: goal must be one of 'fast', 'robust', 'quality', 'global', got ${describeValue(goal)}`, 'goal');
  }
  const base = sizeTierIndex(nPoints);
  const used = Math.min(SIZE_TIERS.length - 1, Math.max(0, base + GOAL_SHIFT[goal]));
  const tol = SIZE_TIERS[used]!.tolerance;
  return Object.freeze({ ftol: tol, xtol: tol, gtol: tol, sizeTier: SIZE_TIERS[base]!.tier, usedTier: SIZE_TIERS[used]!.tier, goal });
}
