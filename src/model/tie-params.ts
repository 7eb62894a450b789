/**
 * Applying a {@link ParameterSet} to a model: which parameters the solver moves, the expression
 * tree of every parameter over those free ones (a fixed parameter is its number, a tie its
 * expression with the ties inside it substituted), and the derived expression model.
 *
 * The derived model is the model's expression with every fixed and tied parameter replaced by
 * its tree, printed and parsed again (the printer round-trips trees exactly), over the free
 * parameters only. So the solver's Jacobian has one column per free parameter, its derivatives
 * are exact, and every backend (JS, WASM, WGSL code generation) runs it unchanged; the fit is
 * exactly the fit of the model written with the substitution by hand.
 *
 * Standard errors of tied parameters follow by the delta method (lmfit propagates them the same
 * way, through the `uncertainties` package): with G the Jacobian ∂θ_all/∂θ_free (a unit row for
 * a free parameter, zeros for a fixed one, the tie's exact symbolic gradient for a tied one),
 * Cov(θ_all) = G · Cov(θ_free) · Gᵀ.
 *
 * @module
 */

import { NlsqRangeError } from '../errors.ts';
import type { Node } from './ast.ts';
import { differentiate } from './differentiate.ts';
import { foldTree, mapLeaves } from './fold-tree.ts';
import { RUNTIME_FUNCTIONS, runtimePow } from './functions.ts';
import type { IrFunctionName } from './ir.ts';
import { Model } from './model.ts';
import { paramKind, type ParamKind, type ParameterSet, type ParamSpec } from './params.ts';
import { parseExpression } from './parser.ts';
import { printNode } from './printer.ts';
import { resolveSymbols } from './resolve.ts';
import { simplify } from './simplify.ts';

/** A parameter set laid out against a model's parameters. */
export interface ParamLayout {
  /** Every name: the model's parameters in model order, then the set's other names in its order. */
  readonly names: readonly string[];
  /** Each name's kind. */
  readonly kinds: readonly ParamKind[];
  /** Positions in `names` of the free parameters, in the solver's order. */
  readonly free: readonly number[];
  /** Each parameter's starting value (a tie's expression at the free starting values). */
  readonly initial: Float64Array;
  /** Lower bounds (−∞ for none and for ties). */
  readonly min: Float64Array;
  /** Upper bounds (+∞ for none and for ties). */
  readonly max: Float64Array;
  /** Each parameter's tie, or undefined. */
  readonly exprs: readonly (string | undefined)[];
  /** Each parameter as a tree over the free parameters (`param` node index = solver position). */
  readonly trees: readonly Node[];
}

/** Bind each free name's `param` node to its solver index. */
function buildTrees(names: readonly string[], specs: readonly ParamSpec[], free: readonly number[]): Node[] {
  const trees: (Node | undefined)[] = new Array(names.length);
  const resolved = { params: names, variables: [] as string[] };
  const treeOf = (i: number): Node => {
    const done = trees[i];
    if (done !== undefined) return done;
    const spec = specs[i]!;
    let tree: Node;
    if (spec.expr !== undefined) {
      const tie = resolveSymbols(parseExpression(spec.expr).ast, resolved);
      tree = substitute(tie, (j) => treeOf(j));
    } else if (spec.vary) {
      tree = { type: 'param', index: free.indexOf(i), name: spec.name };
    } else {
      tree = { type: 'num', value: spec.value };
    }
    trees[i] = tree;
    return tree;
  };
  return names.map((_, i) => treeOf(i));
}

/** Replace every `param` node of `tree` by `replace(index)`. */
function substitute(tree: Node, replace: (index: number) => Node): Node {
  return mapLeaves(tree, (n) => (n.type === 'param' ? replace(n.index) : undefined));
}

/** Reject a cycle of ties (a → b → a), naming it. */
function checkCycles(caller: string, specs: readonly ParamSpec[], index: ReadonlyMap<string, number>): void {
  const state = new Uint8Array(specs.length); // 0 new, 1 on the path, 2 done
  const path: string[] = [];
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    const spec = specs[i]!;
    if (state[i] === 1) {
      const cycle = [...path.slice(path.indexOf(spec.name)), spec.name].join(' → ');
      throw new NlsqRangeError(`${caller}: params: the ties of ${spec.name} form a cycle (${cycle}); every expr must lead to parameters without one`, 'params');
    }
    state[i] = 1;
    path.push(spec.name);
    for (const u of spec.uses) visit(index.get(u)!);
    path.pop();
    state[i] = 2;
  };
  for (let i = 0; i < specs.length; i++) visit(i);
}

/**
 * Lay a parameter set out against a model's parameter names.
 *
 * @param caller - public function name for messages.
 * @param set - the parameters.
 * @param modelParams - the model's parameter names, in order.
 * @returns the layout.
 * @throws NlsqRangeError naming the parameter: a model parameter the set does not give, a name that
 *   is neither a model parameter, a tie nor used by one, a cycle of ties, a free auxiliary
 *   parameter no tie of the model reaches, or no free parameter at all.
 */
export function layoutParams(caller: string, set: ParameterSet, modelParams: readonly string[]): ParamLayout {
  const missing = modelParams.filter((p) => set.get(p) === undefined);
  if (missing.length > 0) {
    throw new NlsqRangeError(`${caller}: params must give every model parameter (${modelParams.join(', ')}); missing ${missing.map((m) => `'${m}'`).join(', ')}`, 'params');
  }
  const extras = set.list.filter((s) => !modelParams.includes(s.name));
  const usedByTies = new Set(set.list.flatMap((s) => s.uses));
  const unknown = extras.find((s) => s.expr === undefined && !usedByTies.has(s.name));
  if (unknown !== undefined) {
    throw new NlsqRangeError(
      `${caller}: params names '${unknown.name}', which is not a model parameter (${modelParams.join(', ')}) and no expr uses it ` +
        '(a parameter outside the model must be a tie or be used by one, as in the slack pattern)',
      'params',
    );
  }
  const specs = [...modelParams.map((p) => set.get(p)!), ...extras];
  const names = specs.map((s) => s.name);
  const index = new Map(names.map((n, i) => [n, i]));
  checkCycles(caller, specs, index);
  const reached = new Set<string>();
  const reach = (name: string): void => {
    if (reached.has(name)) return;
    reached.add(name);
    for (const u of set.get(name)!.uses) reach(u);
  };
  modelParams.forEach(reach);
  const stray = specs.find((s) => s.vary && s.expr === undefined && !reached.has(s.name));
  if (stray !== undefined) {
    throw new NlsqRangeError(`${caller}: params: '${stray.name}' varies but only ties outside the model use it, so the data cannot determine it; fix it (vary: false) or use it in the model's ties`, 'params');
  }
  const kinds = specs.map(paramKind);
  const free = kinds.flatMap((k, i) => (k === 'free' ? [i] : []));
  if (free.length === 0) throw new NlsqRangeError(`${caller}: params leaves no parameter to fit (every one is fixed or tied)`, 'params');
  const trees = buildTrees(names, specs, free);
  const x0 = Float64Array.from(free, (i) => specs[i]!.value);
  return {
    names, kinds, free, trees,
    initial: Float64Array.from(trees, (t) => evaluateTree(t, x0)),
    min: Float64Array.from(specs, (s) => s.min),
    max: Float64Array.from(specs, (s) => s.max),
    exprs: specs.map((s) => s.expr),
  };
}

/**
 * The value of a tree over the free parameters (no variables), with the kernels' own function
 * implementations.
 *
 * @param tree - a tree of {@link ParamLayout.trees}.
 * @param x - the free parameter values.
 * @returns its value.
 */
export function evaluateTree(tree: Node, x: ArrayLike<number>): number {
  return foldTree<number>(tree, (n, v) => {
    switch (n.type) {
      case 'num':
      case 'const':
        return n.value;
      case 'param':
        return x[n.index]!;
      case 'neg':
        return -v[0]!;
      case 'bin':
        switch (n.op) {
          case '+': return v[0]! + v[1]!;
          case '-': return v[0]! - v[1]!;
          case '*': return v[0]! * v[1]!;
          case '/': return v[0]! / v[1]!;
          case '^': return runtimePow(v[0]!, v[1]!);
        }
        break;
      case 'call':
        return n.fn === 'pow' ? runtimePow(v[0]!, v[1]!) : RUNTIME_FUNCTIONS[n.fn as IrFunctionName](...v);
      default:
        break;
    }
    return NaN; // 'sym' and 'var' do not occur in a layout's trees
  });
}

/**
 * G = ∂θ_all/∂θ_free at `x`, row-major (names × free): unit rows for free parameters, zero rows
 * for fixed ones, the exact symbolic gradient of the tie for tied ones.
 *
 * @param layout - the layout.
 * @param x - the free parameter values.
 * @returns G.
 */
export function tieJacobian(layout: ParamLayout, x: ArrayLike<number>): Float64Array {
  const f = layout.free.length;
  const g = new Float64Array(layout.names.length * f);
  layout.kinds.forEach((kind, i) => {
    if (kind === 'free') g[i * f + layout.free.indexOf(i)] = 1;
    else if (kind === 'tied') {
      const tree = simplify(layout.trees[i]!);
      for (let j = 0; j < f; j++) g[i * f + j] = evaluateTree(simplify(differentiate(tree, j)), x);
    }
  });
  return g;
}

/**
 * The model with the layout's fixed and tied parameters substituted, over the free parameters
 * (the model itself when nothing is substituted and no auxiliary parameter is added).
 *
 * @param model - the expression model.
 * @param layout - from {@link layoutParams} over `model.params`.
 * @returns the derived model.
 */
export function substituteModel(model: Model, layout: ParamLayout): Model {
  const p = model.params.length;
  if (layout.free.length === p && layout.free.every((i, j) => i === j)) return model;
  const ast = substitute(model.ast, (j) => layout.trees[j]!);
  const names = layout.free.map((i) => layout.names[i]!);
  // ['x'] is the default: passing it explicitly would reject a model that does not use x.
  const isDefault = model.variables.length === 1 && model.variables[0] === 'x';
  return new Model(printNode(ast), { params: names, ...(isDefault ? {} : { variables: model.variables }), name: model.name, ...(model.indicators === undefined ? {} : { indicators: model.indicators }) });
}
