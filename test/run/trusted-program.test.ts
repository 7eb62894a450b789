import { describe, expect, it } from 'vitest';
import { createWasmBackend, wasmSupport } from '../../src/backends/wasm/wasm-backend.ts';
import { curveFit, curveFitSync } from '../../src/curve-fit.ts';
import type { Instr, Program } from '../../src/model/ir.ts';
import type { FittableModel } from '../../src/model/model-kernel.ts';
import { Model, model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';
import { isBuiltModel, trustedProgram } from '../../src/model/trusted-program.ts';

// Issue 21, defect 6: a FittableModel whose createKernel is model A but whose program is not
// A's must fit A on every host backend — the program is compiled only for models nlsq built.
const A = model('a*exp(-b*x) + c');
const B = model('a*x^2 + b*x + c', { params: ['a', 'b', 'c'] });
const n = 400;
const x = Float64Array.from({ length: n }, (_, i) => (4 * i) / n);
const y = Float64Array.from(x, (t, i) => 2.5 * Math.exp(-1.3 * t) + 0.4 + 0.01 * Math.sin(31 * i));
const p0 = [1, 1, 0];
const support = await wasmSupport();
const hostBackends = ['cpu', ...(support.scalar ? ['wasm-scalar'] : []), ...(support.simd ? ['wasm-simd'] : [])];

/** An object that evaluates A through A's kernel but carries `program`. */
function impostor(program: Program): FittableModel & { readonly program: Program } {
  return { params: A.params, variables: A.variables, createKernel: (o) => A.createKernel(o), program };
}

/** A's program with each `exp` call replaced by `fn`. */
function withFunction(program: Program, fn: Instr['fn']): Program {
  return { ...program, instructions: program.instructions.map((ins) => (ins.op === 'call' && ins.fn === 'exp' ? { ...ins, fn } : ins)) };
}

const impostors: Readonly<Record<string, Program>> = {
  "another model's program": B.program,
  'swapped gradient entries': { ...A.program, gradient: [A.program.gradient[1]!, A.program.gradient[0]!, A.program.gradient[2]!] },
  'exp swapped for sinh': withFunction(A.program, 'sinh'),
};

describe("a model's program is compiled only when nlsq built the model", () => {
  it('brands model(), Model.fromJSON and the library models, and nothing else', () => {
    expect(trustedProgram(A)).toBe(A.program);
    expect(isBuiltModel(Model.fromJSON(A.toJSON()))).toBe(true);
    expect(trustedProgram(models.gaussian())).toBeDefined();
    expect(trustedProgram(impostor(A.program))).toBeUndefined();
    expect(trustedProgram({ ...A })).toBeUndefined(); // a copy loses the brand
    expect(trustedProgram((t: number) => t)).toBeUndefined();
    expect(trustedProgram(null)).toBeUndefined();
    class Sub extends Model {}
    expect(trustedProgram(new Sub('a*x'))).toBeUndefined(); // a subclass may override createKernel or program
    const altered = model('a*x + b');
    Object.defineProperty(altered, 'createKernel', { value: () => B.createKernel() });
    expect(trustedProgram(altered)).toBeUndefined();
  });

  it('fits A, the model its own kernel evaluates, on every host backend', async () => {
    const reference = await curveFit(A, x, y, { p0, backend: 'cpu' });
    expect(reference.success).toBe(true);
    for (const [what, program] of Object.entries(impostors)) {
      for (const backend of hostBackends) {
        const fit = await curveFit(impostor(program), x, y, { p0, backend });
        expect(fit.backend, `${what} on ${backend}`).toBe(backend);
        expect(fit.popt, `${what} on ${backend}`).toBeAllclose(reference.popt, { rtol: 1e-8 });
        if (backend !== 'cpu') expect(fit.choices.backend.reason).toMatch(/not one nlsq built .* own createKernel runs on wasm/);
      }
      const sync = curveFitSync(impostor(program), x, y, { p0, backend: await createWasmBackend() });
      expect(sync.popt, `${what}, synchronous`).toBeAllclose(reference.popt, { rtol: 1e-8 });
    }
  });

  it.skipIf(!support.scalar)('still compiles the program of a model nlsq built on wasm (no note in the reason)', async () => {
    const fit = await curveFit(A, x, y, { p0, backend: 'wasm' });
    expect(fit.choices.backend.reason).not.toMatch(/not one nlsq built/);
  });
});
