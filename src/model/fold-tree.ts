/**
 * Bottom-up folds of expression trees without recursion, so that the depth of a tree is bounded
 * by memory, not by the call stack: a flat sum of 3000 terms is a left-leaning chain 3000 nodes
 * deep, which recursive passes (resolution, printing, simplification, differentiation, lowering)
 * cannot walk on a default stack.
 *
 * @module
 */

import type { Node } from './ast.ts';

/** What {@link foldTree} remembers folded nodes in: a `Map`, or a `WeakMap` that lets folded trees be collected. */
export interface FoldMemo<T> {
  /** Whether the node was folded. */
  has(node: Node): boolean;
  /** The node's value, if folded. */
  get(node: Node): T | undefined;
  /** Remember the node's value. */
  set(node: Node, value: T): unknown;
}

/**
 * Fold a tree bottom-up with an explicit stack: `combine(node, values)` receives the values of the
 * node's children (the argument of a negation, the left and right operands of a binary
 * operation, the arguments of a call) in order, and is called once per distinct node (trees may
 * share subtrees), in the order a recursive post-order walk would call it — a node's first child
 * and everything below it before its second child, children before their parent.
 *
 * @param root - the tree.
 * @param combine - the value of a node from the values of its children.
 * @param memo - values of nodes already folded (shared between folds of trees with common
 *   subtrees); filled with every node of `root`.
 * @param children - optional: the children to fold a node from instead of its own operands (a
 *   node for which it returns null has its usual children). `differentiate.ts` folds a chain of
 *   `*` from its factors, skipping the chain's inner products. It must return the same nodes
 *   each time it is asked about a node.
 * @returns the value of `root`.
 */
export function foldTree<T>(
  root: Node,
  combine: (node: Node, children: readonly T[]) => T,
  memo: FoldMemo<T> = new Map<Node, T>(),
  children?: (node: Node) => readonly Node[] | null,
): T {
  const nodes: Node[] = [root];
  const expanded: boolean[] = [false];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    if (!expanded[top]) {
      if (memo.has(node)) {
        nodes.pop();
        expanded.pop();
        continue;
      }
      expanded[top] = true;
      const own = children?.(node) ?? null;
      if (own !== null) {
        for (let i = own.length - 1; i >= 0; i--) {
          nodes.push(own[i]!);
          expanded.push(false);
        }
      } else if (node.type === 'bin') {
        nodes.push(node.right, node.left);
        expanded.push(false, false);
      } else if (node.type === 'neg') {
        nodes.push(node.arg);
        expanded.push(false);
      } else if (node.type === 'call') {
        for (let i = node.args.length - 1; i >= 0; i--) {
          nodes.push(node.args[i]!);
          expanded.push(false);
        }
      }
      continue;
    }
    nodes.pop();
    expanded.pop();
    let values: T[];
    const own = children?.(node) ?? null;
    if (own !== null) values = own.map((c) => memo.get(c)!);
    else if (node.type === 'bin') values = [memo.get(node.left)!, memo.get(node.right)!];
    else if (node.type === 'neg') values = [memo.get(node.arg)!];
    else if (node.type === 'call') values = node.args.map((a) => memo.get(a)!);
    else values = [];
    memo.set(node, combine(node, values));
  }
  return memo.get(root)!;
}

/**
 * Rebuild a tree bottom-up, replacing its leaves: `leaf(node)` gives the replacement of a leaf
 * (or of any node it chooses to replace whole), `undefined` keeps the node; negations, binary
 * operations and calls are rebuilt over their rebuilt children. Iterative like {@link foldTree}.
 * Name resolution (`sym` → `param`/`var`/`const`) and parameter substitution (named parameters'
 * fixed values and ties) are both this map.
 *
 * @param root - the tree.
 * @param leaf - the replacement of a leaf node, or undefined to keep it.
 * @returns the rebuilt tree (nodes without a replaced descendant are rebuilt too; the input is not changed).
 * @example
 * ```ts
 * mapLeaves(parseExpression('a*x').ast, (n) => (n.type === 'sym' && n.name === 'a' ? num(2) : undefined)); // 2*x
 * ```
 */
export function mapLeaves(root: Node, leaf: (node: Node) => Node | undefined): Node {
  return foldTree<Node>(root, (n, kids) => {
    switch (n.type) {
      case 'neg':
        return { type: 'neg', arg: kids[0]! };
      case 'bin':
        return { type: 'bin', op: n.op, left: kids[0]!, right: kids[1]! };
      case 'call':
        return { type: 'call', fn: n.fn, args: [...kids] };
      default:
        return leaf(n) ?? n;
    }
  });
}
