/**
 * A test-only dense residual problem: a residual function and its Jacobian over all m rows,
 * loss-scaled as SciPy's `scale_for_robust_loss_function` and folded into the augmented triangle
 * with the CPU backend's `householderFold` — the reference the block evaluator must match.
 */
import { householderFold } from '../../src/backends/cpu/fold.ts';
import type { Evaluation, ResidualProblem } from '../../src/optim/evaluation.ts';
import type { Loss } from '../../src/optim/loss.ts';

/** A problem as SciPy's least_squares sees it: f: ℝᵖ → ℝᵐ and J = ∂f/∂x. */
export interface DenseSpec {
  readonly p: number;
  readonly m: number;
  fun(x: Float64Array, out: Float64Array): void;
  /** m×p row-major Jacobian. */
  jac(x: Float64Array, out: Float64Array): void;
}

/** How the Jacobian is obtained. */
export type DenseJacobian = 'analytic' | 'minpack';

/** A dense problem with call counters. */
export interface DenseProblem extends ResidualProblem {
  /** Residual-function calls (including forward-difference ones). */
  funCalls: number;
  /** Jacobian requests served. */
  jacCalls: number;
  /** Points evaluated, in order (copies). */
  readonly points: Float64Array[];
}

/**
 * Build the dense problem.
 *
 * @param spec - residuals and Jacobian.
 * @param options - robust loss (null = linear), Jacobian source ('minpack' = MINPACK `fdjac2`
 *   forward differences with h = √ε·|x_j|, ε if x_j = 0), and whether it is declared cheap.
 */
export function createDenseProblem(
  spec: DenseSpec,
  options: { loss?: Loss | null; jacobian?: DenseJacobian; cheap?: boolean } = {},
): DenseProblem {
  const { p, m } = spec;
  const loss = options.loss ?? null;
  const mode = options.jacobian ?? 'analytic';
  const c = p + 1;
  const f = new Float64Array(m);
  const J = new Float64Array(m * p);
  const rho = new Float64Array(3);
  const problem: DenseProblem = {
    p,
    jacobianIsCheap: options.cheap ?? false,
    funCalls: 0,
    jacCalls: 0,
    points: [],
    evaluate(x: Float64Array, jacobian: boolean): Evaluation {
      problem.points.push(Float64Array.from(x));
      spec.fun(x, f);
      problem.funCalls += 1;
      let cost = 0;
      for (let i = 0; i < m; i++) {
        if (loss === null) cost += f[i]! * f[i]!;
        else {
          loss.rho(f[i]! * f[i]!, rho);
          cost += rho[0]!;
        }
      }
      cost *= 0.5;
      if (!jacobian || !Number.isFinite(cost)) return { cost: Number.isFinite(cost) ? cost : NaN, m, T: null };
      problem.jacCalls += 1;
      if (mode === 'analytic') spec.jac(x, J);
      else forwardDifference(spec, x, f, J, problem);
      const A = new Float64Array(m * c);
      for (let i = 0; i < m; i++) {
        let js = 1;
        let fs = f[i]!;
        if (loss !== null) {
          loss.rho(f[i]! * f[i]!, rho);
          js = Math.sqrt(Math.max(rho[1]! + 2 * rho[2]! * f[i]! * f[i]!, 2 ** -52)); // SciPy scale_for_robust_loss_function
          fs = (rho[1]! / js) * f[i]!;
        }
        for (let j = 0; j < p; j++) A[i * c + j] = J[i * p + j]! * js;
        A[i * c + p] = fs;
      }
      for (let k = 0; k < A.length; k++) if (!Number.isFinite(A[k]!)) return { cost, m, T: null };
      const T = new Float64Array(c * c);
      householderFold(T, A, 0, m, c, new Float64Array(c));
      return { cost, m, T };
    },
  };
  return problem;
}

function forwardDifference(spec: DenseSpec, x: Float64Array, f: Float64Array, J: Float64Array, counter: DenseProblem): void {
  const { p, m } = spec;
  const eps = Math.sqrt(2 ** -52);
  const xh = Float64Array.from(x);
  const fh = new Float64Array(m);
  for (let j = 0; j < p; j++) {
    const temp = x[j]!;
    let h = eps * Math.abs(temp);
    if (h === 0) h = eps;
    xh[j] = temp + h;
    spec.fun(xh, fh);
    counter.funCalls += 1;
    xh[j] = temp;
    for (let i = 0; i < m; i++) J[i * p + j] = (fh[i]! - f[i]!) / h;
  }
}
