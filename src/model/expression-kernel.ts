/**
 * The {@link ModelKernel} of an expression model: compiled JS kernels when `new Function` is
 * allowed (and `compile` is not false), otherwise the IR interpreter — with identical results.
 *
 * @module
 */

import { compileProgram, type CompiledResidualRows, type CompiledResiduals } from './codegen-js.ts';
import { ProgramInterpreter } from './interpreter.ts';
import type { Program } from './ir.ts';
import type { DataColumns, KernelBlock, ModelKernel } from './model-kernel.ts';

/** How an {@link ExpressionKernel} evaluates: generated JS or the IR interpreter. */
export type KernelMode = 'compiled' | 'interpreted';

/** Compiled kernels of one model, or null when compilation is unavailable. */
export type CompiledKernels = { residualRows: CompiledResidualRows; residuals: CompiledResiduals } | null;

/**
 * A fused analytic kernel for an expression model.
 *
 * `residualRows` writes `[w·∂f/∂θ_0 … w·∂f/∂θ_{p−1}, w·(f − y)]` per point in one pass (f and all
 * derivatives share their common subexpressions); `residuals` computes only f.
 */
export class ExpressionKernel implements ModelKernel {
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of variables k. */
  readonly nVariables: number;
  /** Always true: derivatives are exact (symbolic). */
  readonly analyticJacobian = true;
  /** Whether this kernel runs generated JS or the interpreter. */
  readonly mode: KernelMode;
  /** The blocks of a stacked model (see {@link ModelKernel.blocks}), if it has them. */
  readonly blocks?: readonly KernelBlock[];
  private readonly rowsImpl: CompiledResidualRows;
  private readonly residualsImpl: CompiledResiduals;

  /**
   * @param program - f and its gradient.
   * @param valueProgram - f only.
   * @param compiled - compiled kernels (from `compileProgram`), or null to interpret.
   * @param blocks - the blocks of a stacked model, if any.
   */
  constructor(program: Program, valueProgram: Program, compiled: CompiledKernels, blocks?: readonly KernelBlock[]) {
    if (blocks !== undefined) this.blocks = blocks;
    this.nParams = program.params.length;
    this.nVariables = program.variables.length;
    if (compiled !== null) {
      this.mode = 'compiled';
      this.rowsImpl = compiled.residualRows;
      this.residualsImpl = compiled.residuals;
    } else {
      this.mode = 'interpreted';
      const full = new ProgramInterpreter(program);
      const value = new ProgramInterpreter(valueProgram);
      this.rowsImpl = (t, d, s, n, o, off) => full.residualRows(t, d, s, n, o, off);
      this.residualsImpl = (t, d, s, n, o, off, st) => value.residuals(t, d, s, n, o, off, st);
    }
  }

  /** See {@link ModelKernel.residuals}. */
  residuals(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number, outStride: number): void {
    this.residualsImpl(theta, data, start, n, out, outOffset, outStride);
  }

  /** See {@link ModelKernel.residualRows}. */
  residualRows(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number): void {
    this.rowsImpl(theta, data, start, n, out, outOffset);
  }
}

/**
 * Try to compile; null when `new Function` is forbidden.
 *
 * @param program - f and gradient. @param valueProgram - f only.
 * @returns the compiled kernels or null.
 */
export function tryCompile(program: Program, valueProgram: Program): CompiledKernels {
  return compileProgram(program, valueProgram);
}
