/**
 * A fit's parameters keyed by name (lmfit's `result.params`): value, standard error, relative
 * error, correlations, initial value, bounds and whether the value sits at a bound.
 *
 * With the `params` option the solver sees only the free parameters; {@link expandParams} maps its
 * popt and pcov back to every name — fixed parameters keep their value with zero rows and columns
 * in pcov; a tied parameter's value is its expression at popt and its covariance follows by the
 * delta method, Cov(θ_all) = G·Cov(θ_free)·Gᵀ with G the tie's exact gradient (`tie-params.ts`).
 * lmfit computes the same quantity through the `uncertainties` package, with numerical
 * derivatives of the tie (and a finite-difference Jacobian), so standard errors agree with lmfit's
 * to about 1e-8 relative, not to the last digit (test/options/params-lmfit.test.ts).
 *
 * @module
 */
import type { ParamKind } from '../model/params.ts';
import { evaluateTree, tieJacobian, type ParamLayout } from '../model/tie-params.ts';

/** One parameter of a fit, by name. */
export interface NamedParam {
  /** The name. */
  readonly name: string;
  /** The fitted value (a fixed parameter's held value; a tie's expression at the fit). */
  readonly value: number;
  /** Standard error √Cov_jj (0 for a fixed parameter; +∞ or NaN when it could not be estimated). */
  readonly stderr: number;
  /** stderr / |value| (NaN when value is 0). */
  readonly relativeError: number;
  /** Correlation with every other non-fixed parameter, by name (empty for a fixed parameter). */
  readonly correl: Readonly<Record<string, number>>;
  /** The starting value. */
  readonly initial: number;
  /** Lower bound (−∞ for none). */
  readonly min: number;
  /** Upper bound (+∞ for none). */
  readonly max: number;
  /** Whether the solver moved it (false for fixed and tied parameters). */
  readonly vary: boolean;
  /** 'free', 'fixed' or 'tied'. */
  readonly kind: ParamKind;
  /** The tie, when tied. */
  readonly expr: string | undefined;
  /** True when the value is on a bound: an active bound of the solver, or equal to min or max. */
  readonly atBound: boolean;
}

/** A fit's parameters by name (in the model's parameter order). */
export type NamedParams = Readonly<Record<string, NamedParam>>;

/** The solver's answer over every name. */
export interface ExpandedParams {
  /** Every name. */
  readonly names: readonly string[];
  /** Each name's kind. */
  readonly kinds: readonly ParamKind[];
  /** Values. */
  readonly values: Float64Array;
  /** Covariance, row-major P×P. */
  readonly pcov: Float64Array;
  /** The solver's active-bound mask over every name (0 for fixed and tied). */
  readonly activeMask: Int8Array;
  /** The solver's gradient over every name (0 for fixed and tied: they are not moved). */
  readonly grad: Float64Array;
  /** Starting values. */
  readonly initial: Float64Array;
  /** Lower bounds. */
  readonly min: Float64Array;
  /** Upper bounds. */
  readonly max: Float64Array;
  /** Ties. */
  readonly exprs: readonly (string | undefined)[];
}

/** What the solver returned over its free parameters. */
export interface FreeSolution {
  /** popt (free parameters, solver order). */
  readonly x: ArrayLike<number>;
  /** pcov, row-major f×f. */
  readonly pcov: ArrayLike<number>;
  /** Active-bound mask. */
  readonly activeMask: ArrayLike<number>;
  /** Gradient of the cost. */
  readonly grad: ArrayLike<number>;
}

/**
 * Map the solver's free-parameter solution to every name of a layout. Free entries are copied
 * exactly; products with the zeros of G are skipped, so a fixed parameter's rows stay 0 even when
 * pcov is +∞ (not estimated).
 *
 * @param layout - the `params` layout.
 * @param free - popt, pcov, activeMask and grad over the free parameters.
 * @returns the same over every name.
 */
export function expandParams(layout: ParamLayout, free: FreeSolution): ExpandedParams {
  const P = layout.names.length;
  const f = layout.free.length;
  const g = tieJacobian(layout, free.x);
  const values = Float64Array.from(layout.trees, (t, i) => (layout.kinds[i] === 'free' ? free.x[layout.free.indexOf(i)]! : evaluateTree(t, free.x)));
  const pcov = new Float64Array(P * P);
  for (let i = 0; i < P; i++) {
    for (let k = 0; k < P; k++) {
      let s = 0;
      for (let a = 0; a < f; a++) {
        const ga = g[i * f + a]!;
        if (ga === 0) continue;
        for (let b = 0; b < f; b++) {
          const gb = g[k * f + b]!;
          if (gb !== 0) s += ga * free.pcov[a * f + b]! * gb;
        }
      }
      pcov[i * P + k] = s;
    }
  }
  const activeMask = new Int8Array(P);
  const grad = new Float64Array(P);
  layout.free.forEach((i, j) => {
    activeMask[i] = free.activeMask[j]!;
    grad[i] = free.grad[j]!;
  });
  return { names: layout.names, kinds: layout.kinds, values, pcov, activeMask, grad, initial: layout.initial, min: layout.min, max: layout.max, exprs: layout.exprs };
}

/**
 * The named parameters of a fit.
 *
 * @param e - the solution over every name (from {@link expandParams}, or the identity expansion
 *   of a fit without `params`).
 * @returns the parameters by name, frozen.
 */
export function namedParams(e: ExpandedParams): NamedParams {
  const P = e.names.length;
  const out: Record<string, NamedParam> = {};
  for (let i = 0; i < P; i++) {
    const stderr = Math.sqrt(e.pcov[i * P + i]!);
    const correl: Record<string, number> = {};
    if (e.kinds[i] !== 'fixed') {
      for (let k = 0; k < P; k++) {
        if (k === i || e.kinds[k] === 'fixed') continue;
        correl[e.names[k]!] = e.pcov[i * P + k]! / (stderr * Math.sqrt(e.pcov[k * P + k]!));
      }
    }
    const value = e.values[i]!;
    const min = e.min[i]!;
    const max = e.max[i]!;
    out[e.names[i]!] = Object.freeze({
      name: e.names[i]!, value, stderr, relativeError: stderr / Math.abs(value), correl: Object.freeze(correl),
      initial: e.initial[i]!, min, max, vary: e.kinds[i] === 'free', kind: e.kinds[i]!, expr: e.exprs[i],
      atBound: e.activeMask[i] !== 0 || value === min || value === max,
    });
  }
  return Object.freeze(out);
}

/**
 * Why each parameter's standard error could not be estimated (lmfit PR #537): it is still at its
 * initial value (the data do not move it), or it sits at a bound. Empty when every free
 * parameter's error is finite.
 *
 * @param params - the named parameters.
 * @returns one line per such parameter, e.g. `mu: at its initial value 5`.
 */
export function uncertaintyNotes(params: NamedParams): string[] {
  const notes: string[] = [];
  for (const q of Object.values(params)) {
    if (q.kind === 'fixed' || Number.isFinite(q.stderr)) continue;
    const why = q.atBound
      ? `at a bound (${q.value === q.max ? `max ${q.max}` : q.value === q.min ? `min ${q.min}` : 'active in the solver'})`
      : q.value === q.initial
        ? `at its initial value ${q.initial} (the fit did not move it)`
        : q.kind === 'tied'
          ? `tied (${q.expr}) to parameters whose errors could not be estimated`
          : 'the Jacobian is rank-deficient at the fit (the parameter is not determined by the data)';
    notes.push(`${q.name}: ${why}`);
  }
  return notes;
}

/**
 * Pairs of parameters whose correlation exceeds `threshold` in magnitude, largest first.
 *
 * @param params - the named parameters.
 * @param threshold - the smallest |r| shown (lmfit's `min_correl`, default 0.1).
 * @returns lines such as `C(mu, s) = -0.912`.
 */
export function correlationLines(params: NamedParams, threshold = 0.1): string[] {
  const list = Object.values(params);
  const pairs: { a: string; b: string; r: number }[] = [];
  list.forEach((q, i) => {
    for (const other of list.slice(i + 1)) {
      const r = q.correl[other.name];
      if (r !== undefined && Math.abs(r) > threshold) pairs.push({ a: q.name, b: other.name, r });
    }
  });
  return pairs.sort((x, y) => Math.abs(y.r) - Math.abs(x.r)).map(({ a, b, r }) => `C(${a}, ${b}) = ${r.toFixed(4)}`);
}
