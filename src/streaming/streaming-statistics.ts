/**
 * Goodness-of-fit statistics accumulated over a streamed pass, with the definitions of
 * `result/statistics.ts` (which computes them from resident arrays).
 *
 * One pass at popt adds, per point, the unweighted error e_i = y_i − ŷ_i and the weighted residual
 * r_i = w_i(ŷ_i − y_i): Σr², Σe², Σ|e| by Neumaier-compensated sums, and Σ(y − ȳ)² by Welford's
 * update (B. P. Welford, "Note on a method for calculating corrected sums of squares and
 * products", Technometrics 4(3), 1962), so no second pass is needed for the mean.
 *
 * The statistics pass is a full pass like any other: it must read the same data as the first
 * full pass of the fit (`pass-check.ts`), or the fit fails — statistics from other data than
 * popt and pcov were fitted to are never reported.
 *
 * @module
 */
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { statisticsFromSums, type FitStatistics } from '../result/statistics.ts';
import { CompensatedSum } from '../stats/residual-sums.ts';
import { ChunkNormalizer } from '../sources/data-source.ts';
import { checkFullPass, fingerprintedPass } from './pass-check.ts';
import type { StreamingContext } from './streaming-context.ts';

/** Accumulates {@link FitStatistics} chunk by chunk. */
export class StatisticsAccumulator {
  private n = 0;
  private mean = 0;
  private readonly tss = new CompensatedSum();
  private readonly chi2 = new CompensatedSum();
  private readonly rss = new CompensatedSum();
  private readonly abs = new CompensatedSum();
  private buffer = new Float64Array(0);

  /**
   * @param kernel - the model.
   * @param popt - the fitted parameters.
   */
  constructor(
    private readonly kernel: ModelKernel,
    private readonly popt: Float64Array,
  ) {}

  /** Add the n points of one chunk. */
  add(data: DataColumns, n: number): void {
    if (this.buffer.length < n) this.buffer = new Float64Array(n);
    const r = this.buffer;
    this.kernel.residuals(this.popt, { x: data.x, y: data.y, w: null }, 0, n, r, 0, 1);
    for (let i = 0; i < n; i++) {
      const e = -r[i]!;
      const w = data.w === null ? 1 : data.w[i]!;
      this.chi2.add(w * w * e * e);
      this.rss.add(e * e);
      this.abs.add(Math.abs(e));
      const y = data.y[i]!;
      this.n += 1;
      const d = y - this.mean;
      this.mean += d / this.n;
      this.tss.add(d * (y - this.mean));
    }
  }

  /** The statistics for p parameters. */
  result(p: number): FitStatistics {
    return statisticsFromSums({ n: this.n, p, chiSquare: this.chi2.value(), rss: this.rss.value(), tss: this.tss.value(), absSum: this.abs.value() });
  }
}

/**
 * One more pass at popt accumulating the goodness-of-fit statistics, checked against the first
 * full pass of the fit (it is not counted in the fit's passes).
 *
 * @param ctx - the fit's context (source, signal, m and the reference fingerprint).
 * @param kernel - the model the statistics are evaluated with.
 * @param popt - the fitted parameters.
 * @returns the statistics over every point.
 * @throws DataSourceError when the pass reads other data than the first full pass, or a bad
 *   chunk; AbortError on abort.
 */
export async function statisticsPass(ctx: StreamingContext, kernel: ModelKernel, popt: Float64Array): Promise<FitStatistics> {
  const acc = new StatisticsAccumulator(kernel, popt);
  const print = await fingerprintedPass(ctx, new ChunkNormalizer(kernel.nVariables, ctx.caller), (chunk) => {
    acc.add(chunk.data, chunk.n);
  });
  checkFullPass(ctx, print, 'statistics pass', null);
  return acc.result(kernel.nParams);
}
