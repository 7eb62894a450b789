import { fc, test } from '@fast-check/vitest';
import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import type { Backend } from '../src/backends/backend.ts';
import { curveFit, curveFitSync } from '../src/curve-fit.ts';
import { AbortError, ModelEvaluationError, NlsqError } from '../src/errors.ts';
import type { FittableModel } from '../src/model/model-kernel.ts';
import { createClosureKernel } from '../src/model/closure-kernel.ts';
import { studentTQuantile } from '../src/stats/student-t.ts';

const expDecay = (x: number, a: number, k: number) => a * Math.exp(-k * x);
const grid = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

describe('curveFit recovers parameters', () => {
  test.prop([fc.double({ min: 0.5, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 2, noNaN: true }), fc.constantFrom('lm', 'trf', 'dogbox')], { numRuns: 15 })(
    'from noise-free data for random true parameters',
    (a, k, method) => {
      const x = grid(30, 0, 3);
      const y = x.map((t) => expDecay(t, a, k));
      const r = curveFitSync(expDecay, x, y, { p0: [1, 1], method: method as 'lm' });
      expect(r.success).toBe(true);
      expect(r.popt[0]).toBeCloseTo(a, 6);
      expect(r.popt[1]).toBeCloseTo(k, 6);
      expect(r.rSquared).toBeCloseTo(1, 10);
    },
  );

  test.prop([fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), fc.array(fc.double({ min: 0.1, max: 2, noNaN: true }), { minLength: 12, maxLength: 12 }), fc.boolean()], { numRuns: 15 })(
    "a weighted linear fit equals closed-form weighted least squares (popt and SciPy's pcov)",
    (noise, sigma, absoluteSigma) => {
      const x = grid(12, -2, 3);
      const y = x.map((t, i) => 1.5 - 0.7 * t + 0.3 * t * t + noise[i]!);
      const r = curveFitSync((t: number, a: number, b: number, c: number) => a + b * t + c * t * t, x, y, { sigma, absoluteSigma, method: 'trf', jac: '3-point' });
      const W = sigma.map((s) => 1 / s);
      const X = new Matrix(x.map((t, i) => [W[i]!, W[i]! * t, W[i]! * t * t]));
      const Y = Matrix.columnVector(y.map((v, i) => v * W[i]!));
      const XtXinv = inverse(X.transpose().mmul(X));
      const beta = XtXinv.mmul(X.transpose()).mmul(Y).to1DArray();
      const resid = X.mmul(Matrix.columnVector(beta)).sub(Y).to1DArray();
      const s2 = absoluteSigma ? 1 : resid.reduce((s, v) => s + v * v, 0) / (12 - 3);
      for (let j = 0; j < 3; j++) {
        expect(r.popt[j]).toBeCloseTo(beta[j]!, 7);
        for (let l = 0; l < 3; l++) expect(r.pcov[j]![l]).toBeCloseTo(XtXinv.get(j, l) * s2, 7);
      }
    },
  );

  test.prop([fc.double({ min: 0.5, max: 1.5, noNaN: true })], { numRuns: 10 })('reports a solution on a bound in activeMask', (cap) => {
    const x = grid(20, 0, 3);
    const y = x.map((t) => expDecay(t, 2, 0.8));
    const r = curveFitSync(expDecay, x, y, { p0: [0.5 * cap, 0.5], bounds: [[0, 0], [cap, 5]] });
    expect(r.method).toBe('trf');
    expect(r.popt[0]).toBeCloseTo(cap, 8);
    expect(r.activeMask).toEqual([1, 0]);
    expect(r.report()).toMatch(/at upper bound/);
  });
});

describe('curveFit models', () => {
  it('passes one reused array of k values to a k-variable model', () => {
    const seen = new Set<unknown>();
    const x1 = grid(15, 0, 2);
    const x2 = grid(15, -1, 1).reverse();
    const y = x1.map((t, i) => 2 * t - 3 * x2[i]!);
    const r = curveFitSync((v: number[], a: number, b: number) => (seen.add(v), a * v[0]! + b * v[1]!), [x1, x2], y);
    expect(r.popt[0]).toBeCloseTo(2, 8);
    expect(r.popt[1]).toBeCloseTo(-3, 8);
    expect(seen.size).toBe(1);
    expect(r.predict([[1], [1]])[0]).toBeCloseTo(-1, 8);
  });

  it('uses a per-point jac as the analytic Jacobian (fewer evaluations, same answer)', () => {
    const x = grid(25, 0, 4);
    const y = x.map((t) => expDecay(t, 3, 0.6) + 0.01 * Math.sin(5 * t));
    const numeric = curveFitSync(expDecay, x, y, { method: 'trf' });
    const analytic = curveFitSync(expDecay, x, y, { method: 'trf', jac: (t: number, a: number, k: number) => [Math.exp(-k * t), -a * t * Math.exp(-k * t)] });
    expect(analytic.choices.jacobian.used).toBe('analytic');
    expect(analytic.popt[0]).toBeCloseTo(numeric.popt[0]!, 7);
    expect(analytic.perr[1]).toBeCloseTo(numeric.perr[1]!, 7);
  });

  it("accepts a FittableModel with p0 'auto' and its default bounds", () => {
    const model: FittableModel = {
      params: ['a', 'k'],
      variables: ['t'],
      createKernel: () => createClosureKernel({ f: expDecay, nParams: 2, nVariables: 1 }),
      estimateP0: (_x, y) => [y[0]!, 1],
      defaultBounds: [[0, 0], [100, 10]],
    };
    const x = grid(20, 0, 3);
    const r = curveFitSync(model, x, x.map((t) => expDecay(t, 4, 0.9)), { p0: 'auto' });
    expect(r.method).toBe('trf');
    expect(r.paramNames).toEqual(['a', 'k']);
    expect(r.popt[0]).toBeCloseTo(4, 7);
  });
});

describe('curveFit control flow', () => {
  const x = grid(30, 0, 3);
  const y = x.map((t) => expDecay(t, 2, 0.7) + 0.02 * Math.cos(9 * t));

  it("stops when onIteration returns false: status 'stopped', success false, the message says so", async () => {
    const r = await curveFit(expDecay, x, y, { method: 'trf', onIteration: (info) => info.iteration < 2 });
    expect(r.status).toBe('stopped');
    expect(r.statusCode).toBe(-2);
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/stop/i);
  });

  it('cancels through an AbortSignal between evaluations', async () => {
    const controller = new AbortController();
    let calls = 0;
    const f = (t: number, a: number, k: number) => {
      if (++calls === 200) controller.abort(new Error('enough'));
      return expDecay(t, a, k);
    };
    await expect(curveFit(f, x, y, { signal: controller.signal, method: 'trf' })).rejects.toThrow(AbortError);
    await expect(curveFit(expDecay, x, y, { signal: controller.signal })).rejects.toThrow(/aborted by its AbortSignal/);
    expect(() => curveFitSync(expDecay, x, y, { signal: controller.signal })).toThrow('curveFitSync: the fit was aborted by its AbortSignal');
  });

  it('passes a model error on with context and the original as cause', () => {
    const boom = new Error('boom');
    const error = (() => {
      try {
        curveFitSync((t: number, a: number) => { if (t > 1) throw boom; return a; }, x, y);
      } catch (e) {
        return e as ModelEvaluationError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ModelEvaluationError);
    expect(error!.message).toMatch(/curveFitSync: the model function threw at point 10 with params \[1\]: boom/);
    expect(error!.cause).toBe(boom);
  });

  it('rejects a model that is not finite at p0, naming the first bad point', () => {
    expect(() => curveFitSync((t: number, a: number) => Math.log(t - 1) * a, x, y)).toThrow(/residuals must be finite at p0 = \[1\], got -?(NaN|Infinity) at point 0 \(x = 0\)/);
  });

  it('logs only when verbose, through the log option', () => {
    const lines: string[] = [];
    curveFitSync(expDecay, x, y, { log: (l) => lines.push(l) });
    expect(lines).toEqual([]);
    curveFitSync(expDecay, x, y, { method: 'trf', verbose: 2, log: (l) => lines.push(l) });
    expect(lines.some((l) => /iteration 1/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/curveFitSync: .*nfev/);
  });

  it('refuses an asynchronous backend in curveFitSync', () => {
    const cpu = createCpuBackend();
    const asyncBackend: Backend = { ...cpu, info: { ...cpu.info, name: 'fake-async', synchronous: false } };
    const error = (() => { try { curveFitSync(expDecay, x, y, { backend: asyncBackend }); } catch (e) { return e as NlsqError; } return null; })();
    expect(error).toBeInstanceOf(NlsqError);
    expect(error?.message).toMatch(/^curveFitSync: .*fake-async/);
    expect(error?.message).toMatch(/asynchronous/);
  });

  it('returns success false with the numbers when maxNfev is reached', () => {
    const r = curveFitSync(expDecay, x, y, { method: 'trf', maxNfev: 2 });
    expect(r.status).toBe('max-nfev');
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/2/);
  });

  it("warns (an entry) and fills pcov with +∞ when m = p, as SciPy's OptimizeWarning", () => {
    const r = curveFitSync((t: number, a: number, b: number) => a + b * t, [0, 1], [1, 3], { method: 'trf' });
    expect(r.pcov.flat().every((v) => v === Infinity)).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain('covariance-not-estimated');
  });
});

describe('curveFit statistics and bands', () => {
  const x = grid(10, 0, 9);
  const y = [0.8, 3.1, 4.9, 7.2, 8.8, 11.1, 13.2, 14.8, 17.1, 19.0];
  const r = curveFitSync((t: number, a: number, b: number) => a + b * t, x, y);

  it('computes R², RMSE, MAE, χ², AIC and BIC from the residuals', () => {
    const yhat = x.map((t) => r.popt[0]! + r.popt[1]! * t);
    const rss = y.reduce((s, v, i) => s + (v - yhat[i]!) ** 2, 0);
    const mean = y.reduce((a, b) => a + b) / 10;
    const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
    expect(r.dof).toBe(8);
    expect(r.rss).toBeCloseTo(rss, 12);
    expect(r.chiSquare).toBeCloseTo(rss, 12);
    expect(r.rSquared).toBeCloseTo(1 - rss / tss, 12);
    expect(r.adjRSquared).toBeCloseTo(1 - ((rss / tss) * 9) / 8, 12);
    expect(r.rmse).toBeCloseTo(Math.sqrt(rss / 10), 12);
    expect(r.mae).toBeCloseTo(y.reduce((s, v, i) => s + Math.abs(v - yhat[i]!), 0) / 10, 12);
    expect(r.aic).toBeCloseTo(10 * Math.log(rss / 10) + 4, 10);
    expect(r.bic).toBeCloseTo(10 * Math.log(rss / 10) + 2 * Math.log(10), 10);
    expect(r.fun).toHaveLength(10);
  });

  it('builds params on first read, from the solution: one frozen object, equal to popt, perr and the correlations of pcov', () => {
    const fresh = curveFitSync((t: number, a: number, b: number) => a + b * t, x, y);
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(fresh), 'params')?.get).toBeTypeOf('function');
    const params = fresh.params;
    expect(fresh.params).toBe(params);
    expect(Object.isFrozen(params)).toBe(true);
    expect(Object.keys(params)).toEqual(['p0', 'p1']);
    const fitted = fresh.popt[0];
    fresh.popt[0] = 99; // the result's own arrays are the caller's to change: params keeps the fit's values
    expect(params['p0']!.value).toBe(fitted);
    expect(params['p1']!.stderr).toBe(fresh.perr[1]);
    expect(params['p0']!.correl['p1']).toBeCloseTo(fresh.pcov[0]![1]! / (fresh.perr[0]! * fresh.perr[1]!), 14);
    const late = curveFitSync((t: number, a: number, b: number) => a + b * t, x, y);
    const lateFitted = late.popt[0];
    late.popt[0] = 99; // read only after the change
    expect(late.params['p0']!.value).toBe(lateFitted);
    const json = JSON.parse(JSON.stringify(fresh)) as { params: Record<string, { value: number; stderr: number }>; perr: number[] };
    expect(json.params['p1']!.stderr).toBe(fresh.perr[1]); // JSON keeps params (toJSON), as when it was a field
    expect(json.perr).toEqual(fresh.perr);
  });

  it('gives Student-t confidence intervals popt ± t·perr', () => {
    const ci = r.confidenceIntervals(0.9);
    const t = studentTQuantile(0.95, 8);
    expect(ci.t).toBeCloseTo(t, 12);
    expect(ci.lower[1]).toBeCloseTo(r.popt[1]! - t * r.perr[1]!, 12);
  });

  it('gives the closed-form confidence and prediction bands of a straight line', () => {
    const x0 = 4.2;
    const s2 = r.rss / 8;
    const mean = x.reduce((a, b) => a + b) / 10;
    const sxx = x.reduce((s, v) => s + (v - mean) ** 2, 0);
    const se = Math.sqrt(s2 * (1 / 10 + (x0 - mean) ** 2 / sxx));
    const t = studentTQuantile(0.975, 8);
    const band = r.confidenceBand([x0]);
    expect(band.stderr[0]! / se).toBeCloseTo(1, 6);
    expect((band.upper[0]! - band.yhat[0]!) / band.stderr[0]!).toBeCloseTo(t, 12);
    const pred = r.predictionBand([x0]);
    expect(pred.stderr[0]! / Math.sqrt(se * se + s2)).toBeCloseTo(1, 7);
    const withSigma = r.predictionBand(x0, 0.95, 0.5);
    expect(withSigma.stderr[0]! / Math.sqrt(se * se + 0.25 * r.reducedChiSquare)).toBeCloseTo(1, 7);
  });

  it('reports briefly and in full with given / used / reason', () => {
    expect(r.report()).toMatch(/^curveFitSync: success/);
    const full = r.report({ full: true });
    for (const word of ['backend', 'strategy', 'method', 'blockSize', 'precision', 'cpu', 'standard', 'lm']) expect(full).toContain(word);
    expect(r.backend).toBe('cpu');
    expect(r.strategy).toBe('standard');
  });
});

describe('curveFit data layouts agree', () => {
  const x = grid(40, 0, 4);
  const y = x.map((t, i) => expDecay(t, 2, 0.7) + 0.03 * Math.sin(3 * i));
  const sigma = x.map((_, i) => 0.02 + 0.01 * (i % 3));

  it('gives the same fit in blocks of 7 rows as in one block (the fold is exact up to rounding)', () => {
    const one = curveFitSync(expDecay, x, y, { sigma, method: 'trf' });
    const blocks = curveFitSync(expDecay, x, y, { sigma, method: 'trf', blockRows: 7 });
    expect(blocks.nfev).toBe(one.nfev);
    one.popt.forEach((v, j) => expect(blocks.popt[j]).toBeCloseTo(v, 9));
    one.perr.forEach((v, j) => expect(blocks.perr[j]! / v).toBeCloseTo(1, 7));
  });

  it('a diagonal covariance sigma equals the 1-D sigma of its square roots (dense path), with or without jac', () => {
    const C = x.map((_, i) => x.map((__, j) => (i === j ? sigma[i]! ** 2 : 0)));
    const diag = curveFitSync(expDecay, x, y, { sigma, method: 'trf' });
    const dense = curveFitSync(expDecay, x, y, { sigma: C, method: 'trf' });
    const denseJac = curveFitSync(expDecay, x, y, { sigma: C, method: 'trf', jac: (t: number, a: number, k: number) => [Math.exp(-k * t), -a * t * Math.exp(-k * t)] });
    expect(dense.choices.blockSize.reason).toMatch(/covariance/);
    diag.popt.forEach((v, j) => {
      expect(dense.popt[j]).toBeCloseTo(v, 9);
      expect(denseJac.popt[j]).toBeCloseTo(v, 7);
      expect(dense.perr[j]! / diag.perr[j]!).toBeCloseTo(1, 7);
    });
    expect(dense.chiSquare).toBeCloseTo(diag.chiSquare, 9);
  });
});

describe('curveFit per-point jac validation', () => {
  it('rejects a jac that returns fewer values than parameters', () => {
    const x = grid(10, 0, 1);
    expect(() => curveFitSync(expDecay, x, x, { jac: () => [1] })).toThrow('curveFitSync: jac must return 2 values per point (one per parameter), got an array of length 1 at point 0');
    expect(() => curveFitSync(expDecay, x, x, { jac: () => [1, 2, 3] })).toThrow('curveFitSync: jac must return 2 values per point (one per parameter), got an array of length 3 at point 0');
  });
});

describe('curveFit verbose output', () => {
  it('goes to globalThis.console.log only when verbose is set and no log is given', async () => {
    const { vi } = await import('vitest');
    const spy = vi.spyOn(globalThis.console, 'log').mockImplementation(() => {});
    try {
      const x = grid(10, 0, 1);
      curveFitSync((t: number, a: number) => a * t, x, x);
      expect(spy).not.toHaveBeenCalled();
      curveFitSync((t: number, a: number) => a * t, x, x, { verbose: 1 });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]![0])).toMatch(/^curveFitSync: /);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("curveFit nanPolicy 'omit'", () => {
  it('fits the remaining points and says how many were dropped', () => {
    const x = grid(12, 0, 2);
    const y = x.map((t) => 3 * t + 1);
    y[4] = NaN;
    const xs = [...x];
    xs[7] = Infinity;
    const r = curveFitSync((t: number, a: number, b: number) => a * t + b, xs, y, { nanPolicy: 'omit' });
    expect(r.n).toBe(10);
    expect(r.popt[0]).toBeCloseTo(3, 10);
    expect(r.warnings.find((w) => w.code === 'points-omitted')?.message).toMatch(/dropped 2 point/);
  });
});

describe('curveFit result errors', () => {
  it('names the method when confidence intervals are asked with a bad level or no degrees of freedom', () => {
    const r = curveFitSync((t: number, a: number, b: number) => a + b * t, [0, 1], [1, 3], { method: 'trf' });
    expect(() => r.confidenceIntervals()).toThrow(/curveFitSync.confidenceIntervals: intervals need dof = n − p > 0, got 0/);
    const s = curveFitSync((t: number, a: number, b: number) => a + b * t, [0, 1, 2], [1, 3, 4]);
    expect(() => s.confidenceIntervals(95)).toThrow(/curveFitSync.confidenceIntervals: level must be in \(0, 1\), got 95/);
  });
});
