/**
 * SciPy parity: every case of test/fixtures/scipy/least-squares.json (SciPy least_squares and
 * leastsq on small problems) is run through the same solver on the dense test problem, and the
 * solution, cost, status and evaluation counts are compared.
 */
import { describe, expect, it } from 'vitest';
import { STATUS_CODE } from '../../src/optim/evaluation.ts';
import { loadFixture } from './problems.ts';
import { runCase } from './run-case.ts';

const fixture = loadFixture();

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/**
 * Cases whose paths are not reproduced evaluation for evaluation. brown-lm-xscale (MGH 4, Brown
 * badly scaled, condition ~1e12 with diag = [1e-6, 1e6]): the fourth trial point differs in the
 * last bit (x₁ = 0 here, −2.2e-16 in SciPy, from R folded by Householder TSQR instead of
 * MINPACK's QR of J); both runs then reach the exact zero-residual solution, SciPy one step later
 * (status 3 there, gtol = 1 here, nfev 7 vs 6).
 */
const PATH_DIFFERS = new Set<string>(['brown-lm-xscale']);

/** Costs below this are zero-residual noise: compared absolutely. */
const ZERO_COST = 1e-15;

describe.each(fixture.cases.map((c) => [c.name, c] as const))('SciPy parity: %s', (_name, c) => {
  it('reaches SciPy’s solution, cost and status', () => {
    const { out } = runCase(c);
    if (PATH_DIFFERS.has(c.name)) expect(STATUS_CODE[out.status]).toBeGreaterThan(0);
    else expect(STATUS_CODE[out.status]).toBe(c.status);
    const scale = Math.max(...c.x.map((v) => Math.abs(v)));
    for (let j = 0; j < c.x.length; j++) {
      expect(Math.abs(out.x[j]! - c.x[j]!) / Math.max(Math.abs(c.x[j]!), 1e-8 * scale)).toBeLessThan(1e-8);
    }
    if (c.cost > ZERO_COST) expect(relErr(out.cost, c.cost)).toBeLessThan(1e-8);
    else expect(out.cost).toBeLessThan(ZERO_COST);
  });

  it.skipIf(PATH_DIFFERS.has(c.name))('counts nfev and njev exactly as SciPy', () => {
    const { out } = runCase(c);
    expect(out.nfev).toBe(c.nfev);
    if (c.njev !== undefined && c.njev !== null) expect(out.njev).toBe(c.njev);
  });

  it.skipIf(c.active_mask === undefined)('reports SciPy’s active mask, gradient and optimality', () => {
    const { out } = runCase(c);
    expect(Array.from(out.activeMask)).toEqual(c.active_mask);
    if (c.cost <= ZERO_COST) return; // the gradient of a zero-residual fit is rounding noise
    const gScale = Math.max(1e-12, ...c.grad!.map((v) => Math.abs(v)));
    for (let j = 0; j < c.x.length; j++) expect(Math.abs(out.grad[j]! - c.grad![j]!) / gScale).toBeLessThan(1e-3);
    expect(Math.abs(out.optimality - c.optimality!)).toBeLessThanOrEqual(1e-3 * Math.max(c.optimality!, 1e-12) + 1e-12);
  });

  it('follows the same path when the Jacobian is cheap (requested at trial points)', () => {
    const plain = runCase(c).out;
    const cheap = runCase(c, true).out;
    expect(Array.from(cheap.x)).toEqual(Array.from(plain.x));
    expect(cheap.nfev).toBe(plain.nfev);
    expect(cheap.njev).toBe(plain.njev);
    expect(cheap.status).toBe(plain.status);
  });
});
