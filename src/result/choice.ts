/**
 * A decision a fit made, with what the caller gave and why — the rows of `report({ full: true })`
 * (after Ceres' `Solver::Summary::FullReport`, which shows given against used) — and the one
 * builder of the strategy and block-size rows ({@link walkChoices}), whichever path ran the fit.
 *
 * @module
 */
import type { ClosureLift } from '../model/lift/lift-closure.ts';
import { formatCount } from '../util/format.ts';
import { blockRowsFor } from '../workflow/block-rows.ts';
import type { Plan, Workflow } from '../workflow/plan.ts';

/** One decision: given vs used, and the reason. */
export interface Choice {
  /** What the caller asked for (`'default'` when nothing). */
  readonly given: string;
  /** What the fit used. */
  readonly used: string;
  /** Why, in a sentence. */
  readonly reason: string;
}

/** The decisions every fit reports. */
export interface FitChoices {
  /** Which backend. */
  readonly backend: Choice;
  /** Standard, chunked or streaming. */
  readonly strategy: Choice;
  /** trf, dogbox or lm. */
  readonly method: Choice;
  /** Rows per block. */
  readonly blockSize: Choice;
  /** f64 or f32 arithmetic. */
  readonly precision: Choice;
  /** Analytic or finite differences. */
  readonly jacobian: Choice;
  /** The loss and fScale. */
  readonly loss: Choice;
  /** A plain function model: lifted to an expression, or evaluated per point and why (absent for other models). */
  readonly model?: Choice;
  /** With the `workers` option: how many workers folded the data, on which engine, and why (absent otherwise). */
  readonly workers?: Choice;
  /** The `global` option: the search run and why its winner was chosen (absent without it). */
  readonly global?: Choice;
}

/** How a fit walked its data — what the strategy and block-size rows describe. */
export type DataWalk =
  /** `fit()` on resident arrays: its plan, and the caller's `workflow` and `chunkSize`. */
  | { readonly kind: 'planned'; readonly plan: Plan; readonly workflow: Workflow | undefined; readonly chunkSize: number | undefined }
  /** `fit()` on a data source: always streamed, `passes` passes over `points` points. */
  | {
      readonly kind: 'source';
      readonly workflow: Workflow | undefined;
      readonly chunkSize: number | undefined;
      readonly points: number;
      readonly passes: number;
      /** A one-pass source: a mini-batch estimate only. */
      readonly approximate: boolean;
    }
  /** `curveFit` over n resident points in blocks (the caller's `blockRows`, or the default). */
  | { readonly kind: 'blocks'; readonly n: number; readonly blockRows: number | undefined }
  /** `curveFit` with a covariance sigma: n residuals coupled, one dense vector problem. */
  | { readonly kind: 'covariance'; readonly n: number; readonly blockRows: number | undefined }
  /** `leastSquares`: a residual-vector function of m residuals, evaluated whole. */
  | { readonly kind: 'vector'; readonly m: number };

/** The given side of a row: the caller's value, or `'default'`. */
function given(value: string | number | undefined): string {
  return value === undefined ? 'default' : String(value);
}

/** The strategy row. */
function strategyChoice(walk: DataWalk): Choice {
  switch (walk.kind) {
    case 'planned':
      return { given: walk.workflow ?? 'auto', used: walk.plan.strategy, reason: walk.plan.reason };
    case 'source': {
      const estimate = walk.approximate ? ' (one-pass source: mini-batch estimate only)' : '';
      return { given: walk.workflow ?? 'auto', used: 'streaming', reason: `a data source is always streamed: ${walk.passes} passes over ${formatCount(walk.points)} points${estimate}` };
    }
    case 'vector':
      return { given: 'default', used: 'standard', reason: 'a residual-vector function is evaluated whole, in memory' };
    default:
      return { given: 'default', used: 'standard', reason: 'all data in memory, one solve over resident arrays' };
  }
}

/** The block-size row. */
function blockSizeChoice(walk: DataWalk): Choice {
  switch (walk.kind) {
    case 'planned': {
      const { plan } = walk;
      const reason =
        plan.strategy === 'standard'
          ? 'standard: cache-sized blocks over resident data'
          : `${plan.strategy}: ${formatCount(plan.chunkSize)} points per ${plan.strategy === 'chunked' ? 'chunk' : 'batch'}`;
      return { given: given(walk.chunkSize), used: String(plan.blockRows), reason };
    }
    case 'source':
      return { given: given(walk.chunkSize), used: 'source chunks', reason: 'the source decides its chunk sizes' };
    case 'blocks':
      return {
        given: given(walk.blockRows),
        used: String(blockRowsFor(walk.n, walk.blockRows)),
        reason: walk.blockRows === undefined ? 'standard strategy: cache-sized blocks; the N×p Jacobian is never held whole' : 'block size given by the caller',
      };
    case 'covariance':
      return { given: given(walk.blockRows), used: `${walk.n} (dense)`, reason: 'a covariance sigma couples all residuals: one dense block' };
    case 'vector':
      return { given: 'default', used: String(walk.m), reason: 'dense residual vector' };
  }
}

/**
 * The strategy and block-size rows of a fit's choices, from how it walked its data.
 *
 * @param walk - the path the fit took, with the caller's options and the decided sizes.
 * @returns the two rows.
 * @example
 * ```ts
 * walkChoices({ kind: 'blocks', n: 10_000, blockRows: undefined }).blockSize;
 * // { given: 'default', used: '2048', reason: 'standard strategy: cache-sized blocks; …' }
 * ```
 */
export function walkChoices(walk: DataWalk): Pick<FitChoices, 'strategy' | 'blockSize'> {
  return { strategy: strategyChoice(walk), blockSize: blockSizeChoice(walk) };
}

/** The Jacobian a per-point closure gets, in words. */
function closureJacobian(scheme: string): string {
  switch (scheme) {
    case 'analytic':
      return 'its own jac';
    case 'minpack':
      return 'forward differences (MINPACK lmdif)';
    default:
      return `${scheme} differences`;
  }
}

/**
 * The model row of a fit whose model was a plain function: whether it was lifted to an
 * expression model (exact Jacobian, compiled kernels) or evaluated per point, and why not.
 *
 * @param lift - what lifting did (`liftClosure`).
 * @param scheme - the Jacobian scheme used (`'analytic'`, `'minpack'`, `'2-point'`, `'3-point'`).
 * @param backend - the backend's name.
 * @returns the row.
 * @example
 * ```ts
 * modelChoice({ lifted: false, reason: 'free variable `k` at 1:23; pass `constants` or use model()' }, '2-point', 'cpu').reason;
 * // 'closure evaluated per point with 2-point differences — not lifted: free variable `k` at 1:23; pass `constants` or use model()'
 * ```
 */
export function modelChoice(lift: ClosureLift, scheme: string, backend: string): Choice {
  const given = 'closure';
  if (lift.lifted) {
    const jacobian = scheme === 'analytic' ? 'exact Jacobian' : closureJacobian(scheme);
    const text = lift.model.expression;
    const shown = text.length > 120 ? `${text.slice(0, 119)}…` : text;
    return { given, used: 'expression', reason: `closure lifted to an expression (${jacobian}, compiled for ${backend}): ${shown}` };
  }
  return { given, used: 'closure', reason: `closure evaluated per point with ${closureJacobian(scheme)} — not lifted: ${lift.reason}` };
}
