import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { checkSolverOptions, defaultMaxNfev } from '../../src/optim/solver-options.ts';

describe('defaultMaxNfev', () => {
  it('is 100·p for every least_squares method, finite differences or not (SciPy ≥ 1.16)', () => {
    for (const m of ['trf', 'dogbox', 'lm'] as const) {
      expect(defaultMaxNfev(m, 3, true)).toBe(300);
      expect(defaultMaxNfev(m, 3, false)).toBe(300);
    }
  });

  it('follows leastsq for curve_fit with lm: 200·(p+1) with differences, 100·(p+1) with a Jacobian', () => {
    expect(defaultMaxNfev('lm', 3, true, 'leastsq')).toBe(800);
    expect(defaultMaxNfev('lm', 3, false, 'leastsq')).toBe(400);
    expect(defaultMaxNfev('trf', 3, true, 'leastsq')).toBe(300);
  });
});

describe('checkSolverOptions', () => {
  const base = {
    method: 'trf' as const,
    x0: Float64Array.from([1, 2]),
    lb: Float64Array.from([-Infinity, 0]),
    ub: Float64Array.from([Infinity, 5]),
    ftol: 1e-8,
    xtol: 1e-8,
    gtol: 1e-8,
    maxNfev: 200,
    xScale: Float64Array.from([1, 1]),
    jacobianCostsNfev: 0,
    caller: 'curveFit',
  };

  it('accepts SciPy-valid options', () => {
    expect(() => checkSolverOptions(base)).not.toThrow();
    expect(() => checkSolverOptions({ ...base, method: 'lm', lb: Float64Array.from([-Infinity, -Infinity]), ub: Float64Array.from([Infinity, Infinity]), gtol: 0 }, 'leastsq')).not.toThrow();
  });

  it('names the argument, the expectation and the value', () => {
    const cases: [Partial<typeof base> & Record<string, unknown>, RegExp, string][] = [
      [{ x0: Float64Array.from([1, 6]) }, /^curveFit: the initial guess must lie within the bounds, got p0\[1\] = 6 outside \[0, 5\]$/, 'p0'],
      [{ lb: Float64Array.from([0, 5]) }, /lb\[1\] = 5 ≥ ub\[1\] = 5/, 'bounds'],
      [{ lb: Float64Array.from([0]) }, /lower bounds must have length 2 \(one per parameter\), got 1/, 'bounds'],
      [{ method: 'lm' as never }, /method 'lm' does not support bounds/, 'bounds'],
      [{ ftol: 0, xtol: 0, gtol: 1e-17 }, /at least one of ftol, xtol, gtol must be at least machine epsilon/, 'ftol'],
      [{ maxNfev: 0 }, /maxNfev must be a positive integer, got 0/, 'maxNfev'],
      [{ xScale: Float64Array.from([1, -1]) }, /xScale must be 'jac' or positive finite numbers, got 1, -1/, 'xScale'],
      [{ xtol: -1 }, /xtol must be a finite number ≥ 0, got -1/, 'xtol'],
    ];
    for (const [patch, message, argument] of cases) {
      let error: unknown;
      try {
        checkSolverOptions({ ...base, ...patch } as typeof base);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NlsqRangeError);
      expect((error as NlsqRangeError).message).toMatch(message);
      expect((error as NlsqRangeError).argument).toBe(argument);
    }
  });

  it("requires every tolerance ≥ ε for least_squares' lm but not for leastsq", () => {
    const lmOpts = { ...base, method: 'lm' as const, lb: Float64Array.from([-Infinity, -Infinity]), ub: Float64Array.from([Infinity, Infinity]), gtol: 0 };
    expect(() => checkSolverOptions(lmOpts)).toThrow(/all tolerances must be at least machine epsilon \(2\.2e-16\) for method 'lm'/);
    expect(() => checkSolverOptions(lmOpts, 'leastsq')).not.toThrow();
  });
});
