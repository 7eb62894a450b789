/**
 * JavaScript code generation from the IR (see `ir.ts`) into `new Function` bodies.
 *
 * Only the IR is used: parameters, variables and temporaries become local names built from
 * their indices (`p0`, `v1`, `t7`), functions are taken from an array passed in as an argument
 * (`fn3`), and constants are printed by {@link formatJsNumber}, which accepts only numbers. No
 * text of the user's expression ever reaches the generated code. The generated kernels perform
 * the same operations, in the same order, with the same function objects as the interpreter
 * (`interpreter.ts`), so results agree bit for bit.
 *
 * Where `new Function` is forbidden (a Content-Security-Policy without `'unsafe-eval'`),
 * {@link compileProgram} returns null and the caller falls back to the interpreter.
 *
 * @module
 */

import { NlsqTypeError } from '../errors.ts';
import { RUNTIME_FUNCTIONS, runtimePow } from './functions.ts';
import type { IrFunctionName, Operand, Program } from './ir.ts';
import type { DataColumns } from './model-kernel.ts';

/** Signature of a compiled residual kernel. */
export type CompiledResiduals = (theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number, outStride: number) => void;
/** Signature of a compiled residual-rows kernel. */
export type CompiledResidualRows = (theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number) => void;

/**
 * Print a number as a JS literal that evaluates to exactly the same double.
 *
 * @param value - the number.
 * @returns the literal (`(-0)`, `NaN`, `Infinity`, `(-2.5)`, `1e-7`, …).
 * @throws NlsqTypeError if `value` is not a number (defence against a tampered IR).
 */
function formatJsNumber(value: number): string {
  if (typeof value !== 'number') throw new NlsqTypeError(`model: IR constant must be a number, got ${typeof value}`, 'program');
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '(-Infinity)';
  if (Object.is(value, -0)) return '(-0)';
  return value < 0 ? `(${String(value)})` : String(value);
}

function checkIndex(i: number): number {
  if (!Number.isInteger(i) || i < 0) throw new NlsqTypeError(`model: IR index must be a non-negative integer, got ${String(i)}`, 'program');
  return i;
}

function operand(o: Operand): string {
  switch (o.kind) {
    case 'const': return formatJsNumber(o.value);
    case 'param': return `p${checkIndex(o.index)}`;
    case 'var': return `v${checkIndex(o.index)}`;
    case 'tmp': return `t${checkIndex(o.index)}`;
  }
}

/** The per-point statements, plus the function table they use. */
function pointBody(program: Program, fnTable: ((...a: number[]) => number)[]): string[] {
  const fnIndex = new Map<IrFunctionName, number>();
  const lines: string[] = [];
  program.variables.forEach((_, v) => lines.push(`const v${v} = X${v}[j];`));
  program.instructions.forEach((ins, k) => {
    const a = ins.args.map(operand);
    let expr: string;
    switch (ins.op) {
      case 'add': expr = `${a[0]} + ${a[1]}`; break;
      case 'sub': expr = `${a[0]} - ${a[1]}`; break;
      case 'mul': expr = `${a[0]} * ${a[1]}`; break;
      case 'div': expr = `${a[0]} / ${a[1]}`; break;
      case 'neg': expr = `-${a[0]}`; break;
      case 'pow': expr = `POW(${a[0]}, ${a[1]})`; break;
      case 'call': {
        const f = RUNTIME_FUNCTIONS[ins.fn!];
        if (typeof f !== 'function') throw new NlsqTypeError(`model: unknown IR function`, 'program');
        let idx = fnIndex.get(ins.fn!);
        if (idx === undefined) {
          idx = fnTable.length;
          fnTable.push(f);
          fnIndex.set(ins.fn!, idx);
        }
        expr = `FN${idx}(${a.join(', ')})`;
        break;
      }
      default: throw new NlsqTypeError('model: unknown IR op', 'program');
    }
    lines.push(`const t${k} = ${expr};`);
  });
  return lines;
}

function header(program: Program, fnCount: number): string[] {
  const lines = ['"use strict";'];
  for (let i = 0; i < fnCount; i++) lines.push(`const FN${i} = FNS[${i}];`);
  return lines;
}

function prologue(program: Program): string[] {
  const lines: string[] = ['const X = data.x, y = data.y, w = data.w;'];
  program.params.forEach((_, j) => lines.push(`const p${j} = theta[${j}];`));
  program.variables.forEach((_, v) => lines.push(`const X${v} = X[${v}];`));
  return lines;
}

/**
 * The JavaScript source of both kernels of an expression model — `rows` (value and gradient per
 * point, for the Jacobian rows) and `residuals` (value only) — and the runtime functions they call
 * by index. What {@link compileProgram} compiles with `new Function`; readable for inspection.
 *
 * @param program - the IR of f and ∂f/∂θ.
 * @param valueProgram - the IR of f alone.
 * @returns both sources and the function table they index.
 */
export function generateJsSource(program: Program, valueProgram: Program): { rows: string; residuals: string; fns: ((...a: number[]) => number)[] } {
  const fns: ((...a: number[]) => number)[] = [];
  const full = pointBody(program, fns);
  const valueOnly = pointBody(valueProgram, fns);
  const p = program.params.length;
  const rowWrites = program.gradient.map((g, k) => `out[o + ${k}] = wi * ${operand(g)};`);
  const rows = [
    ...header(program, fns.length),
    'return function residualRows(theta, data, start, n, out, outOffset) {',
    ...prologue(program),
    'for (let i = 0; i < n; i++) {',
    'const j = start + i;',
    ...full,
    'const wi = w === null ? 1 : w[j];',
    `const o = outOffset + i * ${p + 1};`,
    ...rowWrites,
    `out[o + ${p}] = wi * (${operand(program.value)} - y[j]);`,
    '}',
    '};',
  ].join('\n');
  const residuals = [
    ...header(valueProgram, fns.length),
    'return function residuals(theta, data, start, n, out, outOffset, outStride) {',
    ...prologue(valueProgram),
    'for (let i = 0; i < n; i++) {',
    'const j = start + i;',
    ...valueOnly,
    'const wi = w === null ? 1 : w[j];',
    `out[outOffset + i * outStride] = wi * (${operand(valueProgram.value)} - y[j]);`,
    '}',
    '};',
  ].join('\n');
  return { rows, residuals, fns };
}

/**
 * Compile a program (f and gradient) and its value-only twin into JS kernels.
 *
 * @param program - the full program (from `lowerToProgram`).
 * @param valueProgram - a program computing only f (its gradient is ignored).
 * @returns the two kernels, or null when `new Function` is unavailable (CSP) — use the interpreter then.
 */
export function compileProgram(program: Program, valueProgram: Program): { residualRows: CompiledResidualRows; residuals: CompiledResiduals } | null {
  const src = generateJsSource(program, valueProgram);
  try {
    const residualRows = new Function('FNS', 'POW', src.rows)(src.fns, runtimePow) as CompiledResidualRows;
    const residuals = new Function('FNS', 'POW', src.residuals)(src.fns, runtimePow) as CompiledResiduals;
    return { residualRows, residuals };
  } catch (error) {
    if (error instanceof EvalError || (error instanceof Error && /unsafe-eval|Content Security|CSP|not allowed/i.test(error.message))) return null;
    throw error;
  }
}
