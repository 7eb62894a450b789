/**
 * CMA-ES on unbounded problems (issue 15: "the inference then uses x0 and its scale, and says
 * so"): leastSquares has no data to infer a box from, so CMA-ES searches the box of
 * `start-box.ts` around x0 — x0 ± 10·max(|x0|, 1) per unbounded coordinate, p0 ×/÷ 10³
 * log-uniformly on a positive half-line — starting at x0's image with σ0 = 0.3 of the box. The
 * box, its rule in words and the choice's reason report it; a minimum outside the box is reached
 * only when the polish walks there.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { leastSquaresSync } from '../../src/least-squares.ts';
import { startBox } from '../../src/global/start-box.ts';

/** Rosenbrock as residuals (MGH problem 1): minimum 0 at (1, 1). */
const rosenbrock = (x: Float64Array): number[] => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!];
/** Freudenstein and Roth (MGH problem 2): a local minimum 24.49… (cost ½·48.98) at (11.41, −0.8968) and the global 0 at (5, 4). */
const freudensteinRoth = (x: Float64Array): number[] => [-13 + x[0]! + ((5 - x[1]!) * x[1]! - 2) * x[1]!, -29 + x[0]! + ((x[1]! + 1) * x[1]! - 14) * x[1]!];

describe('CMA-ES on unbounded problems: the box inferred from x0 and its scale', () => {
  it('Rosenbrock from MGH x0 = (−1.2, 1): the box is x0 ± 10·max(|x0|, 1), reported in words and in the reason', () => {
    const r = leastSquaresSync(rosenbrock, [-1.2, 1], { global: { method: 'cmaes', seed: 1 } });
    expect(r.x).toBeAllclose([1, 1], { rtol: 1e-7 });
    const [b0, b1] = r.global!.box;
    expect([b0!.lo, b0!.hi]).toBeAllclose([-13.2, 10.8], { rtol: 1e-12 });
    expect([b1!.lo, b1!.hi]).toEqual([-9, 11]);
    expect(b0!.how).toBe('no bounds: uniform over p0 ± 10·max(|p0|, 1) = [-13.2, 10.8]');
    expect(r.choices.global!.reason).toContain('the sampling box was inferred from p0 for parameters 0, 1 (no finite bounds; see result.global.box)');
    expect(r.global!.cmaes![0]!.sigma0).toBe(0.3);
  });

  it('Freudenstein–Roth from MGH x0 = (0.5, −2): lm alone stops in the local minimum, CMA-ES in the inferred box finds the global one', () => {
    const plain = leastSquaresSync(freudensteinRoth, [0.5, -2], { method: 'lm' });
    expect(2 * plain.cost).toBeAllclose(48.9842536792, { rtol: 1e-8 });
    const r = leastSquaresSync(freudensteinRoth, [0.5, -2], { method: 'lm', global: { method: 'cmaes', seed: 0 } });
    expect(r.cost).toBeLessThan(1e-20);
    expect(r.x).toBeAllclose([5, 4], { rtol: 1e-8 });
    expect(r.global!.winner).toBe(1); // the polish from the CMA-ES best, not from p0
  });

  it('a positive half-line is searched log-uniformly over p0 ×/÷ 10³, and said so', () => {
    const decay = (b: Float64Array): number[] => [0.5, 1, 2, 4].map((t) => 3 * Math.exp(-0.02 * t) - b[0]! * Math.exp(-b[1]! * t));
    const r = leastSquaresSync(decay, [1, 5], { bounds: [[-Infinity, 0], [Infinity, Infinity]], global: { method: 'cmaes', seed: 2 } });
    expect(r.x).toBeAllclose([3, 0.02], { rtol: 1e-6 });
    expect(r.global!.box[1]).toMatchObject({ lo: 5e-3, hi: 5e3, log: true });
    expect(r.global!.box[1]!.how).toContain('log-uniform over');
    expect(r.choices.global!.reason).toContain('parameters 0, 1');
  });

  test.prop([fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 5 })])('the unbounded box is centred on x0 with half-width 10·max(|x0|, 1)', (x0) => {
    const box = startBox(x0, x0.map(() => -Infinity), x0.map(() => Infinity));
    box.forEach((c, i) => {
      const half = 10 * Math.max(Math.abs(x0[i]!), 1);
      expect(c.lo).toBeCloseTo(x0[i]! - half, 6);
      expect(c.hi).toBeCloseTo(x0[i]! + half, 6);
      expect(c.log).toBe(false);
    });
  });
});
