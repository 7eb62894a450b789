import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bin, num, type Node } from '../../src/model/ast.ts';
import { foldTree, mapLeaves } from '../../src/model/fold-tree.ts';
import { exprTree } from './arbitraries.ts';

/** Reference: the recursive post-order walk foldTree replaces, with the same once-per-node memo. */
function recursiveOrder(node: Node, seen: Set<Node>, out: Node[]): void {
  if (seen.has(node)) return;
  if (node.type === 'neg') recursiveOrder(node.arg, seen, out);
  if (node.type === 'bin') {
    recursiveOrder(node.left, seen, out);
    recursiveOrder(node.right, seen, out);
  }
  if (node.type === 'call') for (const a of node.args) recursiveOrder(a, seen, out);
  seen.add(node);
  out.push(node);
}

/** Share subtrees at random: replace some right operands by an earlier subtree (a DAG, as derivatives are). */
function share(tree: Node, picks: number[]): Node {
  const pool: Node[] = [];
  let k = 0;
  return foldTree<Node>(tree, (n, kids) => {
    let out: Node = n;
    if (n.type === 'bin') {
      const pick = picks[k++ % picks.length]!;
      out = { ...n, left: kids[0]!, right: pick >= 0 && pool.length > 0 ? pool[pick % pool.length]! : kids[1]! };
    } else if (n.type === 'neg') out = { ...n, arg: kids[0]! };
    else if (n.type === 'call') out = { ...n, args: [...kids] };
    pool.push(out);
    return out;
  });
}

describe('foldTree', () => {
  test.prop([exprTree(['a', 'b', 'x'], 6), fc.array(fc.integer({ min: -3, max: 40 }), { minLength: 1, maxLength: 9 })], { numRuns: 300 })(
    'combines every distinct node once, children first, in the order of the recursive post-order walk',
    (tree, picks) => {
      const dag = share(tree, picks);
      const order: Node[] = [];
      foldTree<number>(dag, (n, kids) => {
        order.push(n);
        return kids.reduce((s, v) => s + v, 1);
      });
      const expected: Node[] = [];
      recursiveOrder(dag, new Set(), expected);
      expect(order).toEqual(expected);
      expect(order.every((n, i) => order.indexOf(n) === i)).toBe(true);
    },
  );

  it('folds a chain 200000 nodes deep without recursion, and reuses a memo across folds', () => {
    let chain: Node = num(0);
    for (let i = 1; i <= 200_000; i++) chain = bin('+', chain, num(i));
    const memo = new Map<Node, number>();
    const sum = (n: Node, kids: readonly number[]) => (n.type === 'num' ? n.value : kids[0]! + kids[1]!);
    expect(foldTree(chain, sum, memo)).toBe(20000100000);
    let calls = 0;
    expect(foldTree(bin('*', chain, num(2)), (n, k) => (calls++, sum(n, k)), memo)).toBe(20000100000 + 2);
    expect(calls).toBe(2); // only the new root and the new leaf
  });
});

describe('foldTree with children', () => {
  it('folds a node from the children it is given, skipping the nodes between', () => {
    // ((1·2)·3)·4 folded as one product of its four leaves: the inner products are never visited.
    const flat = [num(1), num(2), num(3), num(4)];
    const inner = bin('*', bin('*', flat[0]!, flat[1]!), flat[2]!);
    const root = bin('*', inner, flat[3]!);
    const visited: Node[] = [];
    const sum = foldTree<number>(
      root,
      (n, kids) => {
        visited.push(n);
        return n.type === 'num' ? n.value : kids.reduce((s, k) => s + k, 0);
      },
      new Map(),
      (n) => (n === root ? flat : null),
    );
    expect(sum).toBe(10);
    expect(visited).toEqual([...flat, root]);
    expect(visited).not.toContain(inner);
  });
});

describe('mapLeaves', () => {
  it('replaces chosen leaves, rebuilds the operations above them and leaves the input unchanged', () => {
    const x: Node = { type: 'var', index: 0, name: 'x' };
    const a: Node = { type: 'param', index: 0, name: 'a' };
    const tree: Node = { type: 'call', fn: 'exp', args: [bin('*', { type: 'neg', arg: a }, x)] };
    const out = mapLeaves(tree, (n) => (n.type === 'param' ? num(2) : undefined));
    expect(out).toEqual({ type: 'call', fn: 'exp', args: [bin('*', { type: 'neg', arg: num(2) }, x)] });
    expect((tree as { args: Node[] }).args[0]).toEqual(bin('*', { type: 'neg', arg: a }, x));
  });

  test.prop([exprTree(['a', 'b', 'x'], 6)])('the identity map gives an equal tree', (t) => {
    expect(mapLeaves(t, () => undefined)).toEqual(t);
  });
});
