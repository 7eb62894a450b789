/**
 * Goodness-of-fit statistics accumulated over a streamed pass, with the definitions of
 * `result/statistics.ts` (which computes them from resident arrays).
 *
 * One pass at popt adds, per point, the unweighted error e_i = y_i − ŷ_i and the weighted residual
 * r_i = w_i(ŷ_i − y_i): Σr², Σe², Σ|e| as blocked sums (plain within blocks of
 * `stats/residual-sums.ts`'s BLOCK terms, Neumaier-compensated across blocks), and Σ(y − ȳ)² with
 * no second pass for the mean by the shifted-data formula Σ(y − ȳ)² = Σ(y − K)² − (Σ(y − K))²/n
 * (Chan, Golub & LeVeque, "Algorithms for computing the sample variance", The American
 * Statistician 37(3), 1983), exact in exact arithmetic for any K and well conditioned when K is
 * near ȳ: K is the mean of the fit's first full pass where the caller has it (its fingerprint), else
 * the first observation.
 *
 * The statistics pass is a full pass like any other: it must read the same data as the first
 * full pass of the fit (`pass-check.ts`), or the fit fails — statistics from other data than
 * popt and pcov were fitted to are never reported.
 *
 * @module
 */
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';
import { statisticsFromSums, type FitStatistics } from '../result/statistics.ts';
import { BLOCK, CompensatedSum } from '../stats/residual-sums.ts';
import { ChunkNormalizer } from '../sources/data-source.ts';
import { checkFullPass, fingerprintedPass } from './pass-check.ts';
import type { StreamingContext } from './streaming-context.ts';

/** Accumulates {@link FitStatistics} chunk by chunk. */
export class StatisticsAccumulator {
  private n = 0;
  private shift: number;
  private readonly shifted = new CompensatedSum();
  private readonly shiftedSquares = new CompensatedSum();
  private readonly chi2 = new CompensatedSum();
  private readonly rss = new CompensatedSum();
  private readonly abs = new CompensatedSum();
  private buffer = new Float64Array(0);

  /**
   * @param kernel - the model.
   * @param popt - the fitted parameters.
   * @param shift - K of the shifted-data sum of squares (near ȳ; see the module documentation);
   *   default: the first observation added.
   */
  constructor(
    private readonly kernel: ModelKernel,
    private readonly popt: Float64Array,
    shift?: number,
  ) {
    this.shift = shift !== undefined && Number.isFinite(shift) ? shift : NaN;
  }

  /** Add the n points of one chunk. */
  add(data: DataColumns, n: number): void {
    if (n <= 0) return;
    if (this.buffer.length < n) this.buffer = new Float64Array(n);
    const r = this.buffer;
    this.kernel.residuals(this.popt, { x: data.x, y: data.y, w: null }, 0, n, r, 0, 1);
    if (Number.isNaN(this.shift)) this.shift = data.y[0]!;
    const { y, w } = data;
    const k = this.shift;
    for (let start = 0; start < n; start += BLOCK) {
      const end = Math.min(n, start + BLOCK);
      let c = 0, e2 = 0, a = 0, d1 = 0, d2 = 0;
      for (let i = start; i < end; i++) {
        const e = r[i]!; // ŷ − y: the sign does not enter e², |e| or (w e)²
        const we = w === null ? e : w[i]! * e;
        const d = y[i]! - k;
        c += we * we;
        e2 += e * e;
        a += Math.abs(e);
        d1 += d;
        d2 += d * d;
      }
      this.chi2.add(c);
      this.rss.add(e2);
      this.abs.add(a);
      this.shifted.add(d1);
      this.shiftedSquares.add(d2);
    }
    this.n += n;
  }

  /** The statistics for p parameters. */
  result(p: number): FitStatistics {
    const d1 = this.shifted.value();
    const tss = Math.max(0, this.shiftedSquares.value() - (d1 * d1) / this.n);
    return statisticsFromSums({ n: this.n, p, chiSquare: this.chi2.value(), rss: this.rss.value(), tss, absSum: this.abs.value() });
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
  const acc = new StatisticsAccumulator(kernel, popt, ctx.reference?.mean());
  const print = await fingerprintedPass(ctx, new ChunkNormalizer(kernel.nVariables, ctx.caller), (chunk) => {
    acc.add(chunk.data, chunk.n);
  });
  checkFullPass(ctx, print, 'statistics pass', null);
  return acc.result(kernel.nParams);
}
