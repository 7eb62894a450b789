import { describe, expect, it } from 'vitest';
import { IR_FUNCTIONS } from '../../src/model/ir.ts';
import { lowerToProgram } from '../../src/model/lower.ts';
import { model } from '../../src/model/model.ts';
import { RUNTIME_FUNCTIONS } from '../../src/model/functions.ts';

describe('lowerToProgram', () => {
  it('emits a straight-line SSA program whose instructions only read earlier temporaries', () => {
    const prog = lowerToProgram(model('a*exp(-((x - b)/c)^2) + d*log(x)'));
    expect(prog.params).toEqual(['a', 'b', 'c', 'd']);
    expect(prog.gradient).toHaveLength(4);
    prog.instructions.forEach((ins, i) => {
      for (const arg of ins.args) if (arg.kind === 'tmp') expect(arg.index).toBeLessThan(i);
      if (ins.op === 'call') expect(IR_FUNCTIONS[ins.fn!]).toBe(ins.args.length);
      else expect(ins.fn).toBeUndefined();
    });
  });

  it('expands small integer powers into products and keeps general powers', () => {
    const sq = lowerToProgram(model('a*x^2'));
    expect(sq.instructions.some((i) => i.op === 'pow')).toBe(false);
    const inv = lowerToProgram(model('a*x^-2'));
    expect(inv.instructions.some((i) => i.op === 'div' && i.args[0]!.kind === 'const' && i.args[0]!.value === 1)).toBe(true);
    const seventh = lowerToProgram(model('a*x^7'));
    expect(seventh.instructions.filter((i) => i.op === 'pow')).toHaveLength(1); // x^7, shared by f = a·x^7 and ∂f/∂a = x^7
    expect(Array.from(model('a*x^7').evaluate([1], [-2]))).toEqual([-128]);
    expect(Array.from(model('a*x^4').evaluate([1], [-3]))).toEqual([81]);
  });

  it('shares one temporary between f and every derivative that needs it', () => {
    const prog = lowerToProgram(model('a*exp(-b*x) + c'));
    const exps = prog.instructions.map((ins, i) => [ins, i] as const).filter(([ins]) => ins.fn === 'exp');
    expect(exps).toHaveLength(1);
    expect(prog.gradient[0]).toEqual({ kind: 'tmp', index: exps[0]![1] });
  });

  it('documents sign(0) = 0 and step(0) = 1 in the runtime every target must match', () => {
    expect(RUNTIME_FUNCTIONS.sign(0)).toBe(0);
    expect(RUNTIME_FUNCTIONS.sign(-2)).toBe(-1);
    expect(RUNTIME_FUNCTIONS.step(0)).toBe(1);
    expect(RUNTIME_FUNCTIONS.step(-1e-300)).toBe(0);
    expect(RUNTIME_FUNCTIONS.step(NaN)).toBeNaN();
  });
});
