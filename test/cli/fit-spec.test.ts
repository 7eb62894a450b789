/**
 * The pieces of the command line that need no subprocess: the `--param` grammar, `--p0`, model
 * names and variables, the whitespace-text transform and the column glob.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseP0, parseParamFlag, paramsInput, resolveModel } from '../../src/cli/fit-spec.ts';
import { matchColumns } from '../../src/cli/table.ts';
import { whitespaceToCommas } from '../../src/cli/whitespace-text.ts';

const C = 'nlsq fit';

async function transform(blocks: string[]): Promise<string> {
  async function* gen(): AsyncGenerator<Uint8Array> {
    for (const b of blocks) yield new TextEncoder().encode(b);
  }
  let out = '';
  for await (const b of whitespaceToCommas(gen())) out += new TextDecoder().decode(b);
  return out;
}

describe('--param', () => {
  it('reads value, fixed, bounds (one-sided, inf) and ties', () => {
    expect(parseParamFlag('c=0:fixed', C)).toEqual({ name: 'c', spec: { value: 0, vary: false } });
    expect(parseParamFlag('b=1:0..10', C)).toEqual({ name: 'b', spec: { value: 1, min: 0, max: 10 } });
    expect(parseParamFlag('b=1:0..', C)).toEqual({ name: 'b', spec: { value: 1, min: 0, max: Infinity } });
    expect(parseParamFlag('b=-2:-inf..-1e-3', C)).toEqual({ name: 'b', spec: { value: -2, min: -Infinity, max: -1e-3 } });
    expect(parseParamFlag('w=2*s', C)).toEqual({ name: 'w', spec: { expr: '2*s' } });
    for (const bad of ['b', '1b=2', 'b=1:2..1', 'b=1:fixd', 'w=2*s:fixed', 'b=1:0..1:2', 'b=']) {
      expect(() => parseParamFlag(bad, C), bad).toThrow(/^nlsq fit: --param /);
    }
  });

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true })])(
    'round-trips any finite value and bounds written with String()',
    (v, a, b) => {
      fc.pre(a < b);
      // String(-0) is '0': compare with -0 read as 0
      expect(parseParamFlag(`p=${v}:${a}..${b}`, C).spec).toEqual({ value: v + 0, min: a + 0, max: b + 0 });
    },
  );

  it('fills the unflagged parameters from the start values within the default bounds', () => {
    const m = resolveModel('gaussian', ['x'], C);
    const input = paramsInput(['mu=5:0..10'], m, [2, 3, -1], C);
    expect(input).toEqual({ a: { value: 2, min: -Infinity, max: Infinity }, mu: { value: 5, min: 0, max: 10 }, sigma: { value: 0, min: 0, max: Infinity } });
    expect(() => paramsInput(['nu=1'], m, [1, 1, 1], C)).toThrow('nlsq fit: --param nu: the model has no parameter nu (parameters: a, mu, sigma)');
  });
});

describe('--p0 and --model', () => {
  it('reads p0 values or auto, and names the count', () => {
    expect(parseP0('1, 2.5e-3 ,0', ['a', 'b', 'c'], C)).toEqual([1, 2.5e-3, 0]);
    expect(parseP0('auto', ['a'], C)).toBe('auto');
    expect(() => parseP0('1,x,2', ['a', 'b', 'c'], C)).toThrow('--p0 value 2 (b) must be a finite number, got "x"');
  });

  it('takes library names (polynomial:DEGREE) and uses the --x column names as variables when the expression does', () => {
    expect(resolveModel('polynomial:3', ['t'], C).params).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(resolveModel('a*exp(-b*time)', ['time'], C).variables).toEqual(['time']);
    expect(resolveModel('a*exp(-b*x)', ['time'], C).variables).toEqual(['x']);
    expect(resolveModel('a*u + b*v', ['u', 'v'], C).variables).toEqual(['u', 'v']);
    expect(() => resolveModel('polynomial', [], C)).toThrow('--model polynomial needs a degree');
  });
});

describe('whitespace text', () => {
  it('turns blank runs into one comma and drops blanks at line ends, across blocks', async () => {
    expect(await transform(['  1.5\t 2  3 \n', '4 ', '  5\t\t6\r\n#  c  d\n'])).toBe('1.5,2,3\n4,5,6\r\n#,c,d\n');
  });

  test.prop([fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 20 }), fc.array(fc.constantFrom(' ', '\t', '  ', ' \t '), { minLength: 1 }), fc.integer({ min: 1, max: 7 })])(
    'gives the comma-joined rows for any blanks and any block split',
    async (rows, blanks, blockSize) => {
      let k = 0;
      const blank = (): string => blanks[k++ % blanks.length]!;
      const text = rows.map((r) => blank() + r.map(String).join(blank()) + blank()).join('\n') + '\n';
      const blocks: string[] = [];
      for (let i = 0; i < text.length; i += blockSize) blocks.push(text.slice(i, i + blockSize));
      expect(await transform(blocks)).toBe(rows.map((r) => r.map(String).join(',')).join('\n') + '\n');
    },
  );
});

describe('--columns', () => {
  it('matches header names by glob, in file order', () => {
    expect(matchColumns(['x', 'y1', 'y2', 'ya.b', 'z'], 'y*')).toEqual(['y1', 'y2', 'ya.b']);
    expect(matchColumns(['x', 'y1', 'y22'], 'y?')).toEqual(['y1']);
    expect(matchColumns(['a.b', 'axb'], 'a.b')).toEqual(['a.b']);
  });
});
