import { describe, expect, it } from 'vitest';
import { NlsqError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { resolveLeastSquaresOptions } from '../../src/options/resolve-least-squares.ts';
import type { LeastSquaresOptions } from '../../src/options/types.ts';

const fun = (x: Float64Array): number[] => [x[0]! - 1, 10 * (x[1]! - x[0]! ** 2)];
const resolve = (options: LeastSquaresOptions = {}, x0: unknown = [-1.2, 1], f: unknown = fun) => resolveLeastSquaresOptions('leastSquares', f, x0, options);

function thrown(fn: () => unknown): NlsqError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NlsqError);
    return error as NlsqError;
  }
  throw new Error('expected a throw');
}

describe('resolveLeastSquaresOptions: defaults (SciPy least_squares)', () => {
  it("uses 'trf', tolerances 1e-8, max_nfev 100·p, x_scale 1 and '2-point' differences", () => {
    const r = resolve();
    expect(r.p).toBe(2);
    expect(r.settings.solver.method).toBe('trf');
    expect(r.settings.methodChoice).toMatchObject({ given: 'default', used: 'trf' });
    expect([r.settings.solver.ftol, r.settings.solver.xtol, r.settings.solver.gtol]).toEqual([1e-8, 1e-8, 1e-8]);
    expect(r.settings.solver.maxNfev).toBe(200);
    expect(r.settings.solver.xScale).toEqual(Float64Array.of(1, 1));
    expect(r.settings.scheme.kind).toBe('2-point');
    expect(r.settings.lossName).toBe('linear');
    expect(r.jac).toBeUndefined();
    expect(r.verbose).toBe(0);
    expect([...r.settings.solver.lb]).toEqual([-Infinity, -Infinity]);
  });

  it('takes a scalar x0 as one parameter, and keeps an x0 inside the bounds as given', () => {
    expect(resolve({}, 3).p).toBe(1);
    const r = resolve({ bounds: [[-2, 0], [0, 2]] });
    expect([...r.settings.solver.x0]).toEqual([-1.2, 1]);
  });

  it('keeps a Jacobian function and marks the scheme analytic', () => {
    const jac = (x: Float64Array): number[][] => [[1, 0], [-20 * x[0]!, 10]];
    const r = resolve({ jac });
    expect(r.jac).toBe(jac);
    expect(r.settings.scheme.kind).toBe('analytic');
    expect(resolve({ jac: '3-point' }).settings.scheme.kind).toBe('3-point');
  });

  it('warns (as SciPy does) when a tolerance is below machine epsilon but another is not', () => {
    const r = resolve({ ftol: 0 });
    expect(r.settings.warnings.map((w) => w.code)).toContain('tolerance-below-eps');
  });

  it('passes the backend, signal and callback through unchanged', () => {
    const signal = new AbortController().signal;
    const onIteration = (): void => {};
    const r = resolve({ backend: 'cpu', signal, onIteration });
    expect([r.backend, r.signal, r.onIteration]).toEqual(['cpu', signal, onIteration]);
  });
});

describe('resolveLeastSquaresOptions: SciPy’s refusals, naming the argument', () => {
  it('x0 outside the bounds is infeasible', () => {
    const e = thrown(() => resolve({ bounds: [[0, 0], [2, 2]] }));
    expect(e).toBeInstanceOf(NlsqRangeError);
    expect([e.argument, e.code]).toEqual(['x0', 'ERR_INFEASIBLE']);
    expect(e.message).toMatch(/^leastSquares: x0 is infeasible: x0\[0\] = -1.2 is outside the bounds \[0, 2\]/);
  });

  it("'lm' refuses bounds, a robust loss, and tolerances below machine epsilon", () => {
    expect(thrown(() => resolve({ method: 'lm', bounds: [[-5, -5], [5, 5]] })).argument).toBe('method');
    expect(thrown(() => resolve({ method: 'lm', loss: 'huber' })).argument).toBe('loss');
    expect(thrown(() => resolve({ method: 'lm', gtol: 0 })).message).toMatch(/all tolerances must be ≥ machine epsilon/);
  });

  it('every tolerance below machine epsilon is refused for trf', () => {
    const e = thrown(() => resolve({ ftol: 0, xtol: 0, gtol: 0 }));
    expect(e.argument).toBe('ftol');
    expect(e.message).toMatch(/at least one of ftol, xtol, gtol must be ≥ machine epsilon/);
  });

  it('rejects a non-function fun, a non-finite x0, a bad jac, a bad onIteration, unknown keys and non-object options', () => {
    expect(thrown(() => resolve({}, [0, 0], 42))).toBeInstanceOf(NlsqTypeError);
    expect(thrown(() => resolve({}, [0, 0], 42)).argument).toBe('fun');
    expect(thrown(() => resolve({}, [0, NaN])).argument).toBe('x0');
    expect(thrown(() => resolve({ jac: 'cs' as never })).message).toMatch(/^leastSquares: jac must be one of '2-point', '3-point' or a function, got/);
    expect(thrown(() => resolve({ onIteration: 1 as never })).argument).toBe('onIteration');
    expect(thrown(() => resolve({ max_nfev: 10 } as never)).message).toMatch(/unknown option 'max_nfev'.*maxNfev/);
    expect(thrown(() => resolveLeastSquaresOptions('leastSquares', fun, [0, 0], 3 as never)).argument).toBe('options');
  });

  it('rejects an xScale that is not positive and finite', () => {
    expect(thrown(() => resolve({ xScale: [1, -1] })).argument).toBe('xScale');
  });
});
