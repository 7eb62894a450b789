import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import { createVectorProblem } from '../../src/evaluate/vector-problem.ts';

const backend = createCpuBackend();
const fun = (x: Float64Array) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!, 0.5 * x[0]! * x[1]!];
const jac = (x: Float64Array) => [[-20 * x[0]!, 10], [-1, 0], [0.5 * x[1]!, 0.5 * x[0]!]];
const unbounded = { lb: Float64Array.of(-Infinity, -Infinity), ub: Float64Array.of(Infinity, Infinity) };

/** RᵀR of a triangle's leading p×p block. */
function gramOf(T: Float64Array, p: number): number[][] {
  const c = p + 1;
  return Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => {
    let s = 0;
    for (let k = 0; k <= Math.min(i, j); k++) s += T[k * c + i]! * T[k * c + j]!;
    return s;
  }));
}

describe('createVectorProblem', () => {
  const x = Float64Array.of(0.7, -0.4);

  it('folds [J | f] so that RᵀR = JᵀJ and ‖f‖² is preserved (analytic Jacobian)', () => {
    const problem = createVectorProblem({ backend, fun, jac, p: 2, m: 3, loss: null, scheme: { kind: 'analytic' }, blockRows: 2 });
    const ev = problem.evaluate(x, true);
    const f = fun(x);
    expect(ev.cost).toBeCloseTo(0.5 * f.reduce((s, v) => s + v * v, 0), 13);
    const J = new Matrix(jac(x));
    const expected = J.transpose().mmul(J);
    const G = gramOf(ev.T!, 2);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(G[i]![j]).toBeCloseTo(expected.get(i, j), 10);
    const T = ev.T!;
    expect(T[2] ** 2 + T[5] ** 2 + T[8] ** 2).toBeCloseTo(f.reduce((s, v) => s + v * v, 0), 10);
    expect(problem.evaluate(x, false).T).toBeNull();
  });

  it('differentiates numerically with SciPy 2-point steps when no jac is given', () => {
    const problem = createVectorProblem({ backend, fun, p: 2, m: 3, loss: null, scheme: { kind: '2-point', relStep: null, ...unbounded } });
    const J = problem.jacobianAt(x);
    const exact = jac(x).flat();
    for (let k = 0; k < 6; k++) expect(J[k]).toBeCloseTo(exact[k]!, 6);
  });

  it("applies SciPy's robust-loss scaling to J and f and reports ½Σρ", () => {
    const loss = resolveLoss('cauchy', 2)!;
    const problem = createVectorProblem({ backend, fun, jac, p: 2, m: 3, loss, scheme: { kind: 'analytic' } });
    const ev = problem.evaluate(x, true);
    const f = fun(x);
    const rho = new Float64Array(3);
    let cost = 0;
    const scaledJ: number[][] = [];
    const scaledF: number[] = [];
    f.forEach((fi, i) => {
      loss.rho(fi * fi, rho);
      cost += rho[0]!;
      const s = Math.sqrt(Math.max(rho[1]! + 2 * rho[2]! * fi * fi, 2 ** -52));
      scaledJ.push(jac(x)[i]!.map((v) => v * s));
      scaledF.push((fi * rho[1]!) / s);
    });
    expect(ev.cost).toBeCloseTo(0.5 * cost, 13);
    const A = new Matrix(scaledJ.map((row, i) => [...row, scaledF[i]!]));
    const R = new QrDecomposition(A).upperTriangularMatrix;
    for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) expect(Math.abs(Math.abs(ev.T![i * 3 + j]!) - Math.abs(R.get(i, j)))).toBeLessThan(1e-8 * Math.max(1, Math.abs(R.get(i, j))));
  });

  it('returns T = null when a residual is not finite, and rejects a changing residual count', () => {
    const problem = createVectorProblem({ backend, fun: (v) => [v[0]! > 1 ? NaN : 1, 2], p: 2, m: 2, loss: null, scheme: { kind: '2-point', relStep: null, ...unbounded } });
    expect(problem.evaluate(Float64Array.of(2, 0), true).T).toBeNull();
    const shifty = createVectorProblem({ backend, fun: (v) => (v[0]! > 1 ? [1] : [1, 2]), p: 2, m: 2, loss: null, scheme: { kind: '2-point', relStep: null, ...unbounded } });
    expect(() => shifty.evaluate(Float64Array.of(2, 0), false)).toThrow(/fun must return 2 residuals at every x \(as at x0\), got 1/);
  });
});
