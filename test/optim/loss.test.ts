import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { LOSS_NAMES, resolveLoss, robustRowScale } from '../../src/optim/loss.ts';

const out = new Float64Array(3);

describe('resolveLoss', () => {
  it('returns null for the linear loss (the fast path)', () => {
    expect(resolveLoss('linear', 1)).toBeNull();
  });

  it('matches SciPy closed forms at z = 4 with fScale = 1', () => {
    const expected: Record<string, [number, number, number]> = {
      soft_l1: [2 * (Math.sqrt(5) - 1), 1 / Math.sqrt(5), -0.5 * 5 ** -1.5],
      huber: [3, 0.5, -0.5 * 4 ** -1.5],
      cauchy: [Math.log(5), 0.2, -1 / 25],
      arctan: [Math.atan(4), 1 / 17, -8 / 289],
    };
    for (const [name, values] of Object.entries(expected)) {
      resolveLoss(name as 'huber', 1)!.rho(4, out);
      values.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
    }
  });

  test.prop([fc.constantFrom('soft_l1', 'huber', 'cauchy', 'arctan'), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true })])(
    "applies fScale as C² ρ(z/C²), ρ'(z/C²), ρ''(z/C²)/C²",
    (name, z, C) => {
      const unscaled = new Float64Array(3);
      resolveLoss(name as 'huber', 1)!.rho(z / (C * C), unscaled);
      resolveLoss(name as 'huber', C)!.rho(z, out);
      expect(out[0]).toBeCloseTo(unscaled[0]! * C * C, 6);
      expect(out[1]).toBeCloseTo(unscaled[1]!, 12);
      expect(Math.abs(out[2]! - unscaled[2]! / (C * C))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(out[2]!)));
    },
  );

  test.prop([fc.constantFrom('soft_l1', 'huber', 'cauchy', 'arctan'), fc.double({ min: 0, max: 1e4, noNaN: true })])(
    "has ρ(0) = 0, ρ'(0) = 1 and a derivative consistent with ρ",
    (name, z) => {
      const loss = resolveLoss(name as 'huber', 1)!;
      loss.rho(0, out);
      expect(out[0]).toBe(0);
      expect(out[1]).toBe(1);
      const h = 1e-6 * Math.max(1, z);
      if (name === 'huber' && Math.abs(z - 1) < 2 * h) return;
      loss.rho(z + h, out);
      const up = out[0]!;
      loss.rho(Math.max(0, z - h), out);
      const down = out[0]!;
      loss.rho(z, out);
      expect(Math.abs((up - down) / (z + h - Math.max(0, z - h)) - out[1]!)).toBeLessThanOrEqual(1e-5);
    },
  );

  it('wraps a user function and checks what it returns', () => {
    const loss = resolveLoss((z) => [z, 1, 0], 2)!;
    loss.rho(8, out);
    expect([...out]).toEqual([8, 1, 0]);
    expect(() => resolveLoss((() => [1]) as never, 1)!.rho(1, out)).toThrow(/must return \[rho, rho', rho''\]/);
  });

  it('rejects unknown names and non-positive fScale, naming the argument and the allowed set', () => {
    expect(() => resolveLoss('l2' as never, 1)).toThrow(`curveFit: loss must be one of ${LOSS_NAMES.join(', ')} or a function, got "l2"`);
    expect(() => resolveLoss('huber', 0)).toThrow('curveFit: fScale must be a positive finite number, got 0');
  });

  it('floors the row scale at √ε like SciPy', () => {
    expect(robustRowScale(10, Float64Array.from([0, 0, -1]))).toBe(Math.sqrt(2.220446049250313e-16));
  });
});
