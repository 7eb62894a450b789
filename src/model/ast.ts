/**
 * The abstract syntax tree of model expressions, and small constructors for it.
 *
 * The parser produces `sym` nodes for identifiers; {@link resolveSymbols} (in `resolve.ts`)
 * turns them into `param`, `var` or `const` (the named constants `pi` and `e`). Differentiation,
 * simplification, printing and lowering work on resolved trees. Nodes are immutable plain
 * objects, so a tree is serialisable and can be shared between derivatives.
 *
 * @module
 */

/** Binary operators: + − · / and ^ (power, right-associative). */
export type BinaryOperator = '+' | '-' | '*' | '/' | '^';

/** Named mathematical constants usable in expressions. */
export const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

/** An expression tree node. */
export type Node =
  | {
      /** A number literal. */
      readonly type: 'num';
      /** The number. */
      readonly value: number;
    }
  | {
      /** An unresolved identifier (parser output, before symbol resolution). */
      readonly type: 'sym';
      /** The identifier. */
      readonly name: string;
    }
  | {
      /** A parameter θ_j. */
      readonly type: 'param';
      /** j, the parameter's position in the model's `params`. */
      readonly index: number;
      /** The parameter's name. */
      readonly name: string;
    }
  | {
      /** A variable x_k. */
      readonly type: 'var';
      /** k, the variable's position in the model's `variables`. */
      readonly index: number;
      /** The variable's name. */
      readonly name: string;
    }
  | {
      /** A named constant (`pi` or `e`). */
      readonly type: 'const';
      /** The constant's name. */
      readonly name: string;
      /** The constant's value. */
      readonly value: number;
    }
  | {
      /** Unary minus. */
      readonly type: 'neg';
      /** The negated operand. */
      readonly arg: Node;
    }
  | {
      /** A binary operation. */
      readonly type: 'bin';
      /** The operator. */
      readonly op: BinaryOperator;
      /** The left operand. */
      readonly left: Node;
      /** The right operand. */
      readonly right: Node;
    }
  | {
      /** A function call. */
      readonly type: 'call';
      /** The function's name. */
      readonly fn: string;
      /** The arguments, in order. */
      readonly args: readonly Node[];
    };

/** A number literal node. @param value - the number. @returns the node. */
export function num(value: number): Node {
  return { type: 'num', value };
}

/** A negation node −a. @param arg - a. @returns the node. */
export function neg(arg: Node): Node {
  return { type: 'neg', arg };
}

/** A binary node `left op right`. @param op - operator. @param left - left operand. @param right - right operand. @returns the node. */
export function bin(op: BinaryOperator, left: Node, right: Node): Node {
  return { type: 'bin', op, left, right };
}

/** A function call node. @param fn - function name. @param args - arguments. @returns the node. */
export function call(fn: string, ...args: Node[]): Node {
  return { type: 'call', fn, args };
}

/** True when `node` is the number literal `value` (a `num` node, compared with `Object.is` except ±0). @param node - node. @param value - number. */
export function isNum(node: Node, value: number): boolean {
  return node.type === 'num' && node.value === value;
}
