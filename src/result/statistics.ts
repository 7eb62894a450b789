/**
 * Goodness-of-fit statistics of a curve fit, computed once when the result is built.
 *
 * With observations y_i, fitted values ŷ_i = f(x_i; popt), n points, p parameters and the
 * *weighted* residuals r_i the solver minimized (w_i(ŷ_i − y_i), or L⁻¹(ŷ − y) for a covariance
 * sigma, or ŷ_i − y_i without sigma):
 *
 * ```
 *   dof = n − p                      χ² = Σ r_i²             χ²_ν = χ² / dof
 *   RSS = Σ (y_i − ŷ_i)²              R² = 1 − RSS / Σ (y_i − ȳ)²
 *   adjusted R² = 1 − (1 − R²)(n − 1)/(n − p)
 *   RMSE = √(RSS / n)                 MAE = Σ |y_i − ŷ_i| / n
 *   AIC = n ln(χ²/n) + 2p              BIC = n ln(χ²/n) + p ln n
 * ```
 *
 * R², RMSE and MAE are in the units of y (unweighted), as most curve-fitting tools report them;
 * χ², AIC and BIC use the weighted residuals (AIC/BIC are the Gaussian log-likelihood forms with
 * the constant dropped, so only differences between models fitted to the same data are meaningful).
 * With a robust loss the statistics still use squared residuals, not ρ.
 *
 * @module
 */
import { blockedSum, CompensatedSum, errorSums, weightedResidualSums } from '../stats/residual-sums.ts';

/** Goodness-of-fit numbers. NaN where undefined (e.g. dof ≤ 0 for χ²_ν). */
export interface FitStatistics {
  /** Number of points n. */
  readonly n: number;
  /** Number of parameters p. */
  readonly p: number;
  /** Degrees of freedom n − p. */
  readonly dof: number;
  /** Σ r_i² of the weighted residuals. */
  readonly chiSquare: number;
  /** χ² / dof. */
  readonly reducedChiSquare: number;
  /** Σ (y_i − ŷ_i)², unweighted. */
  readonly rss: number;
  /** Coefficient of determination (unweighted). */
  readonly rSquared: number;
  /** R² adjusted for the number of parameters. */
  readonly adjRSquared: number;
  /** Root-mean-square error √(RSS/n). */
  readonly rmse: number;
  /** Mean absolute error. */
  readonly mae: number;
  /** Akaike information criterion n ln(χ²/n) + 2p. */
  readonly aic: number;
  /** Bayesian information criterion n ln(χ²/n) + p ln n. */
  readonly bic: number;
}

/**
 * Compute the statistics.
 *
 * @param y - observations (length n).
 * @param yhat - fitted values f(x_i; popt) (length n).
 * @param weighted - the weighted residuals the fit minimized (length m; m = n for curve fits).
 * @param p - number of parameters.
 * @returns the statistics (blocked sums: plain within blocks of 256 terms, Neumaier-compensated
 *   across blocks, so the error grows with 256 + n/256 terms instead of n).
 */
export function computeStatistics(y: Float64Array, yhat: Float64Array, weighted: Float64Array, p: number): FitStatistics {
  const n = y.length;
  const sums = errorSums(y, weighted, blockedSum(y) / n, (i) => y[i]! - yhat[i]!);
  if (weighted.length === n) return statisticsFromSums({ n, p, ...sums });
  const chi = new CompensatedSum();
  chi.add(sums.chiSquare);
  for (let i = n; i < weighted.length; i++) chi.add(weighted[i]! * weighted[i]!);
  return statisticsFromSums({ n, p, ...sums, chiSquare: chi.value() });
}

/**
 * The statistics from the weighted residuals r_i = w_i(ŷ_i − y_i) alone (w null: unit weights),
 * without forming ŷ (`stats/residual-sums.ts`). One pass over y for the mean, one for the sums;
 * nothing allocated.
 */
export function statisticsFromWeightedResiduals(y: Float64Array, weighted: Float64Array, w: Float64Array | null, p: number): FitStatistics {
  const n = y.length;
  const sums = weightedResidualSums(y, weighted, w, blockedSum(y) / n);
  // Named, not spread: V8 builds a literal with a leading spread through a slow path.
  return statisticsFromSums({ n, p, chiSquare: sums.chiSquare, rss: sums.rss, tss: sums.tss, absSum: sums.absSum });
}

/** The sums every statistic derives from (resident or streamed). */
export interface StatisticsSums {
  /** Number of points. */
  readonly n: number;
  /** Number of parameters. */
  readonly p: number;
  /** Σ r_i² of the weighted residuals. */
  readonly chiSquare: number;
  /** Σ (y_i − ŷ_i)². */
  readonly rss: number;
  /** Σ (y_i − ȳ)². */
  readonly tss: number;
  /** Σ |y_i − ŷ_i|. */
  readonly absSum: number;
}

/** The statistics of the module documentation from their sums. */
export function statisticsFromSums(sums: StatisticsSums): FitStatistics {
  const { n, p, chiSquare, rss, tss, absSum } = sums;
  const dof = n - p;
  const rSquared = tss > 0 ? 1 - rss / tss : NaN;
  const logLike = n * Math.log(chiSquare / n);
  return {
    n,
    p,
    dof,
    chiSquare,
    reducedChiSquare: dof > 0 ? chiSquare / dof : NaN,
    rss,
    rSquared,
    adjRSquared: dof > 0 && n > 1 ? 1 - ((1 - rSquared) * (n - 1)) / dof : NaN,
    rmse: Math.sqrt(rss / n),
    mae: absSum / n,
    aic: logLike + 2 * p,
    bic: logLike + p * Math.log(n),
  };
}
