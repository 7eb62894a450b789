import { afterEach, describe, expect, it, vi } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { model } from '../../src/model/model.ts';
import { generateJsSource } from '../../src/model/codegen-js.ts';
import { printNode } from '../../src/model/printer.ts';
import { exprTree } from './arbitraries.ts';

const data = (xs: number[][], y: number[], w: number[] | null) => ({
  x: xs.map((c) => Float64Array.from(c)),
  y: Float64Array.from(y),
  w: w === null ? null : Float64Array.from(w),
});

describe('ExpressionKernel', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('writes [w·∂f/∂θ, w·(f − y)] rows at the requested offset and window', () => {
    const m = model('a*exp(-b*x) + c');
    const k = m.createKernel();
    expect(k.analyticJacobian).toBe(true);
    expect([k.nParams, k.nVariables]).toEqual([3, 1]);
    const d = data([[0, 1, 2, 3]], [1, 2, 3, 4], [1, 2, 0.5, 4]);
    const out = new Float64Array(2 + 2 * 4).fill(-7);
    k.residualRows(Float64Array.of(2, 0.5, 1), d, 1, 2, out, 2);
    const e1 = Math.exp(-0.5);
    const e2 = Math.exp(-1);
    expect([out[0], out[1]]).toEqual([-7, -7]);
    expect(Array.from(out.subarray(2))).toEqual([2 * e1, 2 * -(2 * (e1 * 1)), 2 * 1, 2 * (2 * e1 + 1 - 2), 0.5 * e2, 0.5 * -(2 * (e2 * 2)), 0.5, 0.5 * (2 * e2 + 1 - 3)]);
    const res = new Float64Array(5);
    k.residuals(Float64Array.of(2, 0.5, 1), d, 1, 2, res, 1, 3);
    expect(res[1]).toBe(out[5]);
    expect(res[4]).toBe(out[9]);
  });

  it('computes exp once for a*exp(-b*x) + c (common-subexpression elimination)', () => {
    const prog = model('a*exp(-b*x) + c').program;
    expect(prog.instructions.filter((i) => i.op === 'call' && i.fn === 'exp')).toHaveLength(1);
    expect(prog.gradient[2]).toEqual({ kind: 'const', value: 1 });
    const g = model('exp(-((x - m)/s)^2) * a').program;
    expect(g.instructions.filter((i) => i.fn === 'exp')).toHaveLength(1);
    expect(g.instructions.filter((i) => i.op === 'pow')).toHaveLength(0); // squares become products
  });

  it('generates code from the IR only: no identifier of the expression reaches the source', () => {
    const m = model('constructor*exp(-__proto__*x) + toString', { variables: ['x'] });
    const src = generateJsSource(m.program, m.valueProgram);
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(src.rows).not.toContain(name);
      expect(src.residuals).not.toContain(name);
    }
    expect(Array.from(m.evaluate([2, 0.5, 1], [0, 1]))).toEqual([3, 2 * Math.exp(-0.5) + 1]);
  });

  it('falls back to the interpreter when new Function is forbidden (CSP)', () => {
    const m = model('a*sin(b*x)');
    vi.stubGlobal('Function', function forbidden() {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed");
    });
    const k = m.createKernel();
    vi.unstubAllGlobals();
    expect(k.mode).toBe('interpreted');
    expect(m.createKernel({ compile: false }).mode).toBe('interpreted');
    const out = new Float64Array(3);
    k.residualRows(Float64Array.of(2, 3), data([[0.5]], [1], null), 0, 1, out, 0);
    expect(out[2]).toBe(2 * Math.sin(3 * 0.5) - 1);
  });

  const columns = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 5, maxLength: 5 });
  test.prop([exprTree(['a', 'b', 'x', 'z'], 4), fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })), columns, columns, columns, fc.boolean()], { numRuns: 200 })(
    'interpreter and compiled kernels agree bit for bit (Object.is on every entry)',
    (tree, [a, b], x, z, y, weighted) => {
      const text = printNode(tree);
      const used = (['x', 'z'] as const).filter((v) => new RegExp(`\\b${v}\\b`).test(text)); // a listed variable must be used
      const m = model(text, { params: ['a', 'b'], variables: [...used] });
      const d = data(used.map((v) => (v === 'x' ? x : z)), y, weighted ? y.map((v) => Math.abs(v) + 0.5) : null);
      const theta = Float64Array.of(a, b);
      const compiled = m.createKernel({ compile: true });
      const interpreted = m.createKernel({ compile: false });
      expect(compiled.mode).toBe('compiled');
      const r1 = new Float64Array(3 * 5);
      const r2 = new Float64Array(3 * 5);
      compiled.residualRows(theta, d, 0, 5, r1, 0);
      interpreted.residualRows(theta, d, 0, 5, r2, 0);
      for (let i = 0; i < r1.length; i++) expect(Object.is(r1[i], r2[i]), `row entry ${i} of ${m.expression}`).toBe(true);
      const v1 = new Float64Array(5);
      const v2 = new Float64Array(5);
      compiled.residuals(theta, d, 0, 5, v1, 0, 1);
      interpreted.residuals(theta, d, 0, 5, v2, 0, 1);
      for (let i = 0; i < 5; i++) {
        expect(Object.is(v1[i], v2[i])).toBe(true);
        expect(Object.is(v1[i], r1[i * 3 + 2])).toBe(true);
      }
    },
  );
});
