/**
 * The sums every goodness-of-fit statistic derives from, over rows of the data: Σ r_i² of the
 * weighted residuals, Σ (y_i − ŷ_i)², Σ (y_i − ȳ)² about a given mean and Σ |y_i − ŷ_i| — blocked
 * sums, plain within blocks of {@link BLOCK} terms and Neumaier-compensated across blocks
 * (Neumaier, ZAMM 54, 1974), so the error grows with 256 + n/256 terms instead of n.
 *
 * They live here, below the worker layer, so that a worker sums its own share of a fit's rows
 * (`parallel/fold-share.ts`) and the main thread only adds the shares' sums, in share order; the
 * statistics themselves (R², AIC, …) are formed from the totals in `result/statistics.ts`.
 *
 * @module
 */

/** Terms summed plainly before a block total joins the compensated sum. */
export const BLOCK = 256;

/** Neumaier-compensated running sum. */
export class CompensatedSum {
  private sum = 0;
  private c = 0;
  /** Add one term. */
  add(v: number): void {
    const t = this.sum + v;
    this.c += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }
  /** The sum so far. */
  value(): number {
    return this.sum + this.c;
  }
}

/**
 * Σ y_i: plain within blocks of {@link BLOCK}, compensated across blocks.
 *
 * @param y - the values.
 * @returns the sum.
 */
export function blockedSum(y: Float64Array): number {
  const total = new CompensatedSum();
  for (let start = 0; start < y.length; start += BLOCK) {
    let s = 0;
    for (let i = start, end = Math.min(y.length, start + BLOCK); i < end; i++) s += y[i]!;
    total.add(s);
  }
  return total.value();
}

/** The residual sums of some rows (see the module documentation). */
export interface ResidualSums {
  /** Σ r_i² of the weighted residuals. */
  readonly chiSquare: number;
  /** Σ (y_i − ŷ_i)². */
  readonly rss: number;
  /** Σ (y_i − ȳ)² about the mean given. */
  readonly tss: number;
  /** Σ |y_i − ŷ_i|. */
  readonly absSum: number;
}

/**
 * The residual sums of rows 0 … y.length − 1 from the weighted residuals r_i = w_i(ŷ_i − y_i)
 * alone (w null: unit weights), without forming ŷ: the unweighted error is y_i − ŷ_i = −r_i / w_i
 * (with unit weights Σ e² is χ² itself, the same terms in the same order).
 *
 * @param y - observations. @param weighted - the weighted residuals (at least y.length).
 * @param w - the weights 1/σ_i, or null. @param mean - ȳ of the whole fit (not only these rows).
 * @returns the sums.
 */
export function weightedResidualSums(y: Float64Array, weighted: Float64Array, w: Float64Array | null, mean: number): ResidualSums {
  if (w !== null) return errorSums(y, weighted, mean, (i) => -weighted[i]! / w[i]!);
  const n = y.length;
  const chi = new CompensatedSum();
  const tss = new CompensatedSum();
  const abs = new CompensatedSum();
  for (let start = 0; start < n; start += BLOCK) {
    let c = 0, t = 0, a = 0;
    for (let i = start, end = Math.min(n, start + BLOCK); i < end; i++) {
      const e = weighted[i]!;
      const d = y[i]! - mean;
      c += e * e;
      t += d * d;
      a += Math.abs(e);
    }
    chi.add(c);
    tss.add(t);
    abs.add(a);
  }
  const chiSquare = chi.value();
  return { chiSquare, rss: chiSquare, tss: tss.value(), absSum: abs.value() };
}

/**
 * The residual sums of rows 0 … y.length − 1 with the unweighted error y_i − ŷ_i given by `error`.
 *
 * @param y - observations. @param weighted - the weighted residuals (χ² over rows 0 … y.length − 1).
 * @param mean - ȳ of the whole fit. @param error - y_i − ŷ_i of row i.
 * @returns the sums.
 */
export function errorSums(y: Float64Array, weighted: Float64Array, mean: number, error: (i: number) => number): ResidualSums {
  const n = y.length;
  const chi = new CompensatedSum();
  const rss = new CompensatedSum();
  const tss = new CompensatedSum();
  const abs = new CompensatedSum();
  for (let start = 0; start < n; start += BLOCK) {
    let c = 0, r = 0, t = 0, a = 0;
    for (let i = start, end = Math.min(n, start + BLOCK); i < end; i++) {
      const e = error(i);
      const d = y[i]! - mean;
      c += weighted[i]! * weighted[i]!;
      r += e * e;
      t += d * d;
      a += Math.abs(e);
    }
    chi.add(c);
    rss.add(r);
    tss.add(t);
    abs.add(a);
  }
  return { chiSquare: chi.value(), rss: rss.value(), tss: tss.value(), absSum: abs.value() };
}
