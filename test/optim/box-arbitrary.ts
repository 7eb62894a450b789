/** fast-check arbitrary shared by the bound and scaling tests. */
import { fc } from '@fast-check/vitest';

const F = (a: number[]) => Float64Array.from(a);

/** A box with some infinite sides and a point strictly inside it. */
export const boxAndPoint = fc
  .array(
    fc.record({
      lo: fc.oneof(fc.constant(-Infinity), fc.double({ min: -10, max: 0, noNaN: true })),
      width: fc.double({ min: 0.01, max: 10, noNaN: true }),
      hiInf: fc.boolean(),
      u: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      s: fc.double({ min: -5, max: 5, noNaN: true }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((cols) => {
    const lb = F(cols.map((c) => c.lo));
    const ub = F(cols.map((c) => (c.hiInf ? Infinity : (Number.isFinite(c.lo) ? c.lo : -1) + c.width)));
    const x = F(
      cols.map((c, i) => {
        const lo = Number.isFinite(lb[i]!) ? lb[i]! : ub[i]! - 20;
        const hi = Number.isFinite(ub[i]!) ? ub[i]! : lo + 20;
        return Number.isFinite(lb[i]!) || Number.isFinite(ub[i]!) ? lo + c.u * (hi - lo) : c.u;
      }),
    );
    return { lb, ub, x, s: F(cols.map((c) => c.s)) };
  });
