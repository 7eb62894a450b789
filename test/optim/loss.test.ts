import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { applyRobustLoss, LOSS_NAMES, resolveLoss } from '../../src/optim/loss.ts';

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

});

describe('applyRobustLoss', () => {
  const flat = { name: 'flat', rho: (_z: number, o: Float64Array) => o.set([7, 0, -1]) };

  it('floors the row scale at √ε like SciPy', () => {
    const f = Float64Array.of(10);
    const J = Float64Array.of(1, 2);
    expect(applyRobustLoss(flat, 1, f, 0, 1, J, 2, 2, new Float64Array(3))).toBe(3.5);
    expect([...J]).toEqual([Math.sqrt(2 ** -52), 2 * Math.sqrt(2 ** -52)]);
    expect(f[0]).toBe(0);
  });

  test.prop([fc.constantFrom('soft_l1', 'huber', 'cauchy', 'arctan'), fc.double({ min: 0.1, max: 10, noNaN: true }), fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 12 })])(
    "scales a row-major [J | f] block as s_i = √max(ρ'+2ρ''f², ε), J_i·s_i, f_i·ρ'/s_i (SciPy scale_for_robust_loss_function)",
    (name, fScale, fs) => {
      const loss = resolveLoss(name, fScale)!;
      const p = 2;
      const c = p + 1;
      const A = new Float64Array(fs.length * c);
      fs.forEach((f, i) => A.set([0.5 * i - 1, f * f + 1, f], i * c));
      const before = Float64Array.from(A);
      const rho = new Float64Array(3);
      const cost = applyRobustLoss(loss, fs.length, A, p, c, A, c, p, rho);
      let want = 0;
      fs.forEach((f, i) => {
        const r = new Float64Array(3);
        loss.rho(f * f, r);
        want += r[0]!;
        const s = Math.sqrt(Math.max(r[1]! + 2 * r[2]! * f * f, 2 ** -52));
        expect([A[i * c]!, A[i * c + 1]!]).toBeAllclose([before[i * c]! * s, before[i * c + 1]! * s], { rtol: 1e-15, atol: 0 });
        expect(A[i * c + 2]).toBeAllclose((f * r[1]!) / s, { rtol: 1e-15, atol: 0 });
      });
      expect(cost).toBeAllclose(0.5 * want, { rtol: 1e-14, atol: 0 });
    },
  );

  it('computes the cost alone, leaving f untouched, without a Jacobian', () => {
    const loss = resolveLoss('cauchy', 2)!;
    const f = Float64Array.of(0, 9, 1, 9, 3);
    const cost = applyRobustLoss(loss, 3, f, 0, 2, null, 0, 1, new Float64Array(3));
    expect(cost).toBeAllclose(0.5 * 4 * (Math.log1p(0) + Math.log1p(1 / 4) + Math.log1p(9 / 4)), { rtol: 1e-15 });
    expect([...f]).toEqual([0, 9, 1, 9, 3]);
  });
});
