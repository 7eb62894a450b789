/**
 * Test helpers: an independent f64 reference for IR programs (a direct interpreter over the
 * Program data structure) and the packed augmented Gram matrix it implies.
 */
import type { Operand, Program } from '../../../src/model/ir.ts';
import { RUNTIME_FUNCTIONS } from '../../../src/model/functions.ts';

/** Evaluate f and ∇f of a program at one point in f64. */
export function evalProgram(program: Program, theta: ArrayLike<number>, xs: ArrayLike<number>): { f: number; grad: number[] } {
  const tmp: number[] = [];
  const read = (o: Operand): number => {
    switch (o.kind) {
      case 'const': return o.value;
      case 'param': return theta[o.index]!;
      case 'var': return xs[o.index]!;
      case 'tmp': return tmp[o.index]!;
    }
  };
  for (const ins of program.instructions) {
    const a = ins.args.map(read);
    let v: number;
    switch (ins.op) {
      case 'add': v = a[0]! + a[1]!; break;
      case 'sub': v = a[0]! - a[1]!; break;
      case 'mul': v = a[0]! * a[1]!; break;
      case 'div': v = a[0]! / a[1]!; break;
      case 'neg': v = -a[0]!; break;
      case 'pow': v = Math.pow(a[0]!, a[1]!); break;
      case 'call': v = RUNTIME_FUNCTIONS[ins.fn!](...a); break;
    }
    tmp.push(v);
  }
  return { f: read(program.value), grad: program.gradient.map(read) };
}

/** The packed upper triangle of [J r]ᵀ[J r] in f64, r = w(f − y). */
export function referenceGram(
  program: Program,
  theta: ArrayLike<number>,
  data: { x: readonly Float64Array[]; y: Float64Array; w: Float64Array | null },
): Float64Array {
  const p = program.params.length;
  const c = p + 1;
  const G = new Float64Array((c * (c + 1)) / 2);
  const row = new Float64Array(c);
  const xs = new Float64Array(data.x.length);
  for (let i = 0; i < data.y.length; i++) {
    for (let v = 0; v < xs.length; v++) xs[v] = data.x[v]![i]!;
    const { f, grad } = evalProgram(program, theta, xs);
    const w = data.w === null ? 1 : data.w[i]!;
    for (let j = 0; j < p; j++) row[j] = w * grad[j]!;
    row[p] = w * (f - data.y[i]!);
    let e = 0;
    for (let a = 0; a < c; a++) for (let b = a; b < c; b++) G[e++]! += row[a]! * row[b]!;
  }
  return G;
}

/** Hand-written IR of f = a·exp(−b·x) + c, with ∂f/∂a = e, ∂f/∂b = −a·x·e, ∂f/∂c = 1. */
export function expDecayProgram(): Program {
  const t = (index: number) => ({ kind: 'tmp', index }) as const;
  const prm = (index: number) => ({ kind: 'param', index }) as const;
  const x = { kind: 'var', index: 0 } as const;
  return {
    params: ['a', 'b', 'c'],
    variables: ['x'],
    instructions: [
      { op: 'mul', args: [prm(1), x] }, // t0 = b x
      { op: 'neg', args: [t(0)] }, // t1 = −b x
      { op: 'call', fn: 'exp', args: [t(1)] }, // t2 = e
      { op: 'mul', args: [prm(0), t(2)] }, // t3 = a e
      { op: 'add', args: [t(3), prm(2)] }, // t4 = f
      { op: 'mul', args: [t(3), x] }, // t5 = a e x
      { op: 'neg', args: [t(5)] }, // t6 = ∂f/∂b
    ],
    value: t(4),
    gradient: [t(2), t(6), { kind: 'const', value: 1 }],
  };
}

/**
 * The packed Gram of the loss-scaled rows [s·J, (ρ'/s)·r] and the cost ½Σρ(r²), in f64, with
 * SciPy's `scale_for_robust_loss_function` (via the library's own `Loss`).
 */
export function referenceRobust(
  program: Program,
  theta: ArrayLike<number>,
  data: { x: readonly Float64Array[]; y: Float64Array; w: Float64Array | null },
  loss: { rho(z: number, out: Float64Array): void },
): { G: Float64Array; cost: number } {
  const p = program.params.length;
  const c = p + 1;
  const G = new Float64Array((c * (c + 1)) / 2);
  const row = new Float64Array(c);
  const rho = new Float64Array(3);
  const xs = new Float64Array(data.x.length);
  let cost = 0;
  for (let i = 0; i < data.y.length; i++) {
    for (let v = 0; v < xs.length; v++) xs[v] = data.x[v]![i]!;
    const { f, grad } = evalProgram(program, theta, xs);
    const w = data.w === null ? 1 : data.w[i]!;
    const r = w * (f - data.y[i]!);
    loss.rho(r * r, rho);
    const s = Math.sqrt(Math.max(rho[1]! + 2 * rho[2]! * r * r, 2.220446049250313e-16));
    for (let j = 0; j < p; j++) row[j] = s * w * grad[j]!;
    row[p] = (rho[1]! / s) * r;
    cost += 0.5 * rho[0]!;
    let e = 0;
    for (let a = 0; a < c; a++) for (let b = a; b < c; b++) G[e++]! += row[a]! * row[b]!;
  }
  return { G, cost };
}
