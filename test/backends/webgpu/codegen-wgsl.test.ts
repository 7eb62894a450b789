import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { generateWgslPointBody, wgslF32Literal } from '../../../src/backends/webgpu/codegen-wgsl.ts';
import { NlsqRangeError } from '../../../src/errors.ts';
import type { Program } from '../../../src/model/ir.ts';
import { expDecayProgram } from './ir-reference.ts';

const x0 = { kind: 'var', index: 0 } as const;
const th = (index: number) => ({ kind: 'param', index }) as const;
const c = (value: number) => ({ kind: 'const', value }) as const;
const t = (index: number) => ({ kind: 'tmp', index }) as const;

function oneCall(fn: 'erf' | 'log10' | 'hypot' | 'sqrt', args: Program['instructions'][number]['args']): Program {
  return { params: ['a'], variables: ['x'], instructions: [{ op: 'call', fn, args }], value: t(0), gradient: [c(0)] };
}

describe('wgslF32Literal', () => {
  it('reads non-finite and out-of-range constants from the uniform, since WGSL forbids them as literals', () => {
    expect(wgslF32Literal(Number.NaN)).toBe('cfg.nan');
    expect(wgslF32Literal(Number.POSITIVE_INFINITY)).toBe('cfg.inf');
    expect(wgslF32Literal(-1e39)).toBe('(-cfg.inf)');
  });

  it('writes negative constants parenthesised with the f suffix', () => {
    expect(wgslF32Literal(-2)).toBe('(-2f)');
    expect(wgslF32Literal(-0)).toBe('(-0.0f)');
  });

  test.prop([fc.double({ noNaN: true, min: -3e38, max: 3e38 })], { numRuns: 300 })(
    'denotes exactly the nearest f32 of every finite constant in range',
    (v) => {
      const lit = wgslF32Literal(v);
      const numeric = Number(lit.replace(/[()]/g, '').replace(/f$/, ''));
      expect(Object.is(numeric, Math.fround(v)) || numeric === Math.fround(v)).toBe(true);
    },
  );
});

describe('generateWgslPointBody', () => {
  it('emits one let per live instruction and names f and the gradient', () => {
    const body = generateWgslPointBody(expDecayProgram(), true);
    expect(body.statements.split('\n')).toHaveLength(7);
    expect(body.statements).toContain('let t2: f32 = exp(t1);');
    expect(body.value).toBe('t4');
    expect(body.gradient).toEqual(['t2', 't6', '1f']);
    expect(body.usedParams).toEqual([0, 1, 2]);
    expect(body.usedVariables).toEqual([0]);
    expect(body.helpers).toBe('');
  });

  it('drops the instructions only the derivatives need when the gradient is not requested', () => {
    const body = generateWgslPointBody(expDecayProgram(), false);
    expect(body.gradient).toEqual([]);
    expect(body.statements).not.toContain('t5');
    expect(body.statements).not.toContain('t6');
    expect(body.statements).toContain('let t4: f32 = t3 + th2;');
  });

  it('computes constant integer powers by binary exponentiation and other powers by the Math.pow helper', () => {
    const prog: Program = {
      params: ['a'],
      variables: ['x'],
      instructions: [
        { op: 'pow', args: [x0, c(7)] },
        { op: 'pow', args: [x0, th(0)] },
        { op: 'add', args: [t(0), t(1)] },
      ],
      value: t(2),
      gradient: [c(0)],
    };
    const body = generateWgslPointBody(prog, true);
    expect(body.statements).toContain('nl_powi(x0, 7)');
    expect(body.statements).toContain('nl_pow(x0, th0)');
    expect(body.helpers).toContain('fn nl_powi(');
    expect(body.helpers).toContain('fn nl_pow(');
  });

  it('emits the helpers a function needs, dependencies first', () => {
    const erf = generateWgslPointBody(oneCall('erf', [x0]), true).helpers;
    expect(erf.indexOf('fn nl_erfc(')).toBeGreaterThanOrEqual(0);
    expect(erf.indexOf('fn nl_erfc(')).toBeLessThan(erf.indexOf('fn nl_erf('));
    const log10 = generateWgslPointBody(oneCall('log10', [x0]), true).helpers;
    expect(log10.indexOf('fn nl_log2(')).toBeLessThan(log10.indexOf('fn nl_log10('));
    expect(generateWgslPointBody(oneCall('hypot', [x0, th(0)]), true).statements).toContain('nl_hypot(x0, th0)');
    expect(generateWgslPointBody(oneCall('sqrt', [x0]), true).helpers).toContain('cfg.nan');
  });

  it('rejects a parameter index out of range, naming the counts', () => {
    const prog: Program = { params: ['a'], variables: ['x'], instructions: [], value: th(3), gradient: [c(1)] };
    expect(() => generateWgslPointBody(prog, true)).toThrow(NlsqRangeError);
    expect(() => generateWgslPointBody(prog, true)).toThrow(/param 3 is out of range \(1 params, 1 variables\)/);
  });

  it('rejects a result read from a temporary the program does not define', () => {
    const prog: Program = { params: ['a'], variables: ['x'], instructions: [{ op: 'neg', args: [x0] }], value: t(3), gradient: [c(1)] };
    expect(() => generateWgslPointBody(prog, false)).toThrow(/^generateWgslPointBody: IR temporary index out of range: 3/);
  });

  it('rejects an instruction that reads a temporary defined later', () => {
    const prog: Program = {
      params: ['a'],
      variables: ['x'],
      instructions: [{ op: 'neg', args: [t(1)] }, { op: 'neg', args: [x0] }],
      value: t(0),
      gradient: [c(0)],
    };
    expect(() => generateWgslPointBody(prog, true)).toThrow(/instruction 0 reads temporary 1, not yet defined/);
  });

  it('rejects a gradient whose length differs from the parameter count', () => {
    const prog: Program = { params: ['a', 'b'], variables: ['x'], instructions: [], value: th(0), gradient: [c(1)] };
    expect(() => generateWgslPointBody(prog, true)).toThrow(/one entry per parameter \(2\), got 1/);
  });
});
