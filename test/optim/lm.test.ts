import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import type { IterationInfo, ResidualProblem } from '../../src/optim/evaluation.ts';
import { runSolverSync } from '../../src/optim/driver.ts';
import { lm } from '../../src/optim/lm.ts';
import { lmTermination } from '../../src/optim/lm-termination.ts';
import { createDenseProblem } from './dense-problem.ts';
import { caseOptions, loadFixture, problems } from './problems.ts';
import { runCase } from './run-case.ts';

const fixture = loadFixture();
const specs = problems(fixture);
const byName = (name: string) => fixture.cases.find((c) => c.name === name)!;

describe('lm', () => {
  it('refuses fewer residuals than parameters, as SciPy does', () => {
    const spec = { p: 3, m: 2, fun: (x: Float64Array, o: Float64Array) => o.set([x[0]!, x[1]! + x[2]!]), jac: (_x: Float64Array, o: Float64Array) => o.set([1, 0, 0, 0, 1, 1]) };
    const problem = createDenseProblem(spec);
    const options = { ...caseOptions(byName('box3d-lm')), caller: 'curveFit' };
    expect(() => runSolverSync(lm(problem, options), problem)).toThrow(NlsqRangeError);
    expect(() => runSolverSync(lm(problem, options), problem)).toThrow("curveFit: method 'lm' needs at least as many residuals as parameters (3), got 2");
  });

  it('counts p extra evaluations per Jacobian with jacobianCostsNfev = p (lmdif)', () => {
    const c = byName('expfit-leastsq');
    const inner = createDenseProblem(specs.expfit!, { jacobian: 'minpack' });
    let trials = 0;
    const problem: ResidualProblem = { ...inner, evaluate: (x, jac) => ((trials += jac ? 0 : 1), inner.evaluate(x, jac)) };
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    expect(out.nfev).toBe(c.nfev);
    expect(out.nfev).toBe(1 + trials + 3 * out.njev);
  });

  it('reports progress after each successful step and stops on false', () => {
    const c = byName('rosenbrock-lm');
    const problem = createDenseProblem(specs.rosenbrock!);
    const seen: IterationInfo[] = [];
    const out = runSolverSync(lm(problem, caseOptions(c)), problem, (info) => {
      seen.push(info);
      return info.iteration < 4;
    });
    expect(out.status).toBe('stopped');
    expect(seen.map((s) => s.iteration)).toEqual([1, 2, 3, 4]);
    for (let k = 1; k < seen.length; k++) expect(seen[k]!.cost).toBeLessThan(seen[k - 1]!.cost);
    expect(out.T).not.toBeNull();
  });

  it('ends on an accepted step without a Jacobian there, as MINPACK: no request beyond njev, T from the last Jacobian', () => {
    const c = byName('expfit-lm');
    const inner = createDenseProblem(specs.expfit!);
    const requests: boolean[] = [];
    const problem: ResidualProblem = { ...inner, evaluate: (x, jac) => (requests.push(jac), inner.evaluate(x, jac)) };
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    expect(out.staleLinearization).toBe(true);
    expect(requests.filter(Boolean).length).toBe(out.njev);
    // leastSquares then reports grad and optimality at x from J(x), as SciPy's call_minpack.
    expect(runCase(c).out.optimality).toBeCloseTo(c.optimality!, 9);
  });

  it('asks for the Jacobian at the final point when the Jacobian is cheap (it comes with the residuals)', () => {
    const c = byName('expfit-lm');
    const problem = createDenseProblem(specs.expfit!, { cheap: true });
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    expect(out.staleLinearization).toBeUndefined();
    expect(out.optimality).toBeCloseTo(c.optimality!, 9);
  });
});

describe('lm with non-finite evaluations mid-fit', () => {
  const c = byName('rosenbrock-lm');
  const rosen = specs.rosenbrock!;
  const dist = (a: Float64Array, b: Float64Array) => Math.hypot(...Array.from(a, (v, i) => v - b[i]!));

  /** The first point the plain run accepted (its first onIteration report). */
  function firstAccepted(cheap: boolean): Float64Array {
    const problem = createDenseProblem(rosen, { cheap });
    const seen: IterationInfo[] = [];
    runSolverSync(lm(problem, caseOptions(c)), problem, (info) => void seen.push(info));
    return Float64Array.from(seen[0]!.params);
  }

  it.each([false, true])('shrinks Δ on a non-finite Jacobian at a point it would accept, and goes on to the optimum (cheap Jacobian: %s)', (cheap) => {
    const plain = runSolverSync(lm(createDenseProblem(rosen, { cheap }), caseOptions(c)), createDenseProblem(rosen, { cheap }));
    const bad = firstAccepted(cheap);
    const broken = { ...rosen, jac: (x: Float64Array, o: Float64Array) => (dist(x, bad) < 1e-3 ? o.fill(NaN) : rosen.jac(x, o)) };
    const problem = createDenseProblem(broken, { cheap });
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    const at = problem.points.findIndex((x) => dist(x, bad) === 0);
    expect(at).toBeGreaterThan(0);
    const x0 = problem.points[0]!;
    const next = problem.points.slice(at + 1).find((x) => dist(x, bad) > 0)!;
    expect(dist(next, x0)).toBeLessThan(dist(bad, x0)); // the next trial is inside a smaller region
    expect(dist(out.x, bad)).toBeGreaterThan(1e-3); // never accepted there
    expect(['ftol', 'xtol', 'ftol-xtol', 'gtol']).toContain(out.status);
    expect(Array.from(out.x)).toEqual(Array.from(out.x, () => expect.closeTo(1, 7)));
    expect(Array.from(plain.x)).toEqual(Array.from(out.x, () => expect.closeTo(1, 7)));
  });

  it('reports a model that turns NaN after some evaluations as a failure naming the evaluation, not as xtol at the last point', () => {
    for (const cheap of [false, true]) {
      let calls = 0;
      const turning = { ...rosen, fun: (x: Float64Array, o: Float64Array) => (++calls > 3 ? o.fill(NaN) : rosen.fun(x, o)) };
      const problem = createDenseProblem(turning, { cheap });
      const options = caseOptions(c);
      const out = runSolverSync(lm(problem, options), problem);
      expect(out.status).toBe('max-nfev');
      expect(out.nfev).toBe(options.maxNfev);
      expect(out.message).toMatch(/^The maximum number of function evaluations is exceeded: nfev = 200 ≥ maxNfev = 200; the last \d+ trial evaluations were not finite \(the last: the residuals \(cost NaN\) at x = \[/);
      expect(Number.isFinite(out.cost)).toBe(true);
      expect(problem.points.every((x) => x.every(Number.isFinite))).toBe(true); // Δ never underflows into NaN steps
    }
  });

  it('names the Jacobian when only the Jacobian turns non-finite', () => {
    let jacs = 0;
    const turning = { ...rosen, jac: (x: Float64Array, o: Float64Array) => (++jacs > 2 ? o.fill(NaN) : rosen.jac(x, o)) };
    const problem = createDenseProblem(turning);
    const out = runSolverSync(lm(problem, caseOptions(c)), problem);
    expect(out.status).toBe('max-nfev');
    expect(out.message).toMatch(/trial evaluations? (was|were) not finite \(the last: the Jacobian at x = \[/);
    expect(out.njev).toBeGreaterThan(2); // the failed Jacobian evaluations are counted
  });

  it('issue 21 defect 9: curveFit with a closure that returns NaN after 200 calls fails with lm as with trf and dogbox', async () => {
    const xdata = Array.from({ length: 60 }, (_, i) => i / 12);
    const ydata = xdata.map((t) => 2.5 * Math.exp(-1.3 * t));
    for (const method of ['lm', 'trf', 'dogbox'] as const) {
      let calls = 0;
      const f = (t: number, a: number, b: number) => {
        calls++;
        return calls > 200 ? NaN : a * Math.exp(-b * t);
      };
      const r = await curveFit(f, xdata, ydata, { p0: [1, 1], method });
      expect(r.success).toBe(false);
      expect(r.status).toBe('max-nfev');
      if (method === 'lm') expect(r.message).toMatch(/trial evaluations were not finite \(the last: the residuals \(cost NaN\) at x = \[/);
    }
  });
});

describe('lm on residuals whose squares under- or overflow (issue 21, defect 8)', () => {
  // y = 3e-300·exp(−1.2x) + 5e-301 + 2e-302·sin(7x): ½‖r‖² is 0 in doubles, ‖r‖ is not.
  // SciPy 1.17 curve_fit(method='lm') from p0 = [1e-300, 1, 1e-301]: scripts/fixtures/lm-tiny-scale.py
  const xdata = Array.from({ length: 50 }, (_, i) => i * 0.1);
  const ydata = xdata.map((t) => 3e-300 * Math.exp(-1.2 * t) + 5e-301 + 2e-302 * Math.sin(7 * t));
  const p0 = [1e-300, 1, 1e-301];
  const SCIPY_JAC = [3.008794131479321e-300, 1.20681826582357, 5.023559082843238e-301]; // nfev 6
  const SCIPY_FD = [3.008794131650568e-300, 1.2068182660015965, 5.023559083292642e-301]; // nfev 21
  const relErr = (a: ArrayLike<number>, b: readonly number[]) => Math.max(...b.map((v, i) => Math.abs(a[i]! / v - 1)));

  it('reaches SciPy’s parameters with an exact Jacobian (and its nfev), where it used to stop at p0 with gtol', () => {
    const r = curveFitSync(model('a*exp(-b*x)+c'), xdata, ydata, { p0, method: 'lm', backend: 'cpu' });
    expect(r.success).toBe(true);
    expect(r.cost).toBe(0); // as SciPy's: the sum of squares underflows
    expect(relErr(r.popt, SCIPY_JAC)).toBeLessThan(1e-9);
    expect(r.nfev).toBe(6);
  });

  it('reaches them with finite differences', () => {
    const f = (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c;
    const r = curveFitSync(f, xdata, ydata, { p0, method: 'lm', backend: 'cpu' });
    expect(r.success).toBe(true);
    expect(relErr(r.popt, SCIPY_FD)).toBeLessThan(1e-8);
  });

  test.prop([fc.integer({ min: -1000, max: -900 })], { numRuns: 12 })('follows the unscaled path when the residuals are scaled by 2^k into underflow', (k) => {
    const c = byName('expfit-lm');
    const s = 2 ** k;
    const spec = specs.expfit!;
    const tiny = { ...spec, fun: (x: Float64Array, o: Float64Array) => (spec.fun(x, o), o.forEach((v, i) => (o[i] = v * s))), jac: (x: Float64Array, o: Float64Array) => (spec.jac(x, o), o.forEach((v, i) => (o[i] = v * s))) };
    const plain = runSolverSync(lm(createDenseProblem(spec), caseOptions(c)), createDenseProblem(spec));
    const scaled = runSolverSync(lm(createDenseProblem(tiny), caseOptions(c)), createDenseProblem(tiny));
    expect(scaled.status).toBe(plain.status);
    expect(relErr(scaled.x, Array.from(plain.x))).toBeLessThan(1e-10);
  });

  it('reports data near 1e200 clearly: the sum of squares overflows, rescale y', () => {
    const yBig = xdata.map((t) => 3e200 * Math.exp(-1.2 * t) + 5e199);
    for (const method of ['lm', 'trf'] as const) {
      const error = (() => {
        try {
          curveFitSync(model('a*exp(-b*x)+c'), xdata, yBig, { p0: [1e200, 1, 1e199], method, backend: 'cpu' });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(NlsqRangeError);
      expect(error).toMatchObject({ code: 'ERR_NON_FINITE', argument: 'ydata' });
      expect((error as Error).message).toBe(
        'curveFitSync: the sum of squared residuals must be finite at p0, got Infinity: every residual is finite, but the largest, -2.4e+200 (residual 0), squares beyond the double range (1.8e308); rescale ydata (and sigma) toward 1 — e.g. fit y / 2e+200 — and scale the fitted parameters back',
      );
    }
  });
});

describe('lmTermination', () => {
  const o = { ...caseOptions(byName('rosenbrock-lm')) };
  const t = { actred: 1e-10, prered: 1e-10, ratio: 1, delta: 1e-9, xnorm: 1, gnorm: 1e-17, nfev: 9 };
  it('maps MINPACK info codes to SciPy statuses (FROM_MINPACK_TO_COMMON)', () => {
    expect([1, 2, 3, 4, 5].map((i) => lmTermination(i, t, o).status)).toEqual(['ftol', 'xtol', 'ftol-xtol', 'gtol', 'max-nfev']);
  });

  it('maps the "tolerance too small" codes 6–8 to ftol/xtol/gtol with a message that says so', () => {
    expect([6, 7, 8].map((i) => lmTermination(i, t, o).status)).toEqual(['ftol', 'xtol', 'gtol']);
    for (const i of [6, 7, 8]) expect(lmTermination(i, t, o).message).toMatch(/is too small/);
  });

  it('states the numbers of the test', () => {
    expect(lmTermination(2, t, o).message).toBe('`xtol` termination condition is satisfied: Δ = 1.0e-9 ≤ xtol·‖Dx‖ = 1.0e-8');
  });
});
