/**
 * r.diagnostics() on constructed cases: a duplicated parameter (a·b·x), two nearly collinear
 * exponentials, a parameter the data cannot see, a bound, a stop on the evaluation limit, a
 * stalled gradient — and a healthy straight line whose condition number has a closed form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError, curveFitSync, model } from '../../src/index.ts';
import { diagnoseFit, type HealthInput } from '../../src/result/diagnostics.ts';
import { createRandom } from '../../src/sampling/random.ts';

const xs = Array.from({ length: 30 }, (_, i) => 1 + i / 3);
const rng = createRandom(11);
const noise = xs.map(() => rng.normal());
const codes = (d: { findings: readonly { code: string }[] }): string[] => d.findings.map((f) => f.code);

describe('diagnostics', () => {
  it('a healthy straight line: κ of the equilibrated Jacobian is √((1+ρ)/(1−ρ)), ρ = Σx/√(nΣx²)', () => {
    const y = xs.map((x, i) => 1 + 2 * x + 0.1 * noise[i]!);
    const r = curveFitSync(model('a + b*x'), xs, y, { p0: [0, 0] });
    const d = r.diagnostics();
    const n = xs.length;
    const rho = xs.reduce((s, x) => s + x, 0) / Math.sqrt(n * xs.reduce((s, x) => s + x * x, 0));
    expect(d.conditionNumber).toBeCloseTo(Math.sqrt((1 + rho) / (1 - rho)), 10);
    expect(d.rank).toBe(2);
    expect(d.columnNorms[0]).toBeCloseTo(Math.sqrt(n), 12);
    expect(d.columnNorms[1]).toBeCloseTo(Math.sqrt(xs.reduce((s, x) => s + x * x, 0)), 10);
    // Eigenvalues of the scaled JᵀJ = [[1, ρ], [ρ, 1]]: 1 ∓ ρ, sloppiest first.
    expect(d.directions[0]!.eigenvalue).toBeCloseTo(1 - rho, 12);
    expect(d.directions[1]!.eigenvalue).toBeCloseTo(1 + rho, 12);
    expect(d.healthy).toBe(true);
    // ρ ≈ 0.93 here: the intercept and slope are correlated, reported as information only.
    expect(codes(d).every((c) => c === 'high-correlation')).toBe(true);
  });

  it('equilibration: κ does not change when a parameter changes its unit (property: x scaled by c)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (c, shift) => {
        const x = xs.map((v) => v + shift);
        const y = x.map((v, i) => 1 + 2 * v + 0.1 * noise[i]!);
        const base = curveFitSync(model('a + b*x'), x, y, { p0: [0, 0] }).diagnostics();
        const scaled = curveFitSync(model('a + b*x'), x.map((v) => v * c), y, { p0: [0, 0] }).diagnostics();
        expect(scaled.conditionNumber / base.conditionNumber - 1).toBeLessThan(1e-9);
        expect(base.conditionNumber / scaled.conditionNumber - 1).toBeLessThan(1e-9);
      }),
      { numRuns: 25 },
    );
  });

  it('a duplicated parameter a·b·x: rank p − 1, κ = ∞, a sloppy direction ∝ (1, −1) in (a, b)', () => {
    const y = xs.map((x, i) => 1.5 + 0.8 * x + 0.1 * noise[i]!);
    const r = curveFitSync(model('a*b*x + c'), xs, y, { p0: [1, 1, 0] });
    const d = r.diagnostics();
    expect(d.rank).toBe(2);
    expect(d.conditionNumber).toBe(Infinity);
    expect(codes(d)).toContain('rank-deficient');
    const sloppy = d.findings.find((f) => f.code === 'sloppy-direction')!;
    expect([...sloppy.params].sort()).toEqual(['a', 'b']);
    // With equilibration the null vector of J D⁻¹ is (1, −1, 0)/√2 (a·∂/∂a = b·∂/∂b = the same column).
    const v = d.directions[0]!.vector;
    expect(Math.abs(v[0]!)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v[0]! * v[1]!).toBeLessThan(0);
    expect(Math.abs(v[2]!)).toBeLessThan(1e-6);
    expect(d.healthy).toBe(false);
  });

  it('two nearly collinear exponentials: a sloppy direction mixing the amplitudes, |r| ≈ 1, κ > 1e4', () => {
    const y = xs.map((x, i) => 1.0 * Math.exp(-0.30 * x) + 1.0 * Math.exp(-0.33 * x) + 1e-4 * noise[i]!);
    const r = curveFitSync(model('A1*exp(-k1*x) + A2*exp(-k2*x)'), xs, y, { p0: [1.2, 0.25, 0.8, 0.4], maxNfev: 4000 });
    const d = r.diagnostics();
    expect(d.conditionNumber).toBeGreaterThan(1e4);
    expect(codes(d)).toContain('high-correlation');
    const worst = d.directions[0]!;
    expect(worst.ratio).toBeLessThan(1e-8);
    const sloppy = d.findings.find((f) => f.code === 'sloppy-direction');
    expect(sloppy!.params).toEqual(['A1', 'A2']);
    expect(d.findings.find((f) => f.code === 'high-correlation' && f.params.join() === 'A1,A2')!.values['correlation']).toBeLessThan(-0.999);
    // A stricter condition threshold turns the same numbers into an ill-conditioned warning.
    expect(codes(r.diagnostics({ condition: 1e4 }))).toContain('ill-conditioned');
  });

  it('a parameter the data cannot see: not-determined and unmoved, left out of κ', () => {
    // exp(−800·x) underflows to 0 for x ≥ 1: the model does not depend on b at all.
    const y = xs.map((x, i) => 2 * x + 0.1 * noise[i]!);
    const r = curveFitSync(model('a*x + b*exp(-800*x)'), xs, y, { p0: [1, 0.5] });
    const d = r.diagnostics();
    expect(codes(d)).toContain('not-determined');
    expect(codes(d)).toContain('unmoved');
    expect(d.findings.find((f) => f.code === 'not-determined')!.params).toEqual(['b']);
    expect(d.determined).toEqual(['a']);
    expect(d.conditionNumber).toBe(1);
  });

  it('a parameter at its bound, and a stop on maxNfev', () => {
    const y = xs.map((x, i) => 2 * Math.exp(-0.5 * x) + 0.01 * noise[i]!);
    const bound = curveFitSync(model('A*exp(-k*x) + c'), xs, y, { p0: [1, 1, 0.5], bounds: [[0, 0, 0.1], [10, 10, 10]] });
    const at = bound.diagnostics().findings.find((f) => f.code === 'at-bound')!;
    expect(at.params).toEqual(['c']);
    expect(at.values['bound']).toBe(0.1);
    const short = curveFitSync(model('A*exp(-k*x)'), xs, y, { p0: [1, 3], maxNfev: 3 });
    expect(codes(short.diagnostics())).toContain('not-converged');
    expect(short.report({ full: true })).toMatch(/\[not-converged\] the fit stopped on the evaluation limit/);
  });

  it('a stop on the cost test with a large gradient is a stalled gradient', () => {
    // R = I (unit columns), ‖r‖ = 1, g = (0.5, 0): the cosine is 0.5.
    const input: HealthInput = {
      names: ['u', 'v'], T: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), n: 10, popt: Float64Array.of(1, 2), x0: Float64Array.of(0, 0),
      lb: Float64Array.of(-Infinity, -Infinity), ub: Float64Array.of(Infinity, Infinity), activeMask: [0, 0], grad: [0.5, 0], cost: 0.5,
      pcov: Float64Array.of(1, 0, 0, 1), status: 'ftol',
    };
    const stalled = diagnoseFit('test', input).findings.find((f) => f.code === 'gradient-stalled')!;
    expect(stalled.values['cosine']).toBeCloseTo(0.5, 15);
    expect(diagnoseFit('test', { ...input, status: 'gtol' }).findings.map((f) => f.code)).not.toContain('gradient-stalled');
  });

  it('adds a health section to the full report, and names bad thresholds', () => {
    const y = xs.map((x, i) => 1.5 + 0.8 * x + 0.1 * noise[i]!);
    const r = curveFitSync(model('a*b*x + c'), xs, y, { p0: [1, 1, 0] });
    const full = r.report({ full: true });
    expect(full).toMatch(/health: κ\(equilibrated J\) = ∞ · rank 2\/3/);
    expect(full).toMatch(/\[rank-deficient\]/);
    expect(r.report()).not.toMatch(/health:/);
    for (const [options, argument] of [[{ correlation: 1.5 }, 'correlation'], [{ sloppy: 0 }, 'sloppy'], [{ condition: -1 }, 'condition'], [{ gradiant: 1 }, 'gradiant']] as const) {
      let e: unknown;
      try {
        r.diagnostics(options as never);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(NlsqRangeError);
      expect(e).toMatchObject({ argument });
    }
  });
});
