/**
 * The bootstrap of a fit: B data sets resampled from the fit, each refitted — all B refits one
 * batch on `fitBatch`'s engine — and the distribution of the refitted parameters in place of the
 * linearised covariance (Efron & Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 9 for
 * regression models; Davison & Hinkley, "Bootstrap Methods and their Application", 1997, §6.2–6.3).
 *
 * Two ways to resample:
 * - `'residual'` (x fixed, the model taken as right): y*_i = ŷ_i + e*_i/w_i, where the e*_i are
 *   drawn with replacement from the weighted residuals e_i = w_i(y_i − ŷ_i), centred and inflated
 *   by √(n/(n − p)) so that their variance matches the unbiased residual variance (Davison &
 *   Hinkley's §6.2.3 adjustment without the leverages);
 * - `'pairs'` (cases): n points (x_i, y_i, σ_i) drawn with replacement — robust to a wrong error
 *   model, each resample a fit with its own x. Only where the fit has rows to draw: a
 *   `leastSquares` result (a residual function, no rows) and a covariance-sigma fit (rows coupled
 *   by L⁻¹, so drawn rows would not carry their covariance) refuse it with a `NlsqRangeError`
 *   naming `kind`; their residual bootstrap resamples the whitened residuals (see
 *   `refit-source.ts` for the data model).
 *
 * From the B refits that converged: the bootstrap covariance (Σ(θ* − θ̄*)(θ* − θ̄*)ᵀ/(B − 1)),
 * each parameter's sorted distribution, the percentile interval [θ*_(α/2), θ*_(1−α/2)] (quantiles
 * by linear interpolation between order statistics, Hyndman & Fan's type 7, NumPy's default) and
 * the BCa interval (Efron, "Better bootstrap confidence intervals", JASA 82:171–185, 1987): the
 * percentile interval at the adjusted levels
 *
 * ```
 *   α₁ = Φ(ẑ₀ + (ẑ₀ + z_{α/2}) / (1 − â(ẑ₀ + z_{α/2}))),   α₂ = Φ(ẑ₀ + (ẑ₀ + z_{1−α/2}) / (1 − â(ẑ₀ + z_{1−α/2})))
 * ```
 *
 * with the bias correction ẑ₀ = Φ⁻¹(#{θ* < θ̂}/B) (ties counted half) and the acceleration
 * â = Σ(θ̄₍·₎ − θ₍ᵢ₎)³ / (6·[Σ(θ̄₍·₎ − θ₍ᵢ₎)²]^{3/2}) from a jackknife — leave-one-out refits when
 * n ≤ `jackknife`, else a delete-d jackknife over `jackknife` groups (point i in group i mod g),
 * one more batch.
 *
 * Seeded: the same seed gives the same resamples (xoshiro128**, `sampling/random.ts`) and, since
 * the batch engine is deterministic, the same result.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError, throwIfAborted } from '../errors.ts';
import { createRandom } from '../sampling/random.ts';
import { erfc } from '../stats/erf.ts';
import { normalQuantile } from '../stats/student-t.ts';
import type { RefitSource } from './refit-source.ts';

/** How a bootstrap resamples: the residuals at fixed x, or the (x, y) pairs. */
export type BootstrapKind = 'residual' | 'pairs';

/** Progress of a bootstrap. */
export interface BootstrapProgress {
  /** `'resamples'` (the B refits) or `'jackknife'` (the refits of BCa's acceleration). */
  readonly phase: 'resamples' | 'jackknife';
  /** Refits of this phase done. */
  readonly done: number;
  /** Refits of this phase. */
  readonly total: number;
}

/** Options of `CurveFitResult.bootstrap`. */
export interface BootstrapOptions {
  /** Resampled data sets B, an integer ≥ 2; default 1000. */
  readonly resamples?: number;
  /** Seed of the generator, an integer in [0, 2³²); default 0. */
  readonly seed?: number;
  /** `'residual'` (default) or `'pairs'`. */
  readonly kind?: BootstrapKind;
  /** Confidence level of the intervals, in (0, 1); default 0.95. */
  readonly level?: number;
  /** Most jackknife refits for BCa's acceleration (leave-one-out up to this n, groups beyond); default 200; 0 skips BCa. */
  readonly jackknife?: number;
  /** Cancels the refits. */
  readonly signal?: AbortSignal;
  /** Called after every sub-batch of refits. */
  readonly onProgress?: (progress: BootstrapProgress) => void;
}

/** Lower and upper ends, one per parameter. */
export interface IntervalEnds {
  /** Lower ends. */
  readonly lower: number[];
  /** Upper ends. */
  readonly upper: number[];
}

/** BCa intervals with their bias correction and acceleration. */
export interface BcaIntervals extends IntervalEnds {
  /** ẑ₀ per parameter. */
  readonly bias: number[];
  /** â per parameter. */
  readonly acceleration: number[];
}

/** What a bootstrap found. */
export interface BootstrapResult {
  /** How the data was resampled. */
  readonly kind: BootstrapKind;
  /** Resamples drawn (B). */
  readonly resamples: number;
  /** The seed. */
  readonly seed: number;
  /** Level of the intervals. */
  readonly level: number;
  /** The solver's parameter names (the columns of `samples`). */
  readonly paramNames: readonly string[];
  /** The fit's estimate θ̂. */
  readonly estimate: number[];
  /** Refits that converged (the rows of `samples`). */
  readonly converged: number;
  /** converged × p refitted parameters, in resample order. */
  readonly samples: Float64Array;
  /** Mean of the samples. */
  readonly mean: number[];
  /** Standard deviation of the samples (the bootstrap standard error). */
  readonly stderr: number[];
  /** Sample covariance of the samples, p×p. */
  readonly covariance: number[][];
  /** Each parameter's samples, sorted. */
  readonly distributions: Readonly<Record<string, Float64Array>>;
  /** Percentile intervals. */
  readonly percentile: IntervalEnds;
  /** BCa intervals (NaN ends when BCa was skipped or undefined — see `notes`). */
  readonly bca: BcaIntervals;
  /** Refits run in all (resamples and jackknife). */
  readonly fits: number;
  /** Anything the caller should know. */
  readonly notes: readonly string[];
}

type ResolvedBootstrap = Required<Omit<BootstrapOptions, 'signal' | 'onProgress'>> & Pick<BootstrapOptions, 'signal' | 'onProgress'>;

/**
 * Validate the options of a bootstrap.
 *
 * @param caller - public method name.
 * @param options - the options.
 * @returns the options with defaults.
 * @throws NlsqTypeError / NlsqRangeError naming the option.
 */
export function resolveBootstrapOptions(caller: string, options: BootstrapOptions): ResolvedBootstrap {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  const known = ['resamples', 'seed', 'kind', 'level', 'jackknife', 'signal', 'onProgress'];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw new NlsqRangeError(`${caller}: unknown option '${key}' (accepted: ${known.join(', ')})`, key);
  const { resamples = 1000, seed = 0, kind = 'residual', level = 0.95, jackknife = 200, signal, onProgress } = options;
  if (!(Number.isInteger(resamples) && resamples >= 2 && resamples <= 1e7)) throw new NlsqRangeError(`${caller}: resamples must be an integer in [2, 10⁷], got ${describeValue(resamples)}`, 'resamples');
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new NlsqRangeError(`${caller}: seed must be an integer in [0, 2^32), got ${describeValue(seed)}`, 'seed');
  if (kind !== 'residual' && kind !== 'pairs') throw new NlsqRangeError(`${caller}: kind must be 'residual' or 'pairs', got ${describeValue(kind)}`, 'kind');
  if (!(typeof level === 'number' && level > 0 && level < 1)) throw new NlsqRangeError(`${caller}: level must be in (0, 1), got ${describeValue(level)}`, 'level');
  if (!(Number.isInteger(jackknife) && jackknife >= 0)) throw new NlsqRangeError(`${caller}: jackknife must be a non-negative integer, got ${describeValue(jackknife)}`, 'jackknife');
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) throw new NlsqTypeError(`${caller}: signal must be an AbortSignal, got ${describeValue(signal)}`, 'signal');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new NlsqTypeError(`${caller}: onProgress must be a function, got ${describeValue(onProgress)}`, 'onProgress');
  return { resamples, seed, kind, level, jackknife, signal, onProgress };
}

/** Standard normal CDF Φ(z) = ½·erfc(−z/√2). */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/**
 * The q-quantile of sorted values by linear interpolation between order statistics (type 7).
 *
 * @param sorted - ascending values.
 * @param q - probability in [0, 1].
 * @returns the quantile (NaN for q NaN or no values).
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0 || Number.isNaN(q)) return NaN;
  const h = (m - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(m - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** A batch of refits with their rows gathered. */
interface Gathered {
  readonly x: Float64Array[];
  /** The source row of every point (for sources that refit rows of a residual vector). */
  readonly rows: Int32Array;
  readonly y: Float64Array;
  readonly sigma: Float64Array | null;
  readonly offsets: Int32Array;
}

/** Fits made of chosen rows of the data: `rows(i)` lists fit i's point indices. */
function gather(source: RefitSource, nFits: number, lengths: (i: number) => number, rows: (i: number, r: number) => number, y: (index: number) => number): Gathered {
  const offsets = new Int32Array(nFits + 1);
  for (let i = 0; i < nFits; i++) offsets[i + 1] = offsets[i]! + lengths(i);
  const total = offsets[nFits]!;
  const x = source.x.map(() => new Float64Array(total));
  const ys = new Float64Array(total);
  const sigma = source.w === null ? null : new Float64Array(total);
  const picked = new Int32Array(total);
  for (let i = 0; i < nFits; i++) {
    for (let r = offsets[i]!; r < offsets[i + 1]!; r++) {
      const index = rows(i, r - offsets[i]!);
      picked[r] = index;
      for (let v = 0; v < x.length; v++) x[v]![r] = source.x[v]![index]!;
      ys[r] = y(index);
      if (sigma !== null) sigma[r] = 1 / source.w![index]!;
    }
  }
  return { x, rows: picked, y: ys, sigma, offsets };
}

/**
 * Run the bootstrap of a fit.
 *
 * @param caller - public method name.
 * @param source - the fit's refit source.
 * @param options - resolved options.
 * @returns the bootstrap.
 * @throws AbortError when the signal aborts; NlsqRangeError when n ≤ p or no refit converged.
 */
export async function runBootstrap(caller: string, source: RefitSource, options: ResolvedBootstrap): Promise<BootstrapResult> {
  const { resamples: B, seed, kind, level, jackknife, signal, onProgress } = options;
  if (!source.resident) {
    throw new NlsqRangeError(`${caller}: a bootstrap resamples the data, which a streamed or database fit does not hold (${source.pairs ?? 'no resident rows'}; B resamples of n points would have to be held or regenerated on every pass); profile it (profile, confidenceIntervals(level, { method: 'profile' })), or fit the data as arrays`, 'result');
  }
  const p = source.names.length;
  const n = source.y.length;
  if (!(n > p)) throw new NlsqRangeError(`${caller}: a bootstrap needs more points than parameters, got n = ${n}, p = ${p}`, 'result');
  throwIfAborted(signal, caller);
  const rng = createRandom(seed, caller);
  if (kind === 'pairs' && source.pairs !== null) {
    throw new NlsqRangeError(`${caller}: kind 'pairs' resamples the data's rows, which this fit cannot: ${source.pairs}; use kind 'residual'`, 'kind');
  }
  const yhat = source.values(source.popt);
  const wOf = (i: number): number => (source.w === null ? 1 : source.w[i]!);
  const p0Rows = (m: number): Float64Array => {
    const p0 = new Float64Array(m * p);
    for (let i = 0; i < m; i++) p0.set(source.popt, i * p);
    return p0;
  };
  const notes: string[] = [];
  let batch: Gathered;
  if (kind === 'residual') {
    const e = Float64Array.from(yhat, (f, i) => wOf(i) * (source.y[i]! - f));
    let mean = 0;
    for (const v of e) mean += v / n;
    const inflate = Math.sqrt(n / (n - p));
    for (let i = 0; i < n; i++) e[i] = (e[i]! - mean) * inflate;
    const y = new Float64Array(B * n);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) y[b * n + i] = yhat[i]! + e[rng.below(n)]! / wOf(i);
    const sigma = source.w === null ? null : new Float64Array(B * n);
    if (sigma !== null) for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) sigma[b * n + i] = 1 / wOf(i);
    batch = { x: [...source.x], rows: Int32Array.from({ length: B * n }, (_, r) => r % n), y, sigma, offsets: Int32Array.from({ length: B + 1 }, (_, i) => i * n) };
  } else {
    const picks = new Int32Array(B * n);
    for (let k = 0; k < picks.length; k++) picks[k] = rng.below(n);
    batch = gather(source, B, () => n, (i, r) => picks[i * n + r]!, (index) => source.y[index]!);
  }
  const progress = (phase: BootstrapProgress['phase']) => (onProgress === undefined ? {} : { onProgress: (done: number, total: number) => onProgress({ phase, done, total }) });
  const reply = await source.run(caller, { ...batch, perFitX: kind === 'pairs', p0: p0Rows(B), ...(signal === undefined ? {} : { signal }), ...progress('resamples') });
  const good: number[] = [];
  for (let b = 0; b < B; b++) if (reply.status[b]! > 0) good.push(b);
  if (good.length < 2) throw new NlsqRangeError(`${caller}: only ${good.length} of ${B} resampled refits converged; the bootstrap needs at least 2`, 'result');
  if (good.length < B) notes.push(`${B - good.length} of ${B} refits did not converge and are left out (the intervals use the ${good.length} that did)`);
  const m = good.length;
  const samples = new Float64Array(m * p);
  good.forEach((b, r) => samples.set(reply.popt.subarray(b * p, (b + 1) * p), r * p));
  const mean = Array.from({ length: p }, (_, j) => {
    let s = 0;
    for (let r = 0; r < m; r++) s += samples[r * p + j]!;
    return s / m;
  });
  const covariance = Array.from({ length: p }, (_, a) => Array.from({ length: p }, (_, c) => {
    let s = 0;
    for (let r = 0; r < m; r++) s += (samples[r * p + a]! - mean[a]!) * (samples[r * p + c]! - mean[c]!);
    return s / (m - 1);
  }));
  const stderr = covariance.map((row, j) => Math.sqrt(row[j]!));
  const distributions: Record<string, Float64Array> = {};
  const sorted = source.names.map((name, j) => {
    const col = Float64Array.from({ length: m }, (_, r) => samples[r * p + j]!).sort();
    distributions[name] = col;
    return col;
  });
  const alpha = 1 - level;
  const percentile = { lower: sorted.map((s) => sortedQuantile(s, alpha / 2)), upper: sorted.map((s) => sortedQuantile(s, 1 - alpha / 2)) };
  let fits = B;
  // BCa: bias from the share below θ̂, acceleration from a jackknife batch.
  const bias = sorted.map((s, j) => {
    const theta = source.popt[j]!;
    let below = 0;
    for (const v of s) below += v < theta ? 1 : v === theta ? 0.5 : 0;
    return normalQuantile(below / m);
  });
  let acceleration = new Array<number>(p).fill(NaN);
  if (jackknife > 0) {
    const g = Math.min(n, jackknife);
    const sizes = Int32Array.from({ length: g }, (_, k) => Math.floor((n - 1 - k) / g) + 1);
    // Fit k leaves out group k (the points i ≡ k mod g): its rows are the others, in order.
    const keep = (k: number, r: number): number => {
      // The r-th index i with i mod g ≠ k: skip one index per full cycle past k.
      const cycle = g - 1;
      if (cycle === 0) return r; // g = 1 keeps no point: that batch is never run (the check below)
      const q = Math.floor(r / cycle);
      const s = r % cycle;
      return q * g + (s < k ? s : s + 1);
    };
    const jb = gather(source, g, (k) => n - sizes[k]!, keep, (index) => source.y[index]!);
    if (jb.offsets.some((o, k) => k > 0 && o - jb.offsets[k - 1]! <= p)) {
      notes.push(`BCa skipped: a jackknife fit would keep ≤ p = ${p} points`);
    } else {
      const jr = await source.run(caller, { ...jb, perFitX: true, p0: p0Rows(g), ...(signal === undefined ? {} : { signal }), ...progress('jackknife') });
      fits += g;
      const ok: number[] = [];
      for (let k = 0; k < g; k++) if (jr.status[k]! > 0) ok.push(k);
      if (ok.length < 2) notes.push(`BCa skipped: ${g - ok.length} of ${g} jackknife refits did not converge`);
      else {
        if (ok.length < g) notes.push(`${g - ok.length} of ${g} jackknife refits did not converge and are left out of the acceleration`);
        acceleration = source.names.map((_, j) => {
          let bar = 0;
          for (const k of ok) bar += jr.popt[k * p + j]! / ok.length;
          let s2 = 0;
          let s3 = 0;
          for (const k of ok) {
            const d = bar - jr.popt[k * p + j]!;
            s2 += d * d;
            s3 += d * d * d;
          }
          return s2 > 0 ? s3 / (6 * s2 ** 1.5) : 0;
        });
      }
    }
  } else notes.push('BCa skipped: jackknife is 0');
  const zLo = normalQuantile(alpha / 2);
  const zHi = normalQuantile(1 - alpha / 2);
  const adjusted = (j: number, z: number): number => {
    const z0 = bias[j]!;
    const a = acceleration[j]!;
    return normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
  };
  const infinite = bias.map((z, j) => (Number.isFinite(z) ? null : source.names[j]!)).filter((s) => s !== null);
  if (infinite.length > 0) notes.push(`BCa undefined for ${infinite.join(', ')}: every resample lies on one side of the estimate`);
  const bca = {
    lower: sorted.map((s, j) => sortedQuantile(s, adjusted(j, zLo))),
    upper: sorted.map((s, j) => sortedQuantile(s, adjusted(j, zHi))),
    bias,
    acceleration,
  };
  return {
    kind, resamples: B, seed, level, paramNames: source.names, estimate: Array.from(source.popt), converged: m, samples, mean, stderr,
    covariance, distributions, percentile, bca, fits, notes,
  };
}
