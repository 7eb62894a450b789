import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  findActiveConstraints,
  inBounds,
  makeStrictlyFeasible,
  nextAfter,
  stepSizeToBound,
} from '../../src/optim/bounds.ts';
import { boxAndPoint } from './box-arbitrary.ts';

const F = (a: number[]) => Float64Array.from(a);

describe('stepSizeToBound', () => {
  it('matches SciPy: the nearest bound and which side is hit', () => {
    const { step, hits } = stepSizeToBound(F([0.5, -1, 2]), F([1, 2, -1]), F([-1, -2, -Infinity]), F([1, Infinity, 2.5]));
    expect(step).toBe(0.5);
    expect(Array.from(hits)).toEqual([1, 0, 0]);
  });

  it('is infinite when no component can reach a bound', () => {
    const { step, hits } = stepSizeToBound(F([0, 0]), F([0, 1]), F([-1, -Infinity]), F([1, Infinity]));
    expect(step).toBe(Infinity);
    expect(Array.from(hits)).toEqual([0, 1]);
  });

  test.prop([boxAndPoint])('keeps x + t·s within the bounds and puts a hit component on its bound', ({ lb, ub, x, s }) => {
    const { step, hits } = stepSizeToBound(x, s, lb, ub);
    expect(step).toBeGreaterThanOrEqual(0);
    if (!Number.isFinite(step)) return;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]! + step * s[i]!;
      const tol = 1e-12 * (1 + Math.abs(xi));
      expect(xi).toBeGreaterThanOrEqual(lb[i]! - tol);
      expect(xi).toBeLessThanOrEqual(ub[i]! + tol);
      if (hits[i] === 1) expect(Math.abs(xi - ub[i]!)).toBeLessThanOrEqual(tol);
      if (hits[i] === -1) expect(Math.abs(xi - lb[i]!)).toBeLessThanOrEqual(tol);
    }
    expect(hits.some((h) => h !== 0)).toBe(true);
  });
});

describe('findActiveConstraints', () => {
  it('matches SciPy with the default rtol', () => {
    const a = findActiveConstraints(F([0, 1e-12, 5, 1]), F([0, 0, 0, -Infinity]), F([1, 1, 5 + 1e-11, Infinity]));
    expect(Array.from(a)).toEqual([-1, -1, 1, 0]);
  });

  it('with rtol = 0 marks only points on or beyond a bound', () => {
    expect(Array.from(findActiveConstraints(F([0, 1e-300, 1]), F([0, 0, 0]), F([1, 1, 1]), 0))).toEqual([-1, 0, 1]);
  });
});

describe('makeStrictlyFeasible', () => {
  it('matches SciPy for rstep = 1e-10 and for rstep = 0 (nextafter)', () => {
    expect(Array.from(makeStrictlyFeasible(F([0, 1, 0.5]), F([0, 0, 0.5]), F([1, 1, 0.5 + 1e-17])))).toEqual([1e-10, 0.9999999999, 0.5]);
    expect(Array.from(makeStrictlyFeasible(F([0, 1]), F([0, 0]), F([1, 1]), 0))).toEqual([5e-324, 0.9999999999999999]);
  });

  test.prop([boxAndPoint])('returns a point strictly inside every finite bound', ({ lb, ub, x }) => {
    const onBounds = x.map((v, i) => (Number.isFinite(lb[i]!) && i % 2 === 0 ? lb[i]! : Number.isFinite(ub[i]!) ? ub[i]! : v));
    for (const rstep of [1e-10, 0]) {
      const y = makeStrictlyFeasible(onBounds, lb, ub, rstep);
      expect(inBounds(y, lb, ub)).toBe(true);
      for (let i = 0; i < y.length; i++) {
        if (Number.isFinite(lb[i]!)) expect(y[i]).toBeGreaterThan(lb[i]!);
        if (Number.isFinite(ub[i]!)) expect(y[i]).toBeLessThan(ub[i]!);
      }
    }
  });
});

describe('nextAfter', () => {
  it('steps one ulp towards the target', () => {
    expect(nextAfter(1, 2)).toBe(1 + 2 ** -52);
    expect(nextAfter(1, 0)).toBe(1 - 2 ** -53);
    expect(nextAfter(-1, 0)).toBe(-1 + 2 ** -53);
    expect(nextAfter(0, -1)).toBe(-5e-324);
    expect(nextAfter(3, 3)).toBe(3);
  });
});
