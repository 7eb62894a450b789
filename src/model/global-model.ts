/**
 * The problem of a shared-parameter ("global") fit, built as one expression model: datasets
 * i = 0 … k−1, each with its model f_i and its own x, are stacked into one residual vector, and
 *
 *   F(row; θ) = Σ_i d_i(row) · f_i(x_i(row); θ_i)
 *
 * where d_i is an indicator column (1 on dataset i's rows, 0 elsewhere) and x_i are dataset i's
 * variables as their own columns (on other datasets' rows they hold dataset i's first point, where
 * f_i is finite whenever the fit of dataset i is, so that 0·f_i stays 0). θ_i maps each parameter
 * of f_i to a global one: a shared parameter keeps its name, an own one becomes `name_i`.
 *
 * Being an ordinary expression model, F has an exact symbolic Jacobian (∂F/∂θ_own of another
 * dataset is d_i·∂f_i = 0 exactly on a row outside it), every backend compiles it, and every
 * strategy (standard, chunked, streaming) walks it like any model. Its indicators are declared
 * (`ModelOptions.indicators`), so its kernel carries the blocks (`kernel-blocks.ts`): the data
 * walk evaluates only f_i on dataset i's rows and folds them into the sub-triangle of dataset i's
 * columns (its own parameters, ordered first, and the shared ones it uses) — the own-parameter
 * blocks never mix, and a fit of k datasets costs about one fit of their concatenation. (The
 * WebGPU device path and the worker pool evaluate the full stacked model.)
 *
 * The approach follows lmfit's multi-dataset example (a hand-written residual that concatenates
 * the datasets' residuals, https://lmfit.github.io/lmfit-py/examples/example_fit_multi_datasets.html),
 * with the stacking done once, symbolically.
 *
 * @module
 */

import { describeValue, NlsqRangeError, NlsqTypeError } from '../errors.ts';
import { bin, type Node } from './ast.ts';
import { mapLeaves } from './fold-tree.ts';
import { derivedModel, Model } from './model.ts';
import { isParameterSet, params, type ParameterSet, type ParamInput, type ParamSpec } from './params.ts';
import { parseExpression } from './parser.ts';
import { printNode } from './printer.ts';

/** Whether a dataset shares a parameter with the others or has its own copy. */
export type ParamSharing = 'shared' | 'own';

/** The model side of one dataset of a global fit. */
export interface GlobalModelPart {
  /** The dataset's expression model. */
  readonly model: Model;
  /** Per-parameter sharing (default 'shared'); names are the model's parameter names. */
  readonly params?: Readonly<Record<string, ParamSharing>>;
}

/** The stacked model and how each dataset's parameters map onto it. */
export interface GlobalModel {
  /** F over the global parameters; variables: per dataset its indicator, then its variables. */
  readonly model: Model;
  /** Per dataset: model parameter name → global parameter name. */
  readonly names: readonly Readonly<Record<string, string>>[];
  /** Per dataset: its first variable's position in `model.variables` (the indicator), then its variables follow. */
  readonly columnStart: readonly number[];
}

/** The global name of dataset i's own copy of a parameter. @param name - the parameter. @param i - the dataset. */
export function ownName(name: string, i: number): string {
  return `${name}_${i}`;
}

/** Check a dataset's sharing map and return its own names. */
function ownSet(caller: string, part: GlobalModelPart, i: number): Set<string> {
  const own = new Set<string>();
  if (part.params === undefined) return own;
  if (typeof part.params !== 'object' || part.params === null) {
    throw new NlsqTypeError(`${caller}: datasets[${i}].params must be an object { name: 'shared' | 'own' }, got ${describeValue(part.params)}`, 'datasets');
  }
  for (const [name, how] of Object.entries(part.params)) {
    if (!part.model.params.includes(name)) {
      throw new NlsqRangeError(`${caller}: datasets[${i}].params names '${name}', which is not a parameter of its model (${part.model.params.join(', ')})`, 'datasets');
    }
    if (how !== 'shared' && how !== 'own') {
      throw new NlsqRangeError(`${caller}: datasets[${i}].params.${name} must be 'shared' or 'own', got ${describeValue(how)}`, 'datasets');
    }
    if (how === 'own') own.add(name);
  }
  return own;
}

/**
 * Build the stacked model of a global fit.
 *
 * @param caller - public function name for messages.
 * @param parts - each dataset's model and sharing.
 * @returns the stacked model and the name maps.
 * @throws NlsqTypeError for a dataset without an expression model; NlsqRangeError naming the
 *   parameter for a sharing entry of an unknown name or value, or an own name that clashes with
 *   another parameter.
 */
export function buildGlobalModel(caller: string, parts: readonly GlobalModelPart[]): GlobalModel {
  const names: Record<string, string>[] = [];
  const columnStart: number[] = [];
  const variables: string[] = [];
  const globalParams: string[] = [];
  let sum: Node | undefined;
  parts.forEach((part, i) => {
    if (!(part.model instanceof Model)) {
      throw new NlsqTypeError(`${caller}: datasets[${i}].model must be an expression model (model('…') or models.*), got ${describeValue(part.model)}`, 'datasets');
    }
    const own = ownSet(caller, part, i);
    const map: Record<string, string> = {};
    for (const p of part.model.params) map[p] = own.has(p) ? ownName(p, i) : p;
    names.push(map);
    columnStart.push(variables.length);
    const indicator = `d__${i}`;
    variables.push(indicator, ...part.model.variables.map((v) => `${v}__${i}`));
    for (const p of part.model.params) if (!globalParams.includes(map[p]!)) globalParams.push(map[p]!);
    const renamed = mapLeaves(part.model.ast, (n) => {
      if (n.type === 'param') return { type: 'param', index: 0, name: map[n.name]! };
      if (n.type === 'var') return { type: 'var', index: 0, name: `${n.name}__${i}` };
      return undefined;
    });
    const term = bin('*', { type: 'var', index: 0, name: indicator }, renamed);
    sum = sum === undefined ? term : bin('+', sum, term);
  });
  const clash = names.flatMap((m, i) => Object.entries(m).filter(([p, g]) => p !== g && names.some((o, j) => j !== i && o[g] === g)).map(([, g]) => g))[0];
  if (clash !== undefined) {
    throw new NlsqRangeError(`${caller}: the own copy '${clash}' clashes with a shared parameter of the same name in another dataset; rename that parameter`, 'datasets');
  }
  // Own parameters first (dataset by dataset), then the shared ones: the order in which each
  // dataset's columns are closed under the fold's fill with nothing added (`kernel-blocks.ts`).
  const ownFirst = [...globalParams.filter((g) => !isShared(g, names)), ...globalParams.filter((g) => isShared(g, names))];
  const indicators = parts.map((_, i) => `d__${i}`);
  const model = derivedModel(printNode(sum!), { params: ownFirst, variables, indicators, name: `global(${parts.map((q) => q.model.name).join(', ')})` });
  return { model, names, columnStart };
}

/** Whether a global parameter is a shared one (some dataset's model parameter of the same name). */
function isShared(g: string, names: readonly Readonly<Record<string, string>>[]): boolean {
  return names.some((m) => m[g] === g);
}

/** A tie's expression with dataset i's own names. */
function renameExpr(expr: string, own: ReadonlySet<string>, i: number): string {
  const ast = mapLeaves(parseExpression(expr).ast, (n) => (n.type === 'sym' && own.has(n.name) ? { type: 'sym', name: ownName(n.name, i) } : undefined));
  return printNode(ast);
}

function specInput(s: ParamSpec, expr: string | undefined): ParamInput {
  if (expr !== undefined) return { expr };
  return { value: s.value, min: s.min, max: s.max, vary: s.vary };
}

/**
 * The global parameter set from a set over the datasets' own names: a shared parameter once, an
 * own parameter copied per dataset (`A` → `A_0`, `A_2`, …) with the same value, bounds and
 * `vary`; a tie is copied per dataset when it uses an own parameter, with the own names renamed.
 *
 * @param caller - for messages.
 * @param input - the set (or its plain-object form) over the datasets' parameter names.
 * @param global - from {@link buildGlobalModel}.
 * @returns the set over the global names.
 * @throws NlsqRangeError naming the parameter when a shared tie uses a parameter that is own in
 *   some dataset, or the errors of {@link params}.
 */
export function globalParams(caller: string, input: ParameterSet | Readonly<Record<string, ParamInput>>, global: GlobalModel): ParameterSet {
  const set = isParameterSet(input) ? input : params(input);
  const out: Record<string, ParamInput> = {};
  const origin = new Map<string, string>();
  const modelParams = new Set(global.names.flatMap((m) => Object.keys(m)));
  global.names.forEach((map, i) => {
    const own = new Set(Object.entries(map).filter(([p, g]) => p !== g).map(([p]) => p));
    for (const s of set.list) {
      // Another dataset's model parameter: not this dataset's business.
      if (modelParams.has(s.name) && map[s.name] === undefined) continue;
      // A tie that uses an own parameter is per dataset, as is a parameter marked own.
      const usesOwn = s.expr !== undefined && s.uses.some((u) => own.has(u));
      if (usesOwn && map[s.name] === s.name) {
        throw new NlsqRangeError(
          `${caller}: params: ${s.name} is shared in datasets[${i}] but its tie ${s.name} = ${s.expr} uses ${s.uses.filter((u) => own.has(u)).join(', ')}, which is 'own' there; mark ${s.name} 'own' too`,
          'params',
        );
      }
      const name = own.has(s.name) || usesOwn ? ownName(s.name, i) : s.name;
      const expr = s.expr === undefined ? undefined : renameExpr(s.expr, own, i);
      const entry = specInput(s, expr);
      const before = out[name];
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(entry)) {
        throw new NlsqRangeError(`${caller}: params: ${s.name} differs between datasets[${i}] and ${origin.get(name)} (its tie ${s.name} = ${s.expr} uses a parameter that is 'own' in one and 'shared' in the other); mark them the same way in every dataset`, 'params');
      }
      if (before === undefined) {
        out[name] = entry;
        origin.set(name, `datasets[${i}]`);
      }
    }
  });
  return params(out);
}

/** One dataset's data as columns. */
export interface GlobalDataPart {
  /** Its variables' columns (each of length n_i). */
  readonly x: readonly Float64Array[];
  /** Observations (length n_i). */
  readonly y: Float64Array;
  /** Per-point σ (length n_i), or undefined for 1. */
  readonly sigma?: Float64Array | undefined;
}

/** The stacked data of a global fit. */
export interface StackedData {
  /** Columns in the order of the stacked model's variables. */
  readonly x: Float64Array[];
  /** The observations, dataset after dataset. */
  readonly y: Float64Array;
  /** Per-point σ, or undefined when no dataset gives one. */
  readonly sigma: Float64Array | undefined;
  /** Row offsets: dataset i is rows [offsets[i], offsets[i+1]). */
  readonly offsets: readonly number[];
}

/**
 * Stack the datasets' data for the model of {@link buildGlobalModel}: the indicator of each
 * dataset, its variables on its rows and its first point elsewhere; σ = 1 for a dataset without
 * sigma when another has one.
 *
 * @param parts - each dataset's columns, in the order of the global model.
 * @returns the stacked columns.
 */
export function stackData(parts: readonly GlobalDataPart[]): StackedData {
  const offsets = [0];
  for (const q of parts) offsets.push(offsets[offsets.length - 1]! + q.y.length);
  const n = offsets[offsets.length - 1]!;
  const x: Float64Array[] = [];
  parts.forEach((q, i) => {
    const indicator = new Float64Array(n);
    indicator.fill(1, offsets[i]!, offsets[i + 1]!);
    x.push(indicator);
    for (const col of q.x) {
      const c = new Float64Array(n).fill(col[0] ?? 0);
      c.set(col, offsets[i]!);
      x.push(c);
    }
  });
  const y = new Float64Array(n);
  parts.forEach((q, i) => y.set(q.y, offsets[i]!));
  let sigma: Float64Array | undefined;
  if (parts.some((q) => q.sigma !== undefined)) {
    sigma = new Float64Array(n).fill(1);
    parts.forEach((q, i) => {
      if (q.sigma !== undefined) sigma!.set(q.sigma, offsets[i]!);
    });
  }
  return { x, y, sigma, offsets };
}
