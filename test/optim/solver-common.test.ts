import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { triangleGradient, unpackTriangle } from '../../src/optim/solver-common.ts';

/** An augmented triangle T = [R z; 0 ρ] of p + 1 columns from arbitrary values. */
const triangle = fc.integer({ min: 1, max: 8 }).chain((p) =>
  fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: (p + 1) * (p + 1), maxLength: (p + 1) * (p + 1) }).map((v) => {
    const c = p + 1;
    const T = Float64Array.from(v);
    for (let i = 0; i < c; i++) for (let j = 0; j < i; j++) T[i * c + j] = 0;
    return { p, T };
  }),
);

describe('the gradient from the folded triangle', () => {
  test.prop([triangle], { numRuns: 60 })('g = Rᵀz read in place equals the product over the unpacked R and z, to the bit', ({ p, T }) => {
    const { R, z, g } = unpackTriangle(T, p);
    const expected = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      if (z[i] === 0) continue; // as upperTransposeMatVec: a zero z_i adds nothing (not even −0 + 0)
      for (let j = i; j < p; j++) expected[j] = expected[j]! + R[i * p + j]! * z[i]!;
    }
    expect([...triangleGradient(T, p)]).toEqual([...expected]);
    expect([...g]).toEqual([...expected]);
    expect([...triangleGradient(T, p, z)]).toEqual([...expected]);
  });
});
