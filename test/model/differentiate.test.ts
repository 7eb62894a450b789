import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { model, type Model } from '../../src/model/model.ts';
import { printNode } from '../../src/model/printer.ts';
import { smoothTree } from './arbitraries.ts';

/** f and ∂f/∂θ from the fused kernel at one point. */
function rowAt(m: Model, theta: number[], x: number): Float64Array {
  const out = new Float64Array(theta.length + 1);
  m.createKernel().residualRows(Float64Array.from(theta), { x: [Float64Array.of(x)], y: Float64Array.of(0), w: null }, 0, 1, out, 0);
  return out;
}

function valueAt(m: Model, theta: number[], x: number): number {
  return m.evaluate(theta, [x])[0]!;
}

/** Richardson-extrapolated central difference of f along θ_j, plus a smoothness indicator. */
function richardson(m: Model, theta: number[], x: number, j: number): { d: number; spread: number } {
  const h = 1e-3 * Math.max(1, Math.abs(theta[j]!));
  const central = (step: number): number => {
    const up = [...theta];
    const down = [...theta];
    up[j] = theta[j]! + step;
    down[j] = theta[j]! - step;
    return (valueAt(m, up, x) - valueAt(m, down, x)) / (2 * step);
  };
  const d1 = central(h);
  const d2 = central(h / 2);
  const d4 = central(h / 4);
  const r1 = (4 * d2 - d1) / 3;
  const r2 = (4 * d4 - d2) / 3;
  // One-sided slopes on either side detect kinks that a symmetric difference cannot see.
  const f0 = valueAt(m, theta, x);
  const side = (sgn: number): number => {
    const t = [...theta];
    t[j] = theta[j]! + sgn * h;
    const far = (valueAt(m, t, x) - f0) / (sgn * h);
    t[j] = theta[j]! + (sgn * h) / 2;
    const near = (valueAt(m, t, x) - f0) / ((sgn * h) / 2);
    return 2 * near - far;
  };
  const kink = Math.abs(side(1) - side(-1));
  return { d: (16 * r2 - r1) / 15, spread: Math.max(Math.abs(r2 - r1), kink * 1e-3) };
}

describe('differentiate', () => {
  it('gives the textbook derivatives of a decaying exponential', () => {
    const m = model('a*exp(-b*x) + c');
    expect(m.derivatives).toEqual(['exp(-b*x)', '-a*(exp(-b*x)*x)', '1']);
  });

  it('differentiates every function at a smooth point to 1e-8 against Richardson differences', () => {
    const fns = ['exp', 'log', 'log10', 'log2', 'sqrt', 'cbrt', 'abs', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'erf', 'erfc'];
    for (const fn of fns) {
      const m = model(`${fn}(a*x)`);
      const g = rowAt(m, [0.3], 0.7)[0]!;
      const { d } = richardson(m, [0.3], 0.7, 0);
      expect(Math.abs(g - d), fn).toBeLessThan(1e-8 * Math.max(1, Math.abs(g)));
    }
    for (const fn of ['atan2', 'hypot', 'min', 'max']) {
      const m = model(`${fn}(a*x, b)`);
      for (const j of [0, 1]) {
        const g = rowAt(m, [0.3, 0.5], 0.7)[j]!;
        expect(Math.abs(g - richardson(m, [0.3, 0.5], 0.7, j).d), fn).toBeLessThan(1e-8);
      }
    }
  });

  it('uses sign(u) for |u|, 0 for sign(u), and the first argument on min/max ties', () => {
    expect(model('abs(a - x)').derivatives).toEqual(['sign(a - x)']);
    expect(rowAt(model('abs(a - x)'), [1], 1)[0]).toBe(0);
    expect(model('sign(a*x)').derivatives).toEqual(['0']);
    const tie = rowAt(model('min(a*x, b)'), [1, 2], 2);
    expect([tie[0], tie[1]]).toEqual([2, 0]);
  });

  // Points of moderate magnitude: near 0 an expression like atan2(x, a) has features far narrower than any step.
  const coordinate = fc.tuple(fc.double({ min: 0.05, max: 2, noNaN: true }), fc.boolean()).map(([v, minus]) => (minus ? -v : v));
  test.prop([smoothTree(['a', 'b', 'x'], 4), coordinate, coordinate, coordinate], { numRuns: 250 })(
    'agrees with Richardson-extrapolated central differences on random expressions',
    (tree, a, b, x) => {
      let m: Model;
      try {
        m = model(printNode(tree), { params: ['a', 'b'] }); // the default variable x may be absent
      } catch {
        return; // constant folding can leave no parameter dependence; parse must succeed though
      }
      const theta = [a, b];
      const row = rowAt(m, theta, x);
      if (!row.every(Number.isFinite) || row.some((v) => Math.abs(v) > 1e6)) return;
      for (let j = 0; j < 2; j++) {
        const { d, spread } = richardson(m, theta, x, j);
        const g = row[j]!;
        if (!Number.isFinite(d) || spread > 1e-6 * (1 + Math.abs(g))) continue; // near a kink or a pole
        expect(Math.abs(g - d), `${m.expression} d/d${m.params[j]} at a=${a} b=${b} x=${x}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(g)));
      }
    },
  );
});
