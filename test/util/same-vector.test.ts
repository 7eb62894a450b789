import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { sameVector } from '../../src/util/same-vector.ts';

describe('sameVector', () => {
  it('compares bit for bit: NaN equals NaN, −0 differs from +0, lengths must agree', () => {
    expect(sameVector(Float64Array.of(1, NaN), Float64Array.of(1, NaN))).toBe(true);
    expect(sameVector(Float64Array.of(0), Float64Array.of(-0))).toBe(false);
    expect(sameVector(Float64Array.of(1, 2), Float64Array.of(1))).toBe(false);
    expect(sameVector([], new Float64Array(0))).toBe(true);
  });

  test.prop([fc.array(fc.double()), fc.array(fc.double())])('agrees with comparing the bytes of two Float64Arrays', (a, b) => {
    const x = Float64Array.from(a);
    const y = Float64Array.from(b);
    const bytes = (v: Float64Array): string => Buffer.from(v.buffer).toString('hex');
    // NaN payloads all read back as one canonical NaN through Object.is, so compare canonicalised bytes.
    const canon = (v: Float64Array): Float64Array => v.map((t) => (Number.isNaN(t) ? NaN : t));
    expect(sameVector(x, y)).toBe(bytes(canon(x)) === bytes(canon(y)));
    expect(sameVector(x, Float64Array.from(x))).toBe(true);
  });
});
