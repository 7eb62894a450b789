import { fc, test } from '@fast-check/vitest';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { createCurveFitProblem, forwardSubstitute } from '../../src/evaluate/curve-fit-problem.ts';
import { createVectorProblem } from '../../src/evaluate/vector-problem.ts';
import { model } from '../../src/model/model.ts';
import type { ResidualProblem } from '../../src/optim/evaluation.ts';
import type { JacobianScheme } from '../../src/optim/finite-difference.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';

const backend = createCpuBackend();

/** The augmented Gram matrix [J f]ᵀ[J f] = TᵀT of a (p+1)×(p+1) triangle: independent of row signs. */
function augmentedGram(T: Float64Array, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += T[k * c + i]! * T[k * c + j]!;
      out.push(s);
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(rel * scale);
}

describe('forwardSubstitute', () => {
  it('solves a small system exactly', () => {
    const b = Float64Array.of(2, 9, 3);
    forwardSubstitute(Float64Array.of(2, 0, 0, 1, 4, 0, -1, 0.5, 0.25), 3, b);
    expect([...b]).toEqual([1, 2, 12]); // 2·1 = 2; 1 + 4·2 = 9; −1 + 0.5·2 + 0.25·12 = 3
  });

  test.prop([
    fc.integer({ min: 1, max: 9 }).chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * n, maxLength: n * n }),
        fc.array(fc.double({ min: 0.5, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
      ),
    ),
  ])('agrees with a dense LU solve (ml-matrix) of L z = b', ([n, entries, diagonal, negative, rhs]) => {
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) L[i * n + k] = entries[i * n + k]!;
      L[i * n + i] = negative[i] ? -diagonal[i]! : diagonal[i]!;
    }
    const z = Float64Array.from(rhs);
    forwardSubstitute(L, n, z);
    const dense = solve(new Matrix(Array.from({ length: n }, (_, i) => Array.from(L.subarray(i * n, (i + 1) * n)))), Matrix.columnVector(rhs)).getColumn(0);
    // |L| entries ≤ 3 and |L_ii| ≥ 0.5 bound the growth of z by 7ⁿ·|b|: compare relative to that scale.
    const scale = Math.max(1, ...dense.map(Math.abs));
    z.forEach((v, i) => expect(Math.abs(v - dense[i]!)).toBeLessThanOrEqual(1e-12 * scale));
  });
});

describe('createCurveFitProblem on a 1-D sigma', () => {
  const n = 157;
  const x = Float64Array.from({ length: n }, (_, i) => (3 * i) / n);
  const sigma = Float64Array.from(x, (_, i) => 0.1 + 0.05 * (i % 4));
  const y = Float64Array.from(x, (t, i) => 1.7 * Math.exp(-0.8 * t) + 0.2 + sigma[i]! * Math.cos(31 * i));
  const m = model('a*exp(-b*x) + c');
  const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
  const theta = Float64Array.of(1.3, 0.6, 0.1);

  /** The same fit as a dense vector problem over r = (f − y)/σ. */
  function vectorTwin(scheme: JacobianScheme) {
    const jac = scheme.kind === 'analytic';
    const fun = (p: Float64Array): Float64Array => Float64Array.from(x, (t, i) => (closure(t, p[0]!, p[1]!, p[2]!) - y[i]!) / sigma[i]!);
    const jacobian = (p: Float64Array): number[][] =>
      Array.from(x, (t, i) => {
        const e = Math.exp(-p[1]! * t);
        return [e / sigma[i]!, (-p[0]! * t * e) / sigma[i]!, 1 / sigma[i]!];
      });
    return createVectorProblem({ backend, fun, jac: jac ? jacobian : undefined, p: 3, m: n, loss: null, scheme, caller: 'test' });
  }

  async function evaluated(problem: ResidualProblem) {
    const ev = await problem.evaluate(theta, true);
    return { cost: ev.cost, gram: augmentedGram(ev.T!, 4) };
  }

  it('walks the data in blocks, agreeing with the vector problem over (f − y)/σ (analytic Jacobian)', async () => {
    const resolved = resolveCurveFitOptions('curveFit', m, x, y, { p0: [1, 1, 0], sigma });
    for (const blockRows of [undefined, 1, 16, n]) {
      const block = createCurveFitProblem(resolved, backend, { blockRows });
      const vector = vectorTwin(resolved.settings.scheme);
      expectClose(block.residualVector(theta), vector.residualVector(theta), 1e-14);
      const [b, v] = [await evaluated(block), await evaluated(vector)];
      expect(Math.abs(b.cost - v.cost)).toBeLessThanOrEqual(1e-13 * v.cost);
      expectClose(b.gram, v.gram, 1e-12);
      block.dispose?.();
      vector.dispose();
    }
  });

  it('agrees with the covariance path when the covariance is diag(σ²)', async () => {
    const block = createCurveFitProblem(resolveCurveFitOptions('curveFit', m, x, y, { p0: [1, 1, 0], sigma }), backend);
    const covariance = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? sigma[i]! ** 2 : 0)));
    const dense = createCurveFitProblem(resolveCurveFitOptions('curveFit', m, x, y, { p0: [1, 1, 0], sigma: covariance }), backend);
    expectClose(dense.residualVector(theta), block.residualVector(theta), 1e-14);
    const [b, d] = [await evaluated(block), await evaluated(dense)];
    expect(Math.abs(b.cost - d.cost)).toBeLessThanOrEqual(1e-13 * b.cost);
    expectClose(d.gram, b.gram, 1e-12);
  });

  it('agrees with the vector problem for a closure with finite differences (method trf: 2-point)', async () => {
    const resolved = resolveCurveFitOptions('curveFit', closure, x, y, { p0: [1, 1, 0], sigma, method: 'trf' });
    expect(resolved.settings.scheme.kind).toBe('2-point');
    const block = createCurveFitProblem(resolved, backend);
    const vector = vectorTwin(resolved.settings.scheme);
    expectClose(block.residualVector(theta), vector.residualVector(theta), 1e-14);
    const [b, v] = [await evaluated(block), await evaluated(vector)];
    expect(Math.abs(b.cost - v.cost)).toBeLessThanOrEqual(1e-13 * v.cost);
    expectClose(b.gram, v.gram, 1e-9); // a forward difference amplifies f's last-bit differences between the paths by ~1/√ε
  });
});
