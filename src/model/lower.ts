/**
 * Lowering of resolved, simplified expression trees to the straight-line IR of `ir.ts`, with
 * common-subexpression elimination.
 *
 * Every compound node is keyed structurally (`nodeKey`); a node whose key was already emitted
 * reuses that temporary, so a subexpression shared by f and its derivatives (or repeated within
 * one of them) is computed once. Small integer powers (|n| ≤ 4) become multiplications by binary
 * exponentiation (x² = x·x, x⁴ = (x·x)·(x·x), x⁻² = 1/(x·x)), themselves shared.
 *
 * @module
 */

import { ModelParseError } from '../errors.ts';
import { nodeKey, type Node } from './ast.ts';
import { isIrFunction } from './functions.ts';
import { differentiate } from './differentiate.ts';
import type { Instr, Op, Operand, Program } from './ir.ts';
import { simplify } from './simplify.ts';

/** Output of {@link lowerNodes}. */
export interface LoweredNodes {
  /** The shared instruction list. */
  readonly instructions: Instr[];
  /** One operand per input root, in order. */
  readonly roots: Operand[];
}

class Lowerer {
  readonly instructions: Instr[] = [];
  private readonly byKey = new Map<string, Operand>();
  private readonly keys = new WeakMap<Node, string>();

  private emit(key: string, op: Op, args: Operand[], fn?: Instr['fn']): Operand {
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    const instr: Instr = fn === undefined ? { op, args } : { op, fn, args };
    this.instructions.push(instr);
    const operand: Operand = { kind: 'tmp', index: this.instructions.length - 1 };
    this.byKey.set(key, operand);
    return operand;
  }

  private operandKey(o: Operand): string {
    switch (o.kind) {
      case 'const':
        return Object.is(o.value, -0) ? 'k-0' : `k${o.value}`;
      case 'param':
        return `p${o.index}`;
      case 'var':
        return `v${o.index}`;
      case 'tmp':
        return `t${o.index}`;
    }
  }

  /** Emit (or reuse) `op(args)` keyed by its operands. */
  private op(op: Op, args: Operand[], fn?: Instr['fn']): Operand {
    const key = `#${fn ?? op}(${args.map((a) => this.operandKey(a)).join(',')})`;
    return this.emit(key, op, args, fn);
  }

  /** x^n for a small integer n ≠ 0 by binary exponentiation. */
  private integerPower(base: Operand, n: number): Operand {
    let exp = Math.abs(n);
    let result: Operand | null = null;
    let square = base;
    while (exp > 0) {
      if (exp & 1) result = result === null ? square : this.op('mul', [result, square]);
      exp >>= 1;
      if (exp > 0) square = this.op('mul', [square, square]);
    }
    return n < 0 ? this.op('div', [{ kind: 'const', value: 1 }, result!]) : result!;
  }

  lower(node: Node): Operand {
    switch (node.type) {
      case 'num':
        return { kind: 'const', value: node.value };
      case 'const':
        return { kind: 'const', value: node.value };
      case 'param':
        return { kind: 'param', index: node.index };
      case 'var':
        return { kind: 'var', index: node.index };
      case 'sym':
        throw new ModelParseError(`model: unresolved name '${node.name}'`, 0);
      default:
        return this.lowerCompound(node);
    }
  }

  private lowerCompound(node: Node): Operand {
    const key = nodeKey(node, this.keys);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    let result: Operand;
    if (node.type === 'neg') {
      result = this.op('neg', [this.lower(node.arg)]);
    } else if (node.type === 'bin') {
      const l = this.lower(node.left);
      const r = node.right;
      if (node.op === '^' && r.type === 'num' && Number.isInteger(r.value) && r.value !== 0 && Math.abs(r.value) <= 4) {
        result = this.integerPower(l, r.value);
      } else {
        const ops = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
        result = this.op(ops[node.op], [l, this.lower(r)]);
      }
    } else if (node.type === 'call') {
      if (!isIrFunction(node.fn)) throw new ModelParseError(`model: unknown function '${node.fn}'`, 0);
      result = this.op('call', node.args.map((a) => this.lower(a)), node.fn);
    } else {
      throw new ModelParseError('model: internal error: unexpected node', 0);
    }
    this.byKey.set(key, result);
    return result;
  }
}

/**
 * Lower several resolved trees into one shared straight-line program.
 *
 * @param roots - the trees (f first, then ∂f/∂θ_j), already simplified.
 * @returns the instructions and one operand per tree.
 * @throws ModelParseError on an unresolved symbol or unknown function (not reachable from `model()`).
 */
export function lowerNodes(roots: readonly Node[]): LoweredNodes {
  const l = new Lowerer();
  const operands = roots.map((r) => l.lower(r));
  return { instructions: l.instructions, roots: operands };
}

/** What {@link lowerToProgram} needs: a parsed, resolved expression and its parameter/variable names. */
export interface LowerableModel {
  /** The model expression's AST (symbols resolved to params / variables / constants). */
  readonly ast: Node;
  /** Parameter names, in order. */
  readonly params: readonly string[];
  /** Variable names, in order. */
  readonly variables: readonly string[];
}

/**
 * Lower a model to an IR {@link Program}: differentiate f with respect to every parameter,
 * simplify f and the derivatives, and emit one straight-line program with shared
 * subexpressions computed once (common-subexpression elimination by hash-consing).
 *
 * @param model - a `Model` (from `model(...)`) or anything with `ast`, `params`, `variables`.
 * @returns the program; `gradient[j]` holds ∂f/∂θ_j.
 * @example
 * ```ts
 * const prog = lowerToProgram(model('a*exp(-b*x)+c'));
 * prog.instructions.filter((i) => i.fn === 'exp').length; // 1
 * ```
 */
export function lowerToProgram(model: LowerableModel): Program {
  const f = simplify(model.ast);
  const grads = model.params.map((_, j) => simplify(differentiate(f, j)));
  const { instructions, roots } = lowerNodes([f, ...grads]);
  return {
    params: [...model.params],
    variables: [...model.variables],
    instructions,
    value: roots[0]!,
    gradient: roots.slice(1),
  };
}
