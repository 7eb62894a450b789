/**
 * A model rebuilt from its IR on the other side of a worker boundary.
 *
 * A worker cannot receive a `Model` object (it crosses by structured clone, which keeps no
 * prototype and no closure), but it can receive the model's IR: the `Program` of f and its
 * gradient and the `Program` of f alone (`model/ir.ts`, plain data). {@link modelFromProgram} turns
 * those back into a {@link FittableModel} whose kernel is the same {@link ExpressionKernel} the
 * main thread builds from the same programs — generated JavaScript from the same instruction list
 * (or the interpreter when the main thread interprets), hence the same arithmetic bit for bit — and
 * registers it as a model the library built, so that a backend that compiles IR (the WASM
 * generators) trusts its program (`trusted-program.ts`). What does not cross is what the IR does
 * not hold: `estimateP0` and the default bounds (the main thread applies those before sending).
 *
 * @module
 */
import { ExpressionKernel, tryCompile, type CompiledKernels } from './expression-kernel.ts';
import type { Program } from './ir.ts';
import type { FittableModel } from './model-kernel.ts';
import { registerBuiltModel } from './trusted-program.ts';

/** A model's IR as it crosses to a worker. */
export interface ModelProgram {
  /** f and its gradient (common subexpressions shared). */
  readonly program: Program;
  /** f only (the residual-only path). */
  readonly valueProgram: Program;
  /** Whether the kernel runs generated JavaScript (true) or the IR interpreter (false), as on the main thread. */
  readonly compiled: boolean;
}

/**
 * Rebuild a model from its IR (see the module documentation).
 *
 * @param ir - the two programs and the kernel mode of the main thread's kernel.
 * @returns a model whose kernel evaluates those programs; trusted by `trustedProgram`.
 * @example
 * ```ts
 * const m = model('a*exp(-b*x)');
 * const copy = modelFromProgram({ program: m.program, valueProgram: m.valueProgram, compiled: true });
 * copy.createKernel(); // the same generated kernel as m.createKernel()
 * ```
 */
export function modelFromProgram(ir: ModelProgram): FittableModel {
  const { program, valueProgram } = ir;
  let compiled: CompiledKernels | undefined;
  const model: FittableModel = {
    params: [...program.params],
    variables: [...program.variables],
    createKernel(options: { readonly compile?: boolean } = {}): ExpressionKernel {
      if (!(options.compile ?? ir.compiled)) return new ExpressionKernel(program, valueProgram, null);
      compiled ??= tryCompile(program, valueProgram);
      return new ExpressionKernel(program, valueProgram, compiled);
    },
  };
  registerBuiltModel(model, () => program);
  return model;
}
