import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { AbortError, ModelEvaluationError, NlsqRangeError } from '../../src/errors.ts';
import { createCurveFitProblem } from '../../src/evaluate/curve-fit-problem.ts';
import { model } from '../../src/model/model.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';
import type { CurveFitOptions } from '../../src/options/types.ts';
import { checkInitialResiduals, explainStart, solve, solveCurveFit, solveCurveFitSync, solveSync } from '../../src/run/solve.ts';

const backend = createCpuBackend();
const n = 60;
const x = Float64Array.from({ length: n }, (_, i) => i / 10);
const y = Float64Array.from(x, (t, i) => 2 * Math.exp(-0.7 * t) + 0.3 + 0.01 * Math.sin(13 * i));
const seed = model('a*exp(-b*x) + c');
const controls = { caller: 'curveFit' };

function setUp(f: Parameters<typeof resolveCurveFitOptions>[1], options: CurveFitOptions, xd: unknown = x) {
  const resolved = resolveCurveFitOptions('curveFit', f, xd, y, options);
  return { resolved, problem: createCurveFitProblem(resolved, backend) };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('checkInitialResiduals: the start check', () => {
  it('returns the weighted residual vector at p0 when it is finite', () => {
    const sigma = Float64Array.from(x, (_, i) => 1 + (i % 2));
    const { resolved, problem } = setUp(seed, { p0: [1, 1, 0], sigma });
    const r = checkInitialResiduals(resolved, problem);
    r.forEach((v, i) => expect(v).toBeCloseTo((Math.exp(-x[i]!) - y[i]!) / sigma[i]!, 14));
  });

  it('names the first point where the model is not finite, with its x (SciPy says only "not finite")', () => {
    const { resolved, problem } = setUp((t: number, a: number) => Math.sqrt(a - t), { p0: [2.5] });
    const error = caught(() => checkInitialResiduals(resolved, problem)) as ModelEvaluationError;
    expect(error).toBeInstanceOf(ModelEvaluationError);
    expect(error.argument).toBe('p0');
    expect(error.message).toBe('curveFit: the residuals must be finite at p0 = [2.5], got NaN at point 26 (x = 2.6)');
  });

  it('writes x as a tuple for k variables, and names the residual after L⁻¹ for a covariance sigma', () => {
    const x2 = [x, Float64Array.from(x, (t) => t - 3)];
    const two = setUp((v: number[], a: number) => Math.log(a + v[1]!), { p0: [1] }, x2);
    expect((caught(() => checkInitialResiduals(two.resolved, two.problem)) as Error).message).toMatch(/got NaN at point 0 \(x = \[0, -3\]\)$/);
    const covariance = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    const dense = setUp((t: number, a: number) => (t > 5 ? Infinity : a), { p0: [1], sigma: covariance });
    expect((caught(() => checkInitialResiduals(dense.resolved, dense.problem)) as Error).message).toMatch(/got -?Infinity at residual 51 \(after L⁻¹ of the covariance sigma\)$/);
  });

  it('checks that a per-point Jacobian returns p finite values', () => {
    const { resolved, problem } = setUp((t: number, a: number, b: number) => a * t + b, { p0: [1, 1], jac: () => [1, NaN] });
    const error = caught(() => checkInitialResiduals(resolved, problem)) as NlsqRangeError;
    expect(error).toBeInstanceOf(NlsqRangeError);
    expect(error.argument).toBe('jac');
    expect(error.message).toBe('curveFit: jac must return 2 finite values per point (one per parameter), got NaN for parameter 1 at point 0 and p0');
  });
});

describe('checkInitialResiduals: non-finite data let through by checkFinite: false (issue 21)', () => {
  const hint = "checkFinite: false lets non-finite data through; remove the point or pass nanPolicy: 'omit' to drop it";

  it('blames ydata, not p0, for a NaN or ±Infinity in y, with its index', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const yBad = Float64Array.from(y);
      yBad[7] = bad;
      const resolved = resolveCurveFitOptions('curveFit', seed, x, yBad, { p0: [1, 1, 0], checkFinite: false });
      const error = caught(() => checkInitialResiduals(resolved, createCurveFitProblem(resolved, backend))) as NlsqRangeError;
      expect(error).toBeInstanceOf(NlsqRangeError);
      expect(error.argument).toBe('ydata');
      expect(error.code).toBe('ERR_NON_FINITE');
      expect(error.message).toBe(`curveFit: ydata has ${bad} at index 7, so the residuals cannot be finite; ${hint}`);
    }
  });

  it('blames xdata for a NaN in x', () => {
    const xBad = Float64Array.from(x);
    xBad[3] = NaN;
    const resolved = resolveCurveFitOptions('curveFit', seed, xBad, y, { p0: [1, 1, 0], checkFinite: false });
    const error = caught(() => checkInitialResiduals(resolved, createCurveFitProblem(resolved, backend))) as NlsqRangeError;
    expect(error.argument).toBe('xdata');
    expect(error.message).toBe(`curveFit: xdata has NaN at index 3, so the residuals cannot be finite; ${hint}`);
  });

  it('still blames p0 where y is finite and the model is not', () => {
    const yBad = Float64Array.from(y);
    yBad[40] = NaN;
    const resolved = resolveCurveFitOptions('curveFit', (t: number, a: number) => Math.sqrt(a - t), x, yBad, { p0: [2.5], checkFinite: false });
    const error = caught(() => checkInitialResiduals(resolved, createCurveFitProblem(resolved, backend))) as Error;
    expect(error).toBeInstanceOf(ModelEvaluationError);
    expect(error.message).toMatch(/at point 26 \(x = 2.6\)$/);
  });

  it('with a 2-D sigma (residuals mix all points) names the first non-finite y', () => {
    const yBad = Float64Array.from(y);
    yBad[11] = NaN;
    const sigma = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    const resolved = resolveCurveFitOptions('curveFit', seed, x, yBad, { p0: [1, 1, 0], checkFinite: false, sigma });
    const error = caught(() => checkInitialResiduals(resolved, createCurveFitProblem(resolved, backend))) as NlsqRangeError;
    expect(error.argument).toBe('ydata');
    expect(error.message).toBe(`curveFit: ydata has NaN at index 11, so the residuals cannot be finite; ${hint}`);
  });

  it('is what curveFit and curveFitSync report (through explainStart)', async () => {
    const yBad = Float64Array.from(y);
    yBad[2] = NaN;
    const resolved = resolveCurveFitOptions('curveFit', seed, x, yBad, { p0: [1, 1, 0], checkFinite: false });
    const problem = createCurveFitProblem(resolved, backend);
    await expect(solveCurveFit(resolved, problem, controls)).rejects.toThrow(`curveFit: ydata has NaN at index 2, so the residuals cannot be finite; ${hint}`);
    expect(() => solveCurveFitSync(resolved, problem, controls)).toThrow(`curveFit: ydata has NaN at index 2`);
  });

  it('through the public API, in-memory and chunked', async () => {
    const { curveFit, curveFitSync, fit } = await import('../../src/index.ts');
    const yBad = Array.from(y);
    yBad[5] = NaN;
    const expected = (caller: string) => `${caller}: ydata has NaN at index 5, so the residuals cannot be finite; ${hint}`;
    await expect(curveFit(seed, x, yBad, { p0: [1, 1, 0], checkFinite: false })).rejects.toThrow(expected('curveFit'));
    expect(() => curveFitSync((t: number, a: number, b: number) => a * t + b, x, yBad, { p0: [1, 1], checkFinite: false })).toThrow(expected('curveFitSync'));
    await expect(fit(seed, x, yBad, { p0: [1, 1, 0], checkFinite: false, workflow: 'chunked', chunkSize: 16 })).rejects.toThrow(expected('fit'));
  });
});

describe('explainStart', () => {
  it('replaces a ModelEvaluationError by the start check’s message when p0 itself is not finite', () => {
    const { resolved, problem } = setUp((t: number, a: number) => Math.sqrt(a - t), { p0: [2.5] });
    const explained = explainStart(resolved, problem, new ModelEvaluationError('solver: residuals are not finite', 'p0')) as Error;
    expect(explained.message).toMatch(/at point 26 \(x = 2.6\)$/);
  });

  it('returns any other error, and a ModelEvaluationError past a finite start, unchanged', () => {
    const { resolved, problem } = setUp(seed, { p0: [1, 1, 0] });
    const later = new ModelEvaluationError('curveFit: the model threw at iteration 4', 'f');
    const other = new RangeError('unrelated');
    expect(explainStart(resolved, problem, later)).toBe(later);
    expect(explainStart(resolved, problem, other)).toBe(other);
  });

  it('is what solveCurveFit and solveCurveFitSync throw for a bad start', async () => {
    const { resolved, problem } = setUp((t: number, a: number) => Math.sqrt(a - t), { p0: [2.5] });
    await expect(solveCurveFit(resolved, problem, controls)).rejects.toThrow(/at point 26 \(x = 2.6\)$/);
    expect(() => solveCurveFitSync(resolved, problem, controls)).toThrow(/at point 26 \(x = 2.6\)$/);
  });
});

describe('solve and solveSync', () => {
  for (const method of ['trf', 'dogbox', 'lm'] as const) {
    it(`give the same outcome, bit for bit (${method})`, async () => {
      const { resolved, problem } = setUp(seed, { p0: [1, 1, 0], method });
      const a = await solve(problem, resolved.settings.solver, controls);
      const s = solveSync(problem, resolved.settings.solver, controls);
      expect([...s.x]).toEqual([...a.x]);
      expect([s.cost, s.nfev, s.njev, s.nit, s.status]).toEqual([a.cost, a.nfev, a.njev, a.nit, a.status]);
      const c = await solveCurveFit(resolved, problem, controls);
      expect([...solveCurveFitSync(resolved, problem, controls).x]).toEqual([...c.x]);
      expect([...c.x]).toEqual([...a.x]);
    });
  }

  it('report each iteration, and stop when the callback returns false', async () => {
    const { resolved, problem } = setUp(seed, { p0: [1, 1, 0], method: 'trf' });
    const seen: number[] = [];
    const stopAt2 = { caller: 'curveFit', onIteration: (info: { iteration: number }) => (seen.push(info.iteration), info.iteration < 2) };
    const a = await solve(problem, resolved.settings.solver, stopAt2);
    const s = solveSync(problem, resolved.settings.solver, stopAt2);
    expect(seen).toEqual([1, 2, 1, 2]);
    expect(a.nit).toBe(2);
    expect([...s.x]).toEqual([...a.x]);
  });

  it('refuse to start on an already aborted signal', async () => {
    const { resolved, problem } = setUp(seed, { p0: [1, 1, 0] });
    const aborted = { caller: 'curveFit', signal: AbortSignal.abort('stop') };
    await expect(solve(problem, resolved.settings.solver, aborted)).rejects.toBeInstanceOf(AbortError);
    const error = caught(() => solveSync(problem, resolved.settings.solver, aborted)) as AbortError;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('curveFit: the fit was aborted by its AbortSignal');
  });
});
