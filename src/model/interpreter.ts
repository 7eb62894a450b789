/**
 * An interpreter for IR programs (see `ir.ts`): the fallback when `new Function` is forbidden
 * (Content-Security-Policy without `'unsafe-eval'`) and what `compile: false` selects.
 *
 * The program is encoded once into typed arrays over one slot vector
 * `[constants | parameters | variables | temporaries]`; evaluating a point is one pass over the
 * instructions with no allocation. Every operation is the same double operation, in the same
 * order, with the same function objects as the compiled JS kernels (`codegen-js.ts`), so the two
 * give bit-for-bit identical results.
 *
 * @module
 */

import type { DataColumns } from './model-kernel.ts';
import { RUNTIME_FUNCTIONS, runtimePow } from './functions.ts';
import type { Operand, Program } from './ir.ts';

const OP_ADD = 0;
const OP_SUB = 1;
const OP_MUL = 2;
const OP_DIV = 3;
const OP_NEG = 4;
const OP_POW = 5;
const OP_CALL1 = 6;
const OP_CALL2 = 7;
const OPCODES = { add: OP_ADD, sub: OP_SUB, mul: OP_MUL, div: OP_DIV, neg: OP_NEG, pow: OP_POW } as const;

/** A program encoded for interpretation. */
export class ProgramInterpreter {
  private readonly slots: Float64Array;
  private readonly code: Int32Array;
  private readonly argA: Int32Array;
  private readonly argB: Int32Array;
  private readonly fns: ((...a: number[]) => number)[];
  private readonly paramBase: number;
  private readonly varBase: number;
  private readonly tmpBase: number;
  private readonly valueSlot: number;
  private readonly gradientSlots: Int32Array;
  /** Number of parameters p. */
  readonly nParams: number;
  /** Number of variables k. */
  readonly nVariables: number;

  /** @param program - the IR program to interpret (its gradient may be empty for value-only programs). */
  constructor(program: Program) {
    const consts: number[] = [];
    const constSlot = (v: number): number => {
      const i = consts.findIndex((c) => Object.is(c, v));
      if (i >= 0) return i;
      consts.push(v);
      return consts.length - 1;
    };
    const all = [program.value, ...program.gradient, ...program.instructions.flatMap((i) => i.args)];
    for (const o of all) if (o.kind === 'const') constSlot(o.value);
    this.nParams = program.params.length;
    this.nVariables = program.variables.length;
    this.paramBase = consts.length;
    this.varBase = this.paramBase + this.nParams;
    this.tmpBase = this.varBase + this.nVariables;
    const slotOf = (o: Operand): number =>
      o.kind === 'const' ? constSlot(o.value) : o.kind === 'param' ? this.paramBase + o.index : o.kind === 'var' ? this.varBase + o.index : this.tmpBase + o.index;
    const m = program.instructions.length;
    this.slots = new Float64Array(this.tmpBase + m);
    this.slots.set(consts);
    this.code = new Int32Array(m);
    this.argA = new Int32Array(m);
    this.argB = new Int32Array(m);
    this.fns = [];
    program.instructions.forEach((ins, k) => {
      this.argA[k] = slotOf(ins.args[0]!);
      this.argB[k] = ins.args.length > 1 ? slotOf(ins.args[1]!) : 0;
      if (ins.op === 'call') {
        this.code[k] = ins.args.length === 1 ? OP_CALL1 : OP_CALL2;
        this.fns[k] = RUNTIME_FUNCTIONS[ins.fn!];
      } else {
        this.code[k] = OPCODES[ins.op];
      }
    });
    this.valueSlot = slotOf(program.value);
    this.gradientSlots = Int32Array.from(program.gradient, slotOf);
  }

  /** Load θ into the slot vector. */
  private loadParams(theta: Float64Array): void {
    for (let j = 0; j < this.nParams; j++) this.slots[this.paramBase + j] = theta[j]!;
  }

  /** Evaluate the instructions at data point `j`. */
  private run(x: readonly Float64Array[], j: number): void {
    const s = this.slots;
    for (let v = 0; v < this.nVariables; v++) s[this.varBase + v] = x[v]![j]!;
    const { code, argA, argB, fns, tmpBase } = this;
    const m = code.length;
    for (let k = 0; k < m; k++) {
      const a = s[argA[k]!]!;
      const b = s[argB[k]!]!;
      let r: number;
      switch (code[k]) {
        case OP_ADD: r = a + b; break;
        case OP_SUB: r = a - b; break;
        case OP_MUL: r = a * b; break;
        case OP_DIV: r = a / b; break;
        case OP_NEG: r = -a; break;
        case OP_POW: r = runtimePow(a, b); break;
        case OP_CALL1: r = fns[k]!(a); break;
        default: r = fns[k]!(a, b);
      }
      s[tmpBase + k] = r;
    }
  }

  /**
   * Weighted residuals w_i·(f_i − y_i) for points start … start+n−1 (see `ModelKernel.residuals`).
   * @param theta - parameters. @param data - data columns. @param start - first point.
   * @param n - number of points. @param out - output. @param outOffset - first index. @param outStride - stride.
   */
  residuals(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number, outStride: number): void {
    this.loadParams(theta);
    const { x, y, w } = data;
    for (let i = 0; i < n; i++) {
      const j = start + i;
      this.run(x, j);
      const wi = w === null ? 1 : w[j]!;
      out[outOffset + i * outStride] = wi * (this.slots[this.valueSlot]! - y[j]!);
    }
  }

  /**
   * Augmented rows `[w·∂f/∂θ_0 … w·∂f/∂θ_{p−1}, w·(f − y)]` (see `ModelKernel.residualRows`).
   * @param theta - parameters. @param data - data columns. @param start - first point.
   * @param n - number of points. @param out - output. @param outOffset - index of the first row.
   */
  residualRows(theta: Float64Array, data: DataColumns, start: number, n: number, out: Float64Array, outOffset: number): void {
    this.loadParams(theta);
    const { x, y, w } = data;
    const p = this.nParams;
    const s = this.slots;
    for (let i = 0; i < n; i++) {
      const j = start + i;
      this.run(x, j);
      const wi = w === null ? 1 : w[j]!;
      const o = outOffset + i * (p + 1);
      for (let g = 0; g < p; g++) out[o + g] = wi * s[this.gradientSlots[g]!]!;
      out[o + p] = wi * (s[this.valueSlot]! - y[j]!);
    }
  }
}
