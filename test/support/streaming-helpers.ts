/**
 * Shared fixtures of the streaming tests: a deterministic data generator, an analytic
 * exponential-decay kernel (through the library's closure kernel), solver options, and the
 * standard (in-memory) reference fit.
 */
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import type { ModelKernel } from '../../src/model/model-kernel.ts';
import { createBlockProblem } from '../../src/evaluate/block-problem.ts';
import { createClosureKernel } from '../../src/model/closure-kernel.ts';
import type { Evaluation, SolverOutcome } from '../../src/optim/evaluation.ts';
import type { JacobianScheme } from '../../src/optim/finite-difference.ts';
import type { Loss } from '../../src/optim/loss.ts';
import type { SolverOptions } from '../../src/optim/solver-options.ts';
import { trf } from '../../src/optim/trf.ts';

/** Park–Miller LCG in [0, 1): deterministic noise without Math.random. */
export function lcg(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** y = a·exp(−b·x) + c with uniform noise; sigma varies per point. */
export function expData(n: number, seed = 7, truth = [2.5, 1.3, 0.5]): { x: Float64Array; y: Float64Array; sigma: Float64Array } {
  const rnd = lcg(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const sigma = new Float64Array(n);
  const [a, b, c] = truth as [number, number, number];
  for (let i = 0; i < n; i++) {
    x[i] = (4 * i) / n;
    sigma[i] = 0.05 + 0.1 * rnd();
    y[i] = a * Math.exp(-b * x[i]!) + c + sigma[i]! * (rnd() - 0.5) * 2;
  }
  return { x, y, sigma };
}

/** The exponential-decay model with its analytic per-point Jacobian. */
export function expKernel(analytic = true): ModelKernel {
  const jac = (x: number, a: number, b: number): number[] => {
    const e = Math.exp(-b * x);
    return [e, -a * x * e, 1];
  };
  return createClosureKernel({
    f: (x: number, a: number, b: number, c: number) => a * Math.exp(-b * x) + c,
    nParams: 3,
    nVariables: 1,
    jac: analytic ? jac : undefined,
    caller: 'fit',
  });
}

/** Resolved TRF options. */
export function trfOptions(x0: number[], tol = 1e-8, lb?: number[], ub?: number[]): SolverOptions {
  const p = x0.length;
  return {
    method: 'trf',
    x0: Float64Array.from(x0),
    lb: lb ? Float64Array.from(lb) : new Float64Array(p).fill(-Infinity),
    ub: ub ? Float64Array.from(ub) : new Float64Array(p).fill(Infinity),
    ftol: tol,
    xtol: tol,
    gtol: tol,
    maxNfev: 100 * p,
    xScale: new Float64Array(p).fill(1),
    jacobianCostsNfev: 0,
    caller: 'fit',
  };
}

/** Run a solver generator synchronously against a synchronous problem. */
export function runSync(gen: Generator<any, SolverOutcome, any>, evaluate: (x: Float64Array, j: boolean) => Evaluation): SolverOutcome {
  let r = gen.next();
  while (!r.done) {
    const req = r.value;
    r = req.kind === 'evaluate' ? gen.next(evaluate(req.x, req.jacobian)) : gen.next(true);
  }
  return r.value;
}

/** The standard (in-memory) TRF fit of the same problem: the reference. */
export function standardFit(
  kernel: ModelKernel,
  data: { x: Float64Array; y: Float64Array; sigma?: Float64Array | null },
  options: SolverOptions,
  loss: Loss | null = null,
  scheme: JacobianScheme = { kind: 'analytic' },
): SolverOutcome {
  const w = data.sigma ? data.sigma.map((s) => 1 / s) : null;
  const problem = createBlockProblem({
    backend: createCpuBackend(),
    kernel,
    data: { x: [data.x], y: data.y, w },
    n: data.y.length,
    loss,
    scheme,
  });
  return runSync(trf(problem, options), (x, j) => problem.evaluate(x, j) as Evaluation);
}

/** Standard errors √diag(s²(RᵀR)⁻¹), s² = 2·cost/(m − p), from the triangle T. */
export function standardErrors(T: Float64Array, p: number, cost: number, m: number): Float64Array {
  const c = p + 1;
  // invert the p×p upper-triangular R: Rinv, then (RᵀR)⁻¹ = Rinv Rinvᵀ
  const Ri = new Float64Array(p * p);
  for (let j = p - 1; j >= 0; j--) {
    Ri[j * p + j] = 1 / T[j * c + j]!;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += T[i * c + k]! * Ri[k * p + j]!;
      Ri[i * p + j] = -s / T[i * c + i]!;
    }
  }
  const s2 = (2 * cost) / (m - p);
  const se = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let d = 0;
    for (let k = i; k < p; k++) d += Ri[i * p + k]! ** 2;
    se[i] = Math.sqrt(s2 * d);
  }
  return se;
}

/** Max relative difference between two vectors. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-300));
  return d;
}

export const cpu = createCpuBackend;

/**
 * Retained memory now: heap plus ArrayBuffer storage (typed arrays live outside heapUsed), after a
 * full garbage collection, so garbage awaiting collection is not counted.
 */
export async function retainedBytes(): Promise<number> {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 5)); // let ArrayBuffer sweeping finish
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The same model as {@link expKernel}, hand-fused (no per-point calls), for the big-data tests. */
export function fusedExpKernel(): ModelKernel {
  return {
    nParams: 3,
    nVariables: 1,
    analyticJacobian: true,
    residuals(theta, data, start, n, out, off, stride) {
      const [a, b, c] = theta as unknown as [number, number, number];
      const x = data.x[0]!;
      for (let i = start, q = off; i < start + n; i++, q += stride) {
        const r = a * Math.exp(-b * x[i]!) + c - data.y[i]!;
        out[q] = data.w === null ? r : data.w[i]! * r;
      }
    },
    residualRows(theta, data, start, n, out, off) {
      const [a, b, c] = theta as unknown as [number, number, number];
      const x = data.x[0]!;
      for (let i = start, q = off; i < start + n; i++, q += 4) {
        const e = Math.exp(-b * x[i]!);
        const w = data.w === null ? 1 : data.w[i]!;
        out[q] = w * e;
        out[q + 1] = -w * a * x[i]! * e;
        out[q + 2] = w;
        out[q + 3] = w * (a * e + c - data.y[i]!);
      }
    },
  };
}
