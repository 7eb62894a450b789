import { describe, expect, it } from 'vitest';
import { NlsqError } from '../../src/errors.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';
import type { CurveFitOptions } from '../../src/options/types.ts';

const f = (x: number, a: number, b: number) => a * x + b;
const x = [0, 1, 2, 3, 4];
const y = [1, 3, 5, 7, 9];
const resolve = (options: CurveFitOptions = {}, xd: unknown = x, yd: unknown = y, model: unknown = f) =>
  resolveCurveFitOptions('curveFit', model, xd, yd, options);

function thrown(fn: () => unknown): NlsqError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NlsqError);
    return error as NlsqError;
  }
  throw new Error('expected a throw');
}

describe('resolveCurveFitOptions: defaults (SciPy curve_fit)', () => {
  it('counts parameters from f.length − 1, starts at ones and picks lm without bounds', () => {
    const r = resolve();
    expect(r.p).toBe(2);
    expect([...r.settings.solver.x0]).toEqual([1, 1]);
    expect(r.settings.solver.method).toBe('lm');
    expect(r.settings.methodChoice.reason).toMatch(/no bounds/);
    // leastsq defaults on the lm path
    expect(r.settings.solver.ftol).toBe(1.49012e-8);
    expect(r.settings.solver.gtol).toBe(0);
    expect(r.settings.solver.maxNfev).toBe(600); // 200·(p+1), lmdif
    expect(r.settings.scheme.kind).toBe('minpack');
  });

  it("picks trf with bounds and starts inside them (SciPy's _initialize_feasible)", () => {
    const r = resolve({ bounds: [[0, -Infinity], [4, 10]] });
    expect(r.settings.solver.method).toBe('trf');
    expect([...r.settings.solver.x0]).toEqual([2, 9]);
    expect(r.settings.solver.maxNfev).toBe(200); // least_squares: 100·p
    expect(r.settings.solver.xScale).toEqual(Float64Array.of(1, 1));
  });

  it('turns a 1-D sigma into weights 1/σ and a scalar sigma into a constant', () => {
    expect([...resolve({ sigma: [1, 2, 4, 5, 10] }).data.w!]).toEqual([1, 0.5, 0.25, 0.2, 0.1]);
    expect([...resolve({ sigma: 2 }).data.w!]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('factors a 2-D sigma by Cholesky', () => {
    const C = [[4, 2, 0, 0, 0], [2, 5, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]];
    const r = resolve({ sigma: C });
    expect(r.sigma.kind).toBe('2d');
    if (r.sigma.kind === '2d') expect([...r.sigma.L.subarray(0, 7)]).toEqual([2, 0, 0, 0, 0, 1, 2]);
  });

  it("drops non-finite points with nanPolicy 'omit' (and their sigma) and reports how many", () => {
    const r = resolve({ nanPolicy: 'omit', sigma: [1, 2, 3, 4, 5] }, [0, NaN, 2, 3, 4], [1, 3, Infinity, 7, 9]);
    expect(r.n).toBe(3);
    expect(r.omitted).toBe(2);
    expect([...r.data.x[0]!]).toEqual([0, 3, 4]);
    expect([...r.data.w!]).toEqual([1, 0.25, 0.2]);
  });

  it('accepts k arrays of x for a k-variable model', () => {
    const r = resolve({}, [x, x.map((v) => v * 2)], y, (v: number[], a: number) => a * v[0]!);
    expect(r.k).toBe(2);
    expect(r.p).toBe(1);
  });
});

describe('resolveCurveFitOptions: bad input is a clear error naming the argument', () => {
  const cases: [string, () => unknown, RegExp, string][] = [
    ['length mismatch of x and y', () => resolve({}, [0, 1, 2], y), /curveFit: xdata must have length 5 \(one per ydata value\), got 3/, 'xdata'],
    ['length mismatch of one of k x rows', () => resolve({}, [x, [1, 2]], y, (v: number[], a: number) => a * v[0]!), /xdata\[1\] must have length 5/, 'xdata[1]'],
    ['NaN in ydata', () => resolve({}, x, [1, 2, NaN, 4, 5]), /ydata must be finite, got NaN at index 2/, 'ydata'],
    ['Infinity in xdata', () => resolve({}, [0, 1, 2, Infinity, 4]), /xdata must be finite, got Infinity at index 3/, 'xdata'],
    ["nanPolicy 'propagate'", () => resolve({ nanPolicy: 'propagate' as never }), /nanPolicy must be one of 'raise', 'omit', got "propagate" \('propagate' is not supported/, 'nanPolicy'],
    ['NaN with checkFinite false and nanPolicy raise', () => resolve({ checkFinite: false, nanPolicy: 'raise' }, x, [1, NaN, 3, 4, 5]), /ydata must be finite, got NaN at index 1/, 'ydata'],
    ['p0 of the wrong length', () => resolve({ p0: [1, 2, 3], jac: '2-point' }, x, y, (v: number, a: number, b: number) => a * v + b), /p0 must have length 2 \(one per parameter of f, whose f.length is 3\), got 3/, 'p0'],
    ['lb ≥ ub', () => resolve({ bounds: [[0, 5], [1, 5]] }), /lower bound must be strictly less than its upper bound, got lb\[1\] = 5 ≥ ub\[1\] = 5/, 'bounds'],
    ['p0 outside the bounds', () => resolve({ p0: [5, 1], bounds: [0, 2] }), /p0 is infeasible: p0\[0\] = 5 is outside the bounds \[0, 2\]/, 'p0'],
    ['bounds of the wrong length', () => resolve({ bounds: [[0, 0, 0], 1] }), /bounds\[0\] \(lower\) must have length 2 \(one per parameter\), got 3/, 'bounds[0] (lower)'],
    ['sigma ≤ 0', () => resolve({ sigma: [1, 1, 0, 1, 1] }), /sigma must be positive and finite, got 0 at index 2/, 'sigma'],
    ['sigma of the wrong length', () => resolve({ sigma: [1, 1, 1, 1] }), /sigma must have length 5 \(one per ydata value\), got 4/, 'sigma'],
    ['a covariance that is not positive definite', () => resolve({ sigma: [[1, 2, 0, 0, 0], [2, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]] }), /must be positive definite; the Cholesky factorization failed at row 1/, 'sigma'],
    ['fewer points than parameters with lm', () => resolve({ p0: [1, 1, 1], method: 'lm' }, [0, 1], [1, 2], (v: number, a: number, b: number, c: number) => a + b * v + c), /improper input: method 'lm' needs at least as many points as parameters, got 2 points \(m\) < 3 parameters \(n\)/, 'ydata'],
    ['an unknown method', () => resolve({ method: 'newton' as never }), /method must be one of 'trf', 'dogbox', 'lm', got "newton"/, 'method'],
    ['an unknown loss', () => resolve({ loss: 'l2' as never, method: 'trf' }), /loss must be one of linear, soft_l1, huber, cauchy, arctan or a function, got "l2"/, 'loss'],
    ['an unknown jac string', () => resolve({ jac: 'cs' as never }), /jac must be one of '2-point', '3-point' or a function, got "cs"/, 'jac'],
    ['lm with bounds', () => resolve({ method: 'lm', bounds: [0, 10] }), /method 'lm' only works for unconstrained problems/, 'method'],
    ['lm with a robust loss', () => resolve({ loss: 'huber' }), /method 'lm' supports only the 'linear' loss/, 'loss'],
    ['a rest-parameter model without p0', () => resolve({}, x, y, (v: number, ...p: number[]) => p[0]! * v), /cannot determine the number of parameters: f.length is 1/, 'p0'],
    ['an unknown option with its SciPy spelling', () => resolve({ maxfev: 10 } as never), /unknown option 'maxfev'; did you mean 'maxNfev'\?/, 'maxfev'],
    ['xScale not positive', () => resolve({ xScale: [1, -1], method: 'trf' }), /xScale must be 'jac' or positive finite numbers/, 'xScale'],
    ['maxNfev not a positive integer', () => resolve({ maxNfev: 0 }), /maxNfev must be ≥ 1, got 0/, 'maxNfev'],
    ['all tolerances below eps with trf', () => resolve({ method: 'trf', ftol: 0, xtol: 0, gtol: 0 }), /at least one of ftol, xtol, gtol must be ≥ machine epsilon/, 'ftol'],
    ['empty ydata', () => resolve({}, [], []), /ydata must not be empty/, 'ydata'],
    ['a model that is not a function', () => resolve({}, x, y, 42), /f must be a function f\(x, \.\.\.params\) or a model, got 42/, 'f'],
  ];
  it.each(cases)('%s', (_what, fn, message, argument) => {
    const error = thrown(fn);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('curveFit: ')).toBe(true);
    expect(error.argument).toBe(argument);
  });

  it('warns (an entry, not console) when a tolerance is below eps on the least_squares path', () => {
    const r = resolve({ method: 'trf', gtol: 0 });
    expect(r.settings.warnings.map((w) => w.code)).toEqual(['tolerance-below-eps']);
  });
});
