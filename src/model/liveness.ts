/**
 * Liveness of an IR program: which instructions a set of results depends on.
 *
 * A {@link Program} is straight-line SSA, so one backward sweep suffices (dead-code elimination
 * by mark-and-sweep over the def-use graph; Aho, Lam, Sethi & Ullman, *Compilers*, 2nd ed.,
 * §9.2.5): mark the temporaries the roots read, then, from the last instruction to the first,
 * the operands of every marked instruction. Every code generator (WASM scalar and SIMD, WGSL)
 * emits exactly the instructions this pass marks — for a residual-only kernel (roots f) that drops
 * the derivative code; for a gradient kernel (roots f, ∂f/∂θ) nothing the derivatives need.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';
import type { Operand, Program } from './ir.ts';

/**
 * Mark the instructions `roots` depend on.
 *
 * @param program - the IR program.
 * @param roots - the operands whose values are wanted (e.g. `[program.value, ...program.gradient]`).
 * @param caller - name of the code generator, for the message.
 * @returns `live[i] === 1` when instruction i is needed, else 0 (length `program.instructions.length`).
 * @throws NlsqRangeError (argument `program`) when a root or a live instruction names a temporary
 *   that is not an instruction index of the program.
 * @example
 * ```ts
 * const { program } = model('a*exp(-b*x)');
 * liveInstructions(program, [program.value]); // only the instructions f needs
 * ```
 */
export function liveInstructions(program: Program, roots: readonly Operand[], caller = 'liveInstructions'): Uint8Array {
  const m = program.instructions.length;
  const live = new Uint8Array(m);
  const mark = (o: Operand): void => {
    if (o.kind !== 'tmp') return;
    if (!(Number.isInteger(o.index) && o.index >= 0 && o.index < m)) {
      throw new NlsqRangeError(`${caller}: IR temporary index out of range: ${String(o.index)} (the program has ${m} instructions)`, 'program');
    }
    live[o.index] = 1;
  };
  roots.forEach(mark);
  for (let i = m - 1; i >= 0; i--) if (live[i] === 1) program.instructions[i]!.args.forEach(mark);
  return live;
}
