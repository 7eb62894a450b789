import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { PRODUCT_CHAIN_MIN_FACTORS } from '../../src/model/differentiate.ts';
import { model, type Model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';

/** Π exp(pᵢ·x) or Π (x + pᵢ) over n parameters, left to right. */
function product(kind: 'exp' | 'shift', n: number): Model {
  const params = Array.from({ length: n }, (_, i) => `p${i}`);
  const factors = params.map((p) => (kind === 'exp' ? `exp(${p}*x)` : `(x + ${p})`));
  return model(factors.join('*'), { params });
}

/** f and ∂f/∂θ at one point, from the fused kernel. */
function rowAt(m: Model, theta: readonly number[], x: number): Float64Array {
  const out = new Float64Array(theta.length + 1);
  m.createKernel().residualRows(Float64Array.from(theta), { x: [Float64Array.of(x)], y: Float64Array.of(0), w: null }, 0, 1, out, 0);
  return out;
}

/** |a − b| ≤ tol·|b| (or both 0). */
function expectRelClose(a: number, b: number, tol: number, what: string): void {
  if (!(Math.abs(a - b) <= tol * Math.abs(b))) expect.fail(`${what}: ${a} vs ${b} (rel ${Math.abs(a - b) / Math.abs(b)})`);
}

describe('derivatives of products of many factors', () => {
  it('lower to a program that grows linearly in the number of factors (50, 100, 200)', () => {
    for (const kind of ['exp', 'shift'] as const) {
      const sizes = [50, 100, 200].map((n) => product(kind, n).program.instructions.length);
      // Exactly linear: each further factor adds the same number of instructions.
      expect(sizes[2]! - sizes[1]!).toBe(2 * (sizes[1]! - sizes[0]!));
      const perFactor = kind === 'exp' ? 7 : 4;
      expect(sizes[2]!).toBeLessThanOrEqual(perFactor * 200);
    }
    // (issue 21: before, 200 exp factors made 20,898 instructions and 1,000 shifts 501,498.)
    expect(product('exp', 200).program.instructions.length).toBeLessThan(1400);
  });

  it('keeps the programs of short products (the model library, Gauss) as they were', () => {
    expect(models.gaussian().program.instructions.length).toBe(18);
    expect(models.exponentialDecay().program.instructions.length).toBe(8);
    expect(models.dampedSine().program.instructions.length).toBe(18);
    expect(model('b1*exp(-b2*x) + b3*exp(-(x - b4)^2/b5^2) + b6*exp(-(x - b7)^2/b8^2)').program.instructions.length).toBe(43);
    expect(PRODUCT_CHAIN_MIN_FACTORS).toBe(4);
  });

  it('equals the closed forms x·f (exp factors) and f/(x + pᵢ) (shift factors)', () => {
    const n = 200;
    const theta = Array.from({ length: n }, (_, i) => ((i % 7) - 3) / (10 * n));
    const row = rowAt(product('exp', n), theta, 0.7);
    const f = Math.exp(0.7 * theta.reduce((s, t) => s + t, 0));
    expectRelClose(row[n]!, f, 1e-12, 'f');
    for (let i = 0; i < n; i++) expectRelClose(row[i]!, 0.7 * f, 1e-12, `∂f/∂p${i}`);
    const shifts = Array.from({ length: 50 }, (_, i) => 0.5 + (i % 5) / 10);
    const srow = rowAt(product('shift', 50), shifts, 0.3);
    const g = shifts.reduce((s, p) => s * (0.3 + p), 1);
    for (let i = 0; i < 50; i++) expectRelClose(srow[i]!, g / (0.3 + shifts[i]!), 1e-12, `∂g/∂p${i}`);
  });

  /** Factor kinds gᵢ(p, x) with ∂g/∂p, and their expression. */
  const KINDS: readonly { expr: (p: string) => string; g: (p: number, x: number) => number; dg: (p: number, x: number) => number }[] = [
    { expr: (p) => `exp(${p}*x)`, g: (p, x) => Math.exp(p * x), dg: (p, x) => x * Math.exp(p * x) },
    { expr: (p) => `(x + ${p})`, g: (p, x) => x + p, dg: () => 1 },
    { expr: (p) => `(${p}*x^2 + 1)`, g: (p, x) => p * x * x + 1, dg: (_, x) => x * x },
    { expr: (p) => `(sin(${p}*x) + 2)`, g: (p, x) => Math.sin(p * x) + 2, dg: (p, x) => x * Math.cos(p * x) },
    { expr: (p) => `x`, g: (_, x) => x, dg: () => 0 },
  ];

  /** A random parenthesisation of factor expressions (a chain of `*`, however grouped). */
  function group(items: readonly string[], splits: readonly number[], depth = 0): string {
    if (items.length === 1) return items[0]!;
    const at = 1 + (splits[depth % splits.length]! % (items.length - 1));
    return `(${group(items.slice(0, at), splits, depth + 1)})*(${group(items.slice(at), splits, depth + 1)})`;
  }

  test.prop([
    fc.array(fc.tuple(fc.nat(KINDS.length - 1), fc.double({ min: 0.2, max: 1.5, noNaN: true })), { minLength: PRODUCT_CHAIN_MIN_FACTORS, maxLength: 24 }),
    fc.array(fc.nat(50), { minLength: 1, maxLength: 8 }),
    fc.double({ min: 0.1, max: 1.5, noNaN: true }),
  ], { numRuns: 60 })('equal f·(∂gᵢ/∂pᵢ)/gᵢ for random products of random factors, however parenthesised', (factors, splits, x) => {
    const params = factors.map((_, i) => `p${i}`);
    const used = factors.map(([k], i) => (KINDS[k]!.expr(params[i]!).includes(params[i]!) ? params[i]! : null));
    const names = used.filter((p): p is string => p !== null);
    fc.pre(names.length > 0);
    const m = model(group(factors.map(([k], i) => KINDS[k]!.expr(params[i]!)), splits), { params: names });
    const theta = factors.flatMap(([, v], i) => (used[i] === null ? [] : [v]));
    const row = rowAt(m, theta, x);
    const f = factors.reduce((s, [k, v]) => s * KINDS[k]!.g(v, x), 1);
    expectRelClose(row[names.length]!, f, 1e-13 * factors.length, 'f');
    let j = 0;
    factors.forEach(([k, v], i) => {
      if (used[i] === null) return;
      const expected = (f / KINDS[k]!.g(v, x)) * KINDS[k]!.dg(v, x);
      if (expected === 0) expect(Math.abs(row[j]!)).toBeLessThanOrEqual(1e-14 * Math.abs(f));
      else expectRelClose(row[j]!, expected, 1e-12 * factors.length, `∂f/∂${names[j]}`);
      j++;
    });
  });

  test.prop([fc.double({ min: 0.2, max: 2, noNaN: true }), fc.double({ min: 0.2, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true })])(
    'sum the terms of a parameter in several factors: ∂f/∂a = f·(x/(ax + 1) + 1/(a + x) + b/(ab + 1))',
    (a, b, x) => {
      const m = model('(a*x + 1)*(a + x)*(b + x)*(a*b + 1)*(x + 2)', { params: ['a', 'b'] });
      const row = rowAt(m, [a, b], x);
      const f = (a * x + 1) * (a + x) * (b + x) * (a * b + 1) * (x + 2);
      expectRelClose(row[0]!, f * (x / (a * x + 1) + 1 / (a + x) + b / (a * b + 1)), 1e-13, '∂f/∂a');
      expectRelClose(row[1]!, f * (1 / (b + x) + a / (a * b + 1)), 1e-13, '∂f/∂b');
    },
  );

  it('prints the derivative of a long product as its cofactor (the product of the other factors)', () => {
    const m = product('shift', 6);
    expect(m.derivatives).toHaveLength(6);
    expect(m.derivatives[0]).toBe('(x + p1)*((x + p2)*((x + p3)*((x + p4)*(x + p5))))');
  });
});
