/**
 * The profile likelihood of one parameter and the asymmetric confidence interval it gives —
 * lmfit's `conf_interval` (Newville et al., lmfit 1.1, `confidence.py`), computed with batches
 * of refits instead of one fit at a time.
 *
 * Hold parameter θ_j at a value t, refit the others, and compare the best χ² there with the
 * fit's minimum χ²_min through lmfit's F statistic (its `f_compare` with one parameter fixed):
 *
 * ```
 *   F(t) = (χ²(t) − χ²_min) / χ²_min · (n − p) / 1,        prob(t) = F_{1, n−p}.cdf(F(t))
 * ```
 *
 * The interval at `level` is where prob(t) = level on each side of θ̂_j, i.e. where F(t) crosses
 * F_c = F⁻¹_{1,n−p}(level) = t²_{(1+level)/2, n−p} (the square of Student's t critical value:
 * F(1, ν) is T(ν)²). For a model linear in its parameters χ²(t) − χ²_min = (t − θ̂_j)²/(C_jj/s²)
 * exactly, so the interval is the covariance interval θ̂_j ± t_{(1+level)/2,ν}·σ_j; for a
 * nonlinear model it follows the curvature of χ² (Venzon & Moolgavkar, "A method for computing
 * profile-likelihood-based confidence intervals", Appl. Statist. 37:87–94, 1988; Bates & Watts,
 * "Nonlinear Regression Analysis and Its Applications", 1988, §6.1).
 *
 * What matches lmfit and what differs: the statistic, the critical value and the meaning of an
 * end are lmfit's (`prob_func = f_compare`, the bound at `prob = level`, ±∞ when the profile
 * never reaches the level, a side given up when prob changes by less than its `min_rel_change`
 * = 1e-5 relative, the bound itself when the walk reaches it — read from lmfit 1.1's
 * `confidence.py`). lmfit walks out one fit at a time from the best fit in steps of the
 * standard error (max(0.2|θ|, 0.001) when that is unusable, as here), each refit started where
 * the last ended, and finds the crossing with `root_scalar(method='toms748', rtol=5e-5)`.
 * Here every step is a batch on `fitBatch`'s engine: a grid of `points` values on each side
 * (all refits of both sides one batch, each started on the linearised profile path
 * θ̂_o + C_oj/C_jj·(t − θ̂_j)), wider grids for a side that has not crossed yet (started from
 * the side's last solution), then rounds that shrink each bracket around the crossing (a secant
 * step on the signed root z(t) = sign(t − θ̂_j)·√F(t), which is linear in t for a linear model,
 * the bracket's midpoint and two points beside the secant step; each round one batch) until the
 * bracket is narrower than `tolerance` × the covariance half-width. A refit that does not
 * converge is kept in the trace with its status and is not used for the crossing.
 *
 * @module
 */
import { describeValue, NlsqRangeError, NlsqTypeError, throwIfAborted } from '../errors.ts';
import { incompleteBeta } from '../stats/incomplete-beta.ts';
import { twoSidedTCritical } from '../stats/student-t.ts';
import type { RefitSource } from './refit-source.ts';

/** Progress of a profile: which parameter, which phase, refits so far. */
export interface ProfileProgress {
  /** The parameter being profiled. */
  readonly parameter: string;
  /** `'grid'` (the first grid), `'extend'` (wider grids) or `'refine'` (bracket rounds). */
  readonly phase: 'grid' | 'extend' | 'refine';
  /** Refits of this parameter so far. */
  readonly fits: number;
}

/** Options of `CurveFitResult.profile`. */
export interface ProfileOptions {
  /** Confidence level in (0, 1); default 0.95. */
  readonly level?: number;
  /** Grid points on each side of the optimum, an integer ≥ 2; default 10. */
  readonly points?: number;
  /** The first grid reaches `span` × the covariance half-width t·σ_j on each side; default 1.5. */
  readonly span?: number;
  /** Times a side's grid may double its reach before the side is declared open (±∞); default 12. */
  readonly maxExpansions?: number;
  /** Stop refining when the bracket is narrower than this × the covariance half-width; default 1e-8. */
  readonly tolerance?: number;
  /** Cancels the refits (between fits of a batch). */
  readonly signal?: AbortSignal;
  /** Called after every batch. */
  readonly onProgress?: (progress: ProfileProgress) => void;
}

/**
 * How an end of a profile interval was found: `'crossed'` (F reached F_c there), `'bound'` (the
 * profile reached the parameter's bound below F_c: the interval ends at the bound) or `'open'`
 * (the profile flattened below F_c: the data does not bound that side, ±∞ as lmfit reports it).
 */
export type ProfileEnd = 'crossed' | 'bound' | 'open';

/** Every refit of a profile, sorted by the held value (for plotting). */
export interface ProfileTrace {
  /** The held values t (the optimum θ̂_j itself included). */
  readonly values: Float64Array;
  /** χ²(t) = 2·cost of the refit (Σ((f − y)/σ)² for the linear loss). */
  readonly chiSquare: Float64Array;
  /** F(t) = (χ²(t) − χ²_min)/χ²_min · (n − p). */
  readonly statistic: Float64Array;
  /** lmfit's probability F_{1,n−p}.cdf(F(t)). */
  readonly probability: Float64Array;
  /** The refits' parameters, one row of `paramNames.length` values per t (row-major). */
  readonly params: Float64Array;
  /** SciPy's status of each refit (1–4 converged; 0 and −1 are not used for the interval). */
  readonly status: Int8Array;
}

/** The profile of one parameter: its interval at `level`, the threshold, and the trace. */
export interface ProfileResult {
  /** The parameter. */
  readonly name: string;
  /** The confidence level. */
  readonly level: number;
  /** θ̂_j, the fitted value. */
  readonly value: number;
  /** Lower end of the interval (the bound, or −∞ when open). */
  readonly lower: number;
  /** Upper end of the interval (the bound, or +∞ when open). */
  readonly upper: number;
  /** How the lower end was found. */
  readonly lowerEnd: ProfileEnd;
  /** How the upper end was found. */
  readonly upperEnd: ProfileEnd;
  /** χ²_min = 2·cost of the fit. */
  readonly chiSquareMin: number;
  /** Degrees of freedom n − p of the F statistic. */
  readonly dof: number;
  /** The critical value F_c = F⁻¹_{1,n−p}(level) the statistic crosses. */
  readonly fCritical: number;
  /** The same threshold as χ²: χ²_min·(1 + F_c/(n − p)). */
  readonly chiSquareThreshold: number;
  /** The covariance interval's half-width t·σ_j at the same level, for comparison. */
  readonly covarianceHalfWidth: number;
  /** Names of the columns of `trace.params` (the solver's parameters). */
  readonly paramNames: readonly string[];
  /** Every refit, sorted by the held value. */
  readonly trace: ProfileTrace;
  /** Refits run. */
  readonly fits: number;
  /** Anything the caller should know (refits that failed, a lower minimum found, an open side). */
  readonly notes: readonly string[];
}

/** What the profile needs of the fitted result besides its refit source. */
export interface ProfileFit {
  /** 2·cost at the optimum. */
  readonly chiSquareMin: number;
  /** n − p (free parameters). */
  readonly dof: number;
  /** Covariance over the source's names, p×p row-major. */
  readonly pcov: Float64Array;
}

/** One refit. */
interface Point {
  readonly t: number;
  readonly chi2: number;
  readonly F: number;
  readonly params: Float64Array;
  readonly status: number;
}

const CONVERGED = (s: number): boolean => s > 0;

/**
 * Validate the options of a profile.
 *
 * @param caller - public method name.
 * @param options - the options.
 * @returns the options with their defaults.
 * @throws NlsqTypeError / NlsqRangeError naming the option.
 */
export function resolveProfileOptions(caller: string, options: ProfileOptions): Required<Omit<ProfileOptions, 'signal' | 'onProgress'>> & Pick<ProfileOptions, 'signal' | 'onProgress'> {
  if (typeof options !== 'object' || options === null) throw new NlsqTypeError(`${caller}: options must be an object, got ${describeValue(options)}`, 'options');
  const known = new Set(['level', 'points', 'span', 'maxExpansions', 'tolerance', 'signal', 'onProgress']);
  for (const key of Object.keys(options)) if (!known.has(key)) throw new NlsqRangeError(`${caller}: unknown option '${key}' (accepted: ${[...known].join(', ')})`, key);
  const { level = 0.95, points = 10, span = 1.5, maxExpansions = 12, tolerance = 1e-8, signal, onProgress } = options;
  if (!(typeof level === 'number' && level > 0 && level < 1)) throw new NlsqRangeError(`${caller}: level must be in (0, 1), got ${describeValue(level)}`, 'level');
  if (!(Number.isInteger(points) && points >= 2 && points <= 1000)) throw new NlsqRangeError(`${caller}: points must be an integer in [2, 1000], got ${describeValue(points)}`, 'points');
  if (!(typeof span === 'number' && span > 0 && Number.isFinite(span))) throw new NlsqRangeError(`${caller}: span must be a positive finite number, got ${describeValue(span)}`, 'span');
  if (!(Number.isInteger(maxExpansions) && maxExpansions >= 0 && maxExpansions <= 60)) throw new NlsqRangeError(`${caller}: maxExpansions must be an integer in [0, 60], got ${describeValue(maxExpansions)}`, 'maxExpansions');
  if (!(typeof tolerance === 'number' && tolerance > 0 && tolerance < 1)) throw new NlsqRangeError(`${caller}: tolerance must be in (0, 1), got ${describeValue(tolerance)}`, 'tolerance');
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) throw new NlsqTypeError(`${caller}: signal must be an AbortSignal, got ${describeValue(signal)}`, 'signal');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new NlsqTypeError(`${caller}: onProgress must be a function, got ${describeValue(onProgress)}`, 'onProgress');
  return { level, points, span, maxExpansions, tolerance, signal, onProgress };
}

/**
 * lmfit's probability of a held value: F_{1,ν}.cdf(F) = I_{F/(F+ν)}(½, ν/2).
 *
 * @param F - the statistic (≤ 0 gives 0).
 * @param dof - ν = n − p.
 * @returns the probability in [0, 1].
 */
export function fProbability(F: number, dof: number): number {
  if (!(F > 0)) return 0;
  if (F === Infinity) return 1;
  return incompleteBeta(0.5, dof / 2, F / (F + dof), dof / (F + dof));
}

/** One side of the search: direction, the bracket and its state. */
interface Side {
  readonly dir: 1 | -1;
  state: 'search' | 'bracket' | 'crossed' | 'bound' | 'open';
  /** Last point with F < F_c (starts at the optimum). */
  inside: Point;
  /** First point with F ≥ F_c, once bracketed. */
  outside: Point | null;
  /** How far the grid reaches (distance from θ̂). */
  reach: number;
  expansions: number;
  end: number;
}

/**
 * Profile parameter `j` of the source.
 *
 * @param caller - public method name.
 * @param source - the fit's refit source.
 * @param fit - χ²_min, dof and the covariance.
 * @param j - the parameter's index among `source.names`.
 * @param options - resolved options.
 * @returns the profile.
 * @throws AbortError when the signal aborts; NlsqRangeError when dof ≤ 0.
 */
export async function profileParameter(caller: string, source: RefitSource, fit: ProfileFit, j: number, options: ReturnType<typeof resolveProfileOptions>): Promise<ProfileResult> {
  const { level, points, span, maxExpansions, tolerance, signal, onProgress } = options;
  const { chiSquareMin, dof, pcov } = fit;
  if (!(dof > 0)) throw new NlsqRangeError(`${caller}: a profile needs dof = n − p > 0, got ${dof}`, 'result');
  // An exact fit leaves only rounding in χ²_min (a residual norm below 1e-10 of the data's):
  // the ratio (χ² − χ²_min)/χ²_min would then measure rounding, not the data.
  const data2 = await source.dataSumSquares(caller, signal);
  if (!(chiSquareMin > 1e-20 * data2 && Number.isFinite(chiSquareMin))) {
    throw new NlsqRangeError(`${caller}: a profile needs a fit with residuals, got χ²_min = ${chiSquareMin} for data of Σ(y/σ)² = ${data2} (an exact fit: the F statistic (χ² − χ²_min)/χ²_min is undefined)`, 'result');
  }
  const name = source.names[j]!;
  const p = source.names.length;
  const theta = source.popt[j]!;
  const lo = source.lb[j]!;
  const hi = source.ub[j]!;
  const tc = twoSidedTCritical(level, dof);
  const Fc = tc * tc;
  const sd = Math.sqrt(pcov[j * p + j]!);
  const halfWidth = tc * sd;
  // lmfit's first step: the standard error when it is usable, else max(0.2|θ|, 0.001).
  const scale = Number.isFinite(halfWidth) && halfWidth > 0 ? halfWidth : Math.max(0.2 * Math.abs(theta), 0.001);
  const slope = Float64Array.from({ length: p }, (_, o) => {
    const s = pcov[o * p + j]! / pcov[j * p + j]!;
    return o === j ? 1 : Number.isFinite(s) ? s : 0;
  });
  if (p === 1 && source.loss !== 'linear') {
    throw new NlsqRangeError(`${caller}: the profile of a one-parameter fit evaluates χ² directly, which needs the linear loss, got loss '${source.loss}'`, 'result');
  }
  const notes: string[] = [];
  const all: Point[] = [];
  const optimum: Point = { t: theta, chi2: chiSquareMin, F: 0, params: Float64Array.from(source.popt), status: 1 };
  all.push(optimum);
  let fits = 0;
  let lowerMinimum = false;

  /** A start for held value t: `from`'s solution moved along the linearised profile path, clipped into the bounds. */
  const startAt = (t: number, from: Point): Float64Array => {
    const x0 = new Float64Array(p);
    for (let o = 0; o < p; o++) {
      const v = o === j ? t : from.params[o]! + slope[o]! * (t - from.t);
      x0[o] = Math.min(source.ub[o]!, Math.max(source.lb[o]!, v));
    }
    return x0;
  };

  const evaluate = async (phase: ProfileProgress['phase'], ts: readonly number[], starts: readonly Float64Array[]): Promise<Point[]> => {
    throwIfAborted(signal, caller);
    const m = ts.length;
    if (m === 0) return [];
    let popt: Float64Array;
    let cost: Float64Array;
    let status: Int8Array;
    if (p === 1) {
      // Nothing is left to refit: χ²(t) is the data's χ² at t.
      popt = Float64Array.from(ts);
      cost = (await source.chiSquares(caller, Float64Array.from(ts), m, signal)).map((c) => 0.5 * c);
      status = new Int8Array(m).fill(1);
    } else {
      // A streamed source sends no data: its refits read the source (sameData).
      const n = source.resident ? source.y.length : 0;
      const y = new Float64Array(m * n);
      const sigma = source.w === null ? null : new Float64Array(m * n);
      const p0 = new Float64Array(m * p);
      for (let i = 0; i < m; i++) {
        y.set(source.y, i * n);
        if (sigma !== null && n > 0) for (let r = 0; r < n; r++) sigma[i * n + r] = 1 / source.w![r]!;
        p0.set(starts[i]!, i * p);
      }
      const vary = source.names.map((_, o) => o !== j);
      const offsets = Int32Array.from({ length: m + 1 }, (_, i) => i * n);
      ({ popt, cost, status } = await source.run(caller, { x: source.x, perFitX: false, y, sigma, offsets, sameData: true, p0, vary, ...(signal === undefined ? {} : { signal }) }));
    }
    fits += m;
    const out: Point[] = [];
    for (let i = 0; i < m; i++) {
      const chi2 = 2 * cost[i]!;
      const F = ((chi2 - chiSquareMin) / chiSquareMin) * dof;
      if (CONVERGED(status[i]!) && chi2 < chiSquareMin * (1 - 1e-9)) lowerMinimum = true;
      const point = { t: ts[i]!, chi2, F: CONVERGED(status[i]!) ? F : NaN, params: popt.slice(i * p, (i + 1) * p), status: status[i]! };
      out.push(point);
      all.push(point);
    }
    onProgress?.({ parameter: name, phase, fits });
    return out;
  };

  const sides: Side[] = ([-1, 1] as const).map((dir) => ({ dir, state: 'search', inside: optimum, outside: null, reach: 0, expansions: 0, end: dir * Infinity }));
  const bound = (side: Side): number => (side.dir < 0 ? lo : hi);
  // The grid (one batch for both sides), then wider grids for the sides that have not crossed.
  let phase: 'grid' | 'extend' = 'grid';
  let reach = span * scale;
  for (;;) {
    const searching = sides.filter((s) => s.state === 'search');
    if (searching.length === 0) break;
    const ts: number[] = [];
    const starts: Float64Array[] = [];
    const owners: Side[] = [];
    for (const side of searching) {
      const from = side.reach;
      const b = bound(side);
      for (let k = 1; k <= points; k++) {
        let t = theta + side.dir * (from + ((reach - from) * k) / points);
        const past = side.dir < 0 ? t <= b : t >= b;
        if (past) t = b;
        ts.push(t);
        starts.push(startAt(t, side.inside));
        owners.push(side);
        if (past) break;
      }
      side.reach = reach;
    }
    const got = await evaluate(phase, ts, starts);
    for (const side of searching) {
      const mine = got.filter((_, i) => owners[i] === side);
      const before = side.inside;
      for (const q of mine) {
        if (Number.isNaN(q.F)) continue;
        if (q.F >= Fc) {
          side.outside = q;
          side.state = 'bracket';
          break;
        }
        side.inside = q;
      }
      if (side.state !== 'search') continue;
      const last = mine[mine.length - 1]!;
      if (last.t === bound(side)) {
        side.state = 'bound';
        side.end = bound(side);
        notes.push(`${name}: the profile reaches the ${side.dir < 0 ? 'lower' : 'upper'} bound ${bound(side)} with F = ${formatF(side.inside.F)} < F_c = ${formatF(Fc)}: the interval ends at the bound`);
      } else if (side.expansions >= maxExpansions || (side.inside !== before && relativeChange(before.F, side.inside.F) < 1e-5)) {
        side.state = 'open';
        notes.push(`${name}: the profile ${side.dir < 0 ? 'below' : 'above'} the optimum stays under F_c = ${formatF(Fc)} (F = ${formatF(side.inside.F)} at ${side.inside.t}): the data does not bound that side (${side.dir < 0 ? '−' : '+'}∞, as lmfit reports it)`);
      } else if (side.inside === before && mine.every((q) => Number.isNaN(q.F))) {
        side.state = 'open';
        notes.push(`${name}: every refit ${side.dir < 0 ? 'below' : 'above'} the optimum failed (${mine.length} fits): that side is not bounded by this profile`);
      } else side.expansions += 1;
    }
    phase = 'extend';
    reach *= 2;
  }
  // Shrink each bracket around the crossing, one batch per round for both sides.
  const tol = tolerance * scale;
  const zc = Math.sqrt(Fc);
  for (let round = 0; round < 60; round++) {
    const open = sides.filter((s) => s.state === 'bracket' && Math.abs(s.outside!.t - s.inside.t) > tol);
    if (open.length === 0) break;
    const ts: number[] = [];
    const starts: Float64Array[] = [];
    const owners: Side[] = [];
    for (const side of open) {
      const a = side.inside;
      const b = side.outside!;
      const w = b.t - a.t;
      const s = secant(a, b, side.dir * zc, side.dir);
      const cands = [...new Set([a.t + 0.5 * w, s - 0.01 * w, s, s + 0.01 * w].filter((t) => (t - a.t) * (t - b.t) < 0))];
      // No number lies strictly between the ends: the bracket is as narrow as doubles allow.
      if (cands.length === 0) side.state = 'crossed';
      for (const t of cands) {
        ts.push(t);
        starts.push(startAt(t, a));
        owners.push(side);
      }
    }
    const got = await evaluate('refine', ts, starts);
    for (const side of open) {
      if (side.state !== 'bracket') continue;
      const pts = [side.inside, ...got.filter((q, i) => owners[i] === side && !Number.isNaN(q.F)), side.outside!];
      pts.sort((u, v) => side.dir * (u.t - v.t));
      const k = pts.findIndex((q) => q.F >= Fc);
      side.inside = pts[k - 1]!;
      side.outside = pts[k]!;
      if (got.every((q, i) => owners[i] !== side || Number.isNaN(q.F))) {
        // No refit of this round converged: stop at the bracket found so far.
        notes.push(`${name}: the refits inside the ${side.dir < 0 ? 'lower' : 'upper'} bracket did not converge; the end is interpolated in [${Math.min(side.inside.t, side.outside.t)}, ${Math.max(side.inside.t, side.outside.t)}]`);
        side.state = 'crossed';
        side.end = secant(side.inside, side.outside, side.dir * zc, side.dir);
      }
    }
  }
  for (const side of sides) {
    if (side.state === 'bracket') {
      side.state = 'crossed';
      side.end = secant(side.inside, side.outside!, side.dir * zc, side.dir);
    }
    if (side.state === 'open') side.end = side.dir * Infinity;
  }
  const failed = all.filter((q) => !CONVERGED(q.status)).length;
  if (failed > 0) notes.push(`${name}: ${failed} of ${fits} refits did not converge (kept in the trace with their status, not used for the interval)`);
  if (lowerMinimum) notes.push(`${name}: a refit reached a lower χ² than the fit (F < 0): the fit is not at the global minimum — refit from the profile's best point or use the global option`);
  all.sort((u, v) => u.t - v.t);
  const trace: ProfileTrace = {
    values: Float64Array.from(all, (q) => q.t),
    chiSquare: Float64Array.from(all, (q) => q.chi2),
    statistic: Float64Array.from(all, (q) => ((q.chi2 - chiSquareMin) / chiSquareMin) * dof),
    probability: Float64Array.from(all, (q) => fProbability(((q.chi2 - chiSquareMin) / chiSquareMin) * dof, dof)),
    params: concatRows(all.map((q) => q.params), p),
    status: Int8Array.from(all, (q) => q.status),
  };
  const [lower, upper] = sides as [Side, Side];
  return {
    name, level, value: theta, lower: lower.end, upper: upper.end, lowerEnd: lower.state as ProfileEnd, upperEnd: upper.state as ProfileEnd,
    chiSquareMin, dof, fCritical: Fc, chiSquareThreshold: chiSquareMin * (1 + Fc / dof), covarianceHalfWidth: halfWidth,
    paramNames: source.names, trace, fits, notes,
  };
}

/** The t where the signed root z(t) = dir·√F(t) reaches `target`, by a secant between a and b. */
function secant(a: Point, b: Point, target: number, dir: number): number {
  const za = dir * Math.sqrt(Math.max(a.F, 0));
  const zb = dir * Math.sqrt(Math.max(b.F, 0));
  if (!(zb !== za)) return 0.5 * (a.t + b.t);
  const t = a.t + ((target - za) * (b.t - a.t)) / (zb - za);
  return Number.isFinite(t) ? t : 0.5 * (a.t + b.t);
}

function relativeChange(before: number, after: number): number {
  return Math.abs(after - before) / Math.max(Math.abs(after), Math.abs(before), 1e-12);
}

function formatF(F: number): string {
  return Number.isFinite(F) ? F.toPrecision(4) : String(F);
}

function concatRows(rows: readonly Float64Array[], p: number): Float64Array {
  const out = new Float64Array(rows.length * p);
  rows.forEach((r, i) => out.set(r, i * p));
  return out;
}
