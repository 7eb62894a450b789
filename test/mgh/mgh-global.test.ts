/**
 * The sweep of issue 15 over the Moré–Garbow–Hillstrom set (45 cases, `mgh-problems.ts`): from
 * the paper's starts, with leastSquares' default method (trf) and `global: true` (16 scrambled
 * Sobol starts in the box inferred from x0 — no problem here has bounds), every case reaches the
 * published minimum: Σfᵢ² ≤ f*·(1 + 10⁻⁵) + 10⁻¹⁰ (f* has six significant figures). The plain
 * fit misses two, named: Freudenstein–Roth stops in its local minimum 48.9842 and the
 * trigonometric function (n = 10) in its local minimum 2.79506e-5, both as the paper reports.
 */
import { describe, expect, test } from 'vitest';
import { leastSquaresSync } from '../../src/least-squares.ts';
import { MGH_PROBLEMS } from './mgh-problems.ts';

const reached = (f: number, fstar: number): boolean => f <= fstar * (1 + 1e-5) + 1e-10;

describe('MGH 45 with global (leastSquares, default method, global: true)', () => {
  test('the set has 45 cases, and each start gives the paper\'s f(x0) scale (finite residuals)', () => {
    expect(MGH_PROBLEMS).toHaveLength(45);
    for (const p of MGH_PROBLEMS) expect(p.f(Float64Array.from(p.x0)).every(Number.isFinite)).toBe(true);
    // Spot checks of f(x0) against the paper's table.
    const f0 = (name: string): number => { const p = MGH_PROBLEMS.find((q) => q.name.startsWith(name))!; return p.f(Float64Array.from(p.x0)).reduce((s, v) => s + v * v, 0); };
    expect(f0('1 Rosenbrock')).toBeAllclose(24.2, { rtol: 1e-12 });
    expect(f0('10 Meyer')).toBeAllclose(1.69361e9, { rtol: 1e-5 });
    expect(f0('14 Wood')).toBeAllclose(19192, { rtol: 1e-12 });
  });

  test('without global, the plain fit reaches 43 of 45: Freudenstein–Roth and the trigonometric function stop in local minima', () => {
    const missed = MGH_PROBLEMS.filter((p) => !reached(2 * leastSquaresSync(p.f, p.x0).cost, p.fstar)).map((p) => p.name);
    expect(missed).toEqual(['2 Freudenstein and Roth', '26 Trigonometric n=10']);
  });

  test('with global, all 45 reach the published minimum', () => {
    const rows = MGH_PROBLEMS.map((p) => {
      const r = leastSquaresSync(p.f, p.x0, { global: true });
      return { name: p.name, f: 2 * r.cost, fstar: p.fstar, winner: r.global!.winner, evaluations: r.global!.evaluations };
    });
    console.log(rows.map((r) => `${r.name.padEnd(62)} f ${r.f.toExponential(5).padStart(12)}  f* ${r.fstar.toExponential(5).padStart(12)}  winner ${String(r.winner).padStart(2)}  evaluations ${r.evaluations}`).join('\n'));
    expect(rows.filter((r) => !reached(r.f, r.fstar)).map((r) => `${r.name}: ${r.f} > ${r.fstar}`)).toEqual([]);
    // Global never does worse than the plain fit: start 0 is p0.
    expect(rows.find((r) => r.name === '2 Freudenstein and Roth')!.winner).toBeGreaterThan(0);
  });
});
