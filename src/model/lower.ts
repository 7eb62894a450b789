/**
 * Lowering of resolved, simplified expression trees to the straight-line IR of `ir.ts`, with
 * common-subexpression elimination.
 *
 * Every instruction is keyed by its operation and operands (hash-consing); an instruction whose
 * key was already emitted reuses that temporary, so a subexpression shared by f and its
 * derivatives (or repeated within one of them) is computed once — structurally equal subtrees
 * lower to equal operands, hence to the same temporaries. Trees are walked without recursion. Small integer powers (|n| ≤ 4) become multiplications by binary
 * exponentiation (x² = x·x, x⁴ = (x·x)·(x·x), x⁻² = 1/(x·x)), themselves shared.
 *
 * @module
 */

import { ModelParseError, NlsqRangeError } from '../errors.ts';
import type { Node } from './ast.ts';
import { foldTree } from './fold-tree.ts';
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

/**
 * Most instructions in the program of one model (f and all its derivatives together): 2^18. A
 * larger one is an NlsqRangeError rather than minutes of work and gigabytes of memory. (Products
 * of many factors stay far below it: their derivatives share prefix and suffix products, see
 * `differentiate.ts`, so 1,000 factors `(x + pᵢ)` lower to ~4,000 instructions.)
 */
export const MAX_PROGRAM_INSTRUCTIONS = 2 ** 18;

class Lowerer {
  readonly instructions: Instr[] = [];
  private readonly byKey = new Map<string, Operand>();
  private readonly lowered = new WeakMap<Node, Operand>(); // weak: a derivative's tree can go once lowered

  private emit(key: string, op: Op, args: Operand[], fn?: Instr['fn']): Operand {
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    if (this.instructions.length === MAX_PROGRAM_INSTRUCTIONS) {
      throw new NlsqRangeError(
        `model: f and its derivatives need more than ${MAX_PROGRAM_INSTRUCTIONS} instructions (MAX_PROGRAM_INSTRUCTIONS); write a model this large as a function f(x, ...params)`,
        'expression',
      );
    }
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

  /** Lower a tree without recursion (any depth); nodes met before, in this tree or an earlier one, are not lowered again. */
  lower(node: Node): Operand {
    return foldTree<Operand>(node, (n, kids) => this.lowerOne(n, kids), this.lowered);
  }

  /** One node, its children already lowered. */
  private lowerOne(node: Node, kids: readonly Operand[]): Operand {
    switch (node.type) {
      case 'num':
      case 'const':
        return { kind: 'const', value: node.value };
      case 'param':
        return { kind: 'param', index: node.index };
      case 'var':
        return { kind: 'var', index: node.index };
      case 'sym':
        throw new ModelParseError(`model: unresolved name '${node.name}'`, 0);
      case 'neg':
        return this.op('neg', [kids[0]!]);
      case 'bin': {
        const r = node.right;
        if (node.op === '^' && r.type === 'num' && Number.isInteger(r.value) && r.value !== 0 && Math.abs(r.value) <= 4) {
          return this.integerPower(kids[0]!, r.value);
        }
        const ops = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
        return this.op(ops[node.op], [kids[0]!, kids[1]!]);
      }
      case 'call':
        if (!isIrFunction(node.fn)) throw new ModelParseError(`model: unknown function '${node.fn}'`, 0);
        return this.op('call', [...kids], node.fn);
    }
  }
}

/**
 * Lower several resolved trees into one shared straight-line program.
 *
 * @param roots - the trees (f first, then ∂f/∂θ_j), already simplified; any iterable, read once.
 * @returns the instructions and one operand per tree.
 * @throws ModelParseError on an unresolved symbol or unknown function (not reachable from `model()`);
 *   NlsqRangeError past 2^18 instructions (`MAX_PROGRAM_INSTRUCTIONS`).
 */
export function lowerNodes(roots: Iterable<Node>): LoweredNodes {
  const l = new Lowerer();
  const operands: Operand[] = [];
  for (const r of roots) operands.push(l.lower(r));
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
 * @throws NlsqRangeError past 2^18 instructions (`MAX_PROGRAM_INSTRUCTIONS`).
 * @example
 * ```ts
 * const prog = lowerToProgram(model('a*exp(-b*x)+c'));
 * prog.instructions.filter((i) => i.fn === 'exp').length; // 1
 * ```
 */
export function lowerToProgram(model: LowerableModel): Program {
  const f = simplify(model.ast);
  const p = model.params.length;
  // One weak memo for all derivatives: the subtrees they share (the prefix and suffix products
  // of a product's derivatives) are simplified once and lowered once; the rest can go.
  const simplified = new WeakMap<Node, Node>();
  function* trees(): Generator<Node> {
    yield f;
    for (let j = 0; j < p; j++) yield simplify(differentiate(f, j), simplified); // built one at a time, lowered, then free
  }
  const { instructions, roots } = lowerNodes(trees());
  return {
    params: [...model.params],
    variables: [...model.variables],
    instructions,
    value: roots[0]!,
    gradient: roots.slice(1),
  };
}
