import { describe, expect, it, vi } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Matrix } from 'ml-matrix';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { BlockEvaluator } from '../../src/evaluate/block-evaluator.ts';
import { createBlockProblem } from '../../src/evaluate/block-problem.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import type { DataColumns } from '../../src/model/model-kernel.ts';
import { expDecay, testKernel } from '../support/test-kernels.ts';

const backend = createCpuBackend();

function makeData(n: number, noise = 0.05): DataColumns {
  const x = Float64Array.from({ length: n }, (_, i) => (5 * i) / n);
  const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + noise * Math.sin(7 * i));
  const w = Float64Array.from(x, (_, i) => 1 / (0.5 + (i % 3)));
  return { x: [x], y, w };
}

function gram(T: Float64Array, c: number): number[][] {
  const R = new Matrix(c, c);
  for (let i = 0; i < c; i++) for (let j = i; j < c; j++) R.set(i, j, T[i * c + j]!);
  return R.transpose().mmul(R).to2DArray();
}

/** Dense reference: rows [w·∂f, w·(f − y)] scaled for the loss as SciPy does, then AᵀA. */
function denseGram(data: DataColumns, p: Float64Array, lossName: 'linear' | 'cauchy'): { G: number[][]; cost: number } {
  const rows: number[][] = [];
  let cost = 0;
  const loss = resolveLoss(lossName, 0.7);
  const rho = new Float64Array(3);
  data.y.forEach((yi, i) => {
    const t = data.x[0]![i]!;
    const w = data.w![i]!;
    const e = Math.exp(-p[1]! * t);
    const J = [w * e, -w * p[0]! * t * e, w];
    let f = w * (p[0]! * e + p[2]! - yi);
    if (loss === null) {
      cost += 0.5 * f * f;
    } else {
      loss.rho(f * f, rho);
      cost += 0.5 * rho[0]!;
      const s = Math.sqrt(Math.max(rho[1]! + 2 * rho[2]! * f * f, 2.220446049250313e-16));
      J.forEach((v, j) => (J[j] = v * s));
      f = (f * rho[1]!) / s;
    }
    rows.push([...J, f]);
  });
  const A = new Matrix(rows);
  return { G: A.transpose().mmul(A).to2DArray(), cost };
}

function expectGramClose(a: number[][], b: number[][], tol: number): void {
  const scale = Math.max(...b.flat().map(Math.abs));
  a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThanOrEqual(tol * scale)));
}

describe('BlockEvaluator', () => {
  const x = Float64Array.from([2.5, 1.0, 0.4]);

  it.each(['linear', 'cauchy'] as const)('folds the %s-loss rows into T with TᵀT = AᵀA of the dense scaled rows', (lossName) => {
    const data = makeData(1000);
    const ev = new BlockEvaluator({ backend, kernel: expDecay, loss: resolveLoss(lossName, 0.7), scheme: { kind: 'analytic' }, blockRows: 97 });
    ev.begin(x, true);
    ev.addWindow(data, 0, 1000);
    const { cost, m, T } = ev.finish();
    const ref = denseGram(data, x, lossName);
    expect(m).toBe(1000);
    expect(cost).toBeCloseTo(ref.cost, 10);
    expectGramClose(gram(T!, 4), ref.G, 1e-13);
  });

  test.prop([fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 })], { numRuns: 30 })(
    'gives the same cost and RᵀR whatever the block size',
    (b1, b2) => {
      const data = makeData(300);
      const run = (blockRows: number) => createBlockProblem({ backend, kernel: expDecay, data, n: 300, loss: null, scheme: { kind: 'analytic' }, blockRows }).evaluate(x, true);
      const e1 = run(b1) as { cost: number; T: Float64Array };
      const e2 = run(b2) as { cost: number; T: Float64Array };
      expect(Math.abs(e1.cost - e2.cost)).toBeLessThanOrEqual(1e-13 * e1.cost);
      expectGramClose(gram(e1.T, 4), gram(e2.T, 4), 1e-13);
    },
  );

  it('agrees with the analytic Jacobian when it uses finite differences', () => {
    const data = makeData(500);
    const closure = testKernel(3, (t, p) => p[0]! * Math.exp(-p[1]! * t) + p[2]!);
    const lb = new Float64Array(3).fill(-Infinity);
    const ub = new Float64Array(3).fill(Infinity);
    const fd = createBlockProblem({ backend, kernel: closure, data, n: 500, loss: null, scheme: { kind: '3-point', relStep: null, lb, ub } });
    const exact = createBlockProblem({ backend, kernel: expDecay, data, n: 500, loss: null, scheme: { kind: 'analytic' } });
    expect(fd.jacobianIsCheap).toBe(false);
    expect(exact.jacobianIsCheap).toBe(true);
    const a = fd.evaluate(x, true) as { T: Float64Array; cost: number };
    const b = exact.evaluate(x, true) as { T: Float64Array; cost: number };
    expect(a.cost).toBe(b.cost);
    expectGramClose(gram(a.T, 4), gram(b.T, 4), 1e-8);
  });

  it('reports the cost without a triangle when the Jacobian is not asked for', () => {
    const data = makeData(100);
    const problem = createBlockProblem({ backend, kernel: expDecay, data, n: 100, loss: null, scheme: { kind: 'analytic' } });
    const ev = problem.evaluate(x, false) as { cost: number; T: null };
    const r = problem.residualVector(x);
    expect(ev.T).toBeNull();
    expect(ev.cost).toBeCloseTo(0.5 * r.reduce((s, v) => s + v * v, 0), 12);
  });

  it('returns a non-finite cost and no triangle when a residual is not finite', () => {
    const data = makeData(100);
    const problem = createBlockProblem({ backend, kernel: expDecay, data, n: 100, loss: null, scheme: { kind: 'analytic' } });
    const ev = problem.evaluate(Float64Array.from([1, -1e6, 0]), true);
    expect(Number.isFinite((ev as { cost: number }).cost)).toBe(false);
    expect((ev as { T: unknown }).T).toBeNull();
  });

  it('refuses the analytic scheme for a kernel without residual rows', () => {
    const closure = testKernel(1, (t, p) => p[0]! * t);
    expect(() => new BlockEvaluator({ backend, kernel: closure, loss: null, scheme: { kind: 'analytic' }, blockRows: 8 })).toThrow(/analytic Jacobian scheme needs a kernel/);
  });
});

describe('createBlockProblem residual cache', () => {
  it('reuses the residuals of a cost-only pass at the same x for a finite-difference Jacobian, bit for bit', () => {
    const data = makeData(700);
    let calls = 0;
    const closure = testKernel(3, (t, p) => {
      calls++;
      return p[0]! * Math.exp(-p[1]! * t) + p[2]!;
    });
    const lb = new Float64Array(3).fill(-Infinity);
    const ub = new Float64Array(3).fill(Infinity);
    const scheme = { kind: '2-point', relStep: null, lb, ub } as const;
    const x = Float64Array.from([2.5, 1.0, 0.4]);
    const cached = createBlockProblem({ backend, kernel: closure, data, n: 700, loss: null, scheme, blockRows: 64 });
    const plain = createBlockProblem({ backend, kernel: closure, data, n: 700, loss: null, scheme, blockRows: 64, cacheResiduals: false });
    cached.evaluate(x, false);
    calls = 0;
    const a = cached.evaluate(x, true) as { T: Float64Array };
    expect(calls).toBe(3 * 700);
    plain.evaluate(x, false);
    calls = 0;
    const b = plain.evaluate(x, true) as { T: Float64Array };
    expect(calls).toBe(4 * 700);
    expect(Array.from(a.T)).toEqual(Array.from(b.T));
    calls = 0;
    cached.evaluate(Float64Array.from([2.5, 1.0, 0.41]), true);
    expect(calls).toBe(4 * 700);
  });

  it('hands over the residuals of a cost-only pass at the same x without a model pass, unscaled by the loss', () => {
    const data = makeData(700);
    let calls = 0;
    const counted = testKernel(
      3,
      (t, p) => {
        calls++;
        return p[0]! * Math.exp(-p[1]! * t) + p[2]!;
      },
      (t, p, out) => {
        const e = Math.exp(-p[1]! * t);
        out[0] = e;
        out[1] = -p[0]! * t * e;
        out[2] = 1;
      },
    );
    const x = Float64Array.from([2.5, 1.0, 0.4]);
    const reference = createBlockProblem({ backend, kernel: expDecay, data, n: 700, loss: null, scheme: { kind: 'analytic' }, cacheResiduals: false }).residualVector(x);
    const problem = createBlockProblem({ backend, kernel: counted, data, n: 700, loss: resolveLoss('cauchy', 0.3), scheme: { kind: 'analytic' }, blockRows: 64 });
    problem.evaluate(x, false);
    calls = 0;
    const r = problem.residualVector(x);
    expect(calls).toBe(0);
    expect(Array.from(r)).toEqual(Array.from(reference));
    problem.evaluate(Float64Array.from([2.4, 1.1, 0.5]), false);
    expect(Array.from(r)).toEqual(Array.from(reference)); // the handed-over array is the caller's
    calls = 0;
    expect(Array.from(problem.residualVector(x))).toEqual(Array.from(reference));
    expect(calls).toBe(700);
    // Into the caller's array (a worker's view on shared memory): the same values, from the
    // cache after an evaluation at x, and from a model pass otherwise; the array returned is `out`.
    for (const cached of [true, false]) {
      if (cached) problem.evaluate(x, false);
      calls = 0;
      const out = new Float64Array(new SharedArrayBuffer(700 * 8)).fill(-1);
      expect(problem.residualVector(x, out)).toBe(out);
      expect(calls).toBe(cached ? 0 : 700);
      expect(Array.from(out)).toEqual(Array.from(reference));
    }
  });
});

describe('BlockEvaluator: a kernel’s fused foldRows path', () => {
  /** expDecay with a foldRows that does the same work itself (or declines), counting its calls. */
  function fusedKernel(decline: boolean) {
    const calls = { fused: 0, rows: 0 };
    const kernel = {
      ...expDecay,
      residualRows(...args: Parameters<NonNullable<typeof expDecay.residualRows>>) {
        calls.rows++;
        expDecay.residualRows!(...args);
      },
      foldRows(theta: Float64Array, data: DataColumns, start: number, n: number, T: Float64Array, residuals?: Float64Array) {
        const b = backend;
        calls.fused++;
        if (decline) return null;
        const ws = b.createWorkspace(n, 4);
        expDecay.residualRows!(theta, data, start, n, ws.data(), 0);
        const ssq = b.sumSquares(ws.data(), 3, n, 4);
        if (residuals !== undefined) for (let i = 0; i < n; i++) residuals[start + i] = ws.data()[4 * i + 3]!;
        b.foldRows(T, ws, n);
        return ssq;
      },
    };
    return { kernel, calls };
  }

  it('folds through the kernel with the plain loss, and gives what the row path gives', () => {
    const data = makeData(300);
    const x = Float64Array.from([2.5, 1.0, 0.4]);
    const { kernel, calls } = fusedKernel(false);
    const fused = createBlockProblem({ backend, kernel, data, n: 300, loss: null, scheme: { kind: 'analytic' }, blockRows: 64 });
    const plain = createBlockProblem({ backend, kernel: expDecay, data, n: 300, loss: null, scheme: { kind: 'analytic' }, blockRows: 64 });
    const a = fused.evaluate(x, true) as { T: Float64Array; cost: number };
    const b = plain.evaluate(x, true) as { T: Float64Array; cost: number };
    expect(calls).toEqual({ fused: 5, rows: 0 });
    expect(a.cost).toBe(b.cost);
    expect(Array.from(a.T)).toEqual(Array.from(b.T));
    // The fused pass kept the residuals: result.fun at that x needs no model pass.
    const spy = vi.spyOn(kernel, 'residuals');
    expect(Array.from(fused.residualVector(x))).toEqual(Array.from(plain.residualVector(x)));
    expect(spy).not.toHaveBeenCalled();
  });

  it('falls back to residual rows when the kernel declines, and never fuses under a robust loss', () => {
    const data = makeData(300);
    const x = Float64Array.from([2.5, 1.0, 0.4]);
    const declined = fusedKernel(true);
    const fallback = createBlockProblem({ backend, kernel: declined.kernel, data, n: 300, loss: null, scheme: { kind: 'analytic' }, blockRows: 64 });
    fallback.evaluate(x, true);
    expect(declined.calls).toEqual({ fused: 5, rows: 5 });
    const plain = createBlockProblem({ backend, kernel: expDecay, data, n: 300, loss: null, scheme: { kind: 'analytic' }, cacheResiduals: false });
    expect(Array.from(fallback.residualVector(x))).toEqual(Array.from(plain.residualVector(x)));
    const robust = fusedKernel(false);
    createBlockProblem({ backend, kernel: robust.kernel, data, n: 300, loss: resolveLoss('huber', 1), scheme: { kind: 'analytic' }, blockRows: 64 }).evaluate(x, true);
    expect(robust.calls).toEqual({ fused: 0, rows: 5 });
  });
});
