import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { NlsqRangeError } from '../../src/errors.ts';
import type { Instr, Operand, Program } from '../../src/model/ir.ts';
import { liveInstructions } from '../../src/model/liveness.ts';
import { model } from '../../src/model/model.ts';

const t = (index: number): Operand => ({ kind: 'tmp', index });
const x0: Operand = { kind: 'var', index: 0 };
const th0: Operand = { kind: 'param', index: 0 };

/** Independent reference: the temporaries reachable from the roots by a forward, recursive walk. */
function reachable(program: Program, roots: readonly Operand[]): Set<number> {
  const seen = new Set<number>();
  const visit = (o: Operand): void => {
    if (o.kind !== 'tmp' || seen.has(o.index)) return;
    seen.add(o.index);
    program.instructions[o.index]!.args.forEach(visit);
  };
  roots.forEach(visit);
  return seen;
}

/** A random straight-line SSA program: instruction i reads constants, θ0, x0 or temporaries < i. */
const programs = fc.integer({ min: 0, max: 25 }).chain((m) =>
  fc
    .tuple(
      fc.tuple(...Array.from({ length: m }, (_, i) =>
        fc.array(i === 0 ? fc.constantFrom(x0, th0) : fc.oneof(fc.constantFrom(x0, th0), fc.integer({ min: 0, max: i - 1 }).map(t)), { minLength: 1, maxLength: 2 }),
      )),
      fc.array(m === 0 ? fc.constant(x0) : fc.oneof(fc.constant(th0), fc.integer({ min: 0, max: m - 1 }).map(t)), { minLength: 1, maxLength: 3 }),
    )
    .map(([args, roots]) => ({
      program: {
        params: ['a'],
        variables: ['x'],
        instructions: args.map((a): Instr => (a.length === 1 ? { op: 'neg', args: a } : { op: 'add', args: a })),
        value: roots[0]!,
        gradient: [roots[1] ?? th0],
      } satisfies Program,
      roots,
    })),
);

describe('liveInstructions', () => {
  it('keeps only what f needs for a residual kernel, and everything the derivatives read for a gradient kernel', () => {
    const program: Program = {
      params: ['a'],
      variables: ['x'],
      instructions: [{ op: 'mul', args: [th0, x0] }, { op: 'neg', args: [x0] }, { op: 'add', args: [t(0), t(0)] }],
      value: t(0),
      gradient: [t(1)],
    };
    expect([...liveInstructions(program, [program.value])]).toEqual([1, 0, 0]);
    expect([...liveInstructions(program, [program.value, ...program.gradient])]).toEqual([1, 1, 0]);
    expect([...liveInstructions(program, [th0, x0, { kind: 'const', value: 2 }])]).toEqual([0, 0, 0]);
  });

  it('marks every instruction of a lowered model that f or its gradient reads', () => {
    const { program } = model('a*exp(-b*x) + c');
    const all = liveInstructions(program, [program.value, ...program.gradient]);
    expect([...all].every((v) => v === 1)).toBe(true); // lowering leaves no dead code
    const f = liveInstructions(program, [program.value]);
    expect(f.reduce((s, v) => s + v, 0)).toBeLessThan(program.instructions.length);
  });

  it('rejects a temporary outside the program, naming the caller', () => {
    const program: Program = { params: ['a'], variables: ['x'], instructions: [{ op: 'neg', args: [t(4)] }], value: t(0), gradient: [th0] };
    expect(() => liveInstructions(program, [t(1)], 'wasm codegen')).toThrow(/^wasm codegen: IR temporary index out of range: 1 \(the program has 1 instructions\)$/);
    expect(() => liveInstructions(program, [t(0)])).toThrow(NlsqRangeError);
    expect(() => liveInstructions(program, [t(-1)])).toThrow(/out of range: -1/);
    expect(() => liveInstructions(program, [t(0.5)])).toThrow(/out of range: 0.5/);
  });

  test.prop([programs])('marks exactly the instructions reachable from the roots', ({ program, roots }) => {
    const live = liveInstructions(program, roots);
    const want = reachable(program, roots);
    expect([...live]).toEqual(program.instructions.map((_, i) => (want.has(i) ? 1 : 0)));
  });
});
