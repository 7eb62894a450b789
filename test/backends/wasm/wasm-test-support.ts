/**
 * Shared helpers of the wasm model tests: a seeded PRNG, random columns, the `cols` harness that
 * checks a generated module's column-major export against its `rows` export, and the `cols`
 * contract both generators' tests run.
 */
import { expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { descriptorLayout, type GeneratedWasmModel } from '../../../src/backends/wasm/codegen-wasm.ts';
import { expTableOffset } from '../../../src/backends/wasm/codegen-wasm-simd.ts';
import { writeExpTable } from '../../../src/backends/wasm/wasm-simd-exp.ts';
import { IR_FUNCTIONS, type Program } from '../../../src/model/ir.ts';
import { model } from '../../../src/model/model.ts';
import { rng } from '../../../bench/harness.ts';

/** The benchmarks' seeded PRNG (mulberry32), so failures reproduce. */
export { rng };

type ColsExports = { rows(desc: number, n: number, out: number, hasW: number): void; cols(desc: number, n: number, out: number, colStride: number, hasW: number, acc: number): void };

/** Bits no computation writes (a signalling-NaN payload): marks memory `cols` must leave alone. */
const SENTINEL = 0x7ff4deadbeef0001n;
/** Most points a cols harness call takes, and the most padding beyond 8n between output columns. */
export const COLS_MAX_N = 2049;
export const COLS_MAX_PAD = 64;

/** One `cols` case: θ, the variable columns, y, w (null: unit weights), n, extra bytes between output columns, and an 8-byte shift of `out`. */
export interface ColsCase { readonly theta: readonly number[]; readonly xs: readonly Float64Array[]; readonly y: Float64Array; readonly w: Float64Array | null; readonly n: number; readonly pad?: number; readonly shift?: number }

/**
 * Instantiate `gen` (math from the kernel instance) over a memory with room for COLS_MAX_N points;
 * the returned function runs `rows` and `cols` on one case and asserts that cols is rows
 * transposed (±0 and NaN matched, no entry left unwritten) and that every other double of the
 * cols area (after row n − 1 of each column, between the columns, 16 bytes around them) keeps the
 * sentinel bits; and that the p + 2 sums cols writes at `acc` (and nothing around them) are
 * Σ X_0·X_j (j ≤ p) and Σ X_p² of the rows, to 1e-13 of Σ |terms| (when that is finite). The exp table the f64x2 modules read sits after the descriptor (scalar modules
 * ignore it). `kernelExports`: the kernel instance's exports the module imports its math from.
 */
export function colsHarness(gen: GeneratedWasmModel, program: Program, kernelExports: Readonly<Record<string, unknown>>): (c: ColsCase) => void {
  const p = program.params.length;
  const k = program.variables.length;
  const colAt = (c: number): number => 4096 + c * 8 * COLS_MAX_N;
  const rowsOut = colAt(k + 2);
  const colsOut = rowsOut + 8 * (p + 1) * COLS_MAX_N + 64;
  const accOut = colsOut + (p + 1) * (8 * COLS_MAX_N + 16 + COLS_MAX_PAD) + 64;
  const bytes = accOut + 8 * (p + 2) + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const m: Record<string, unknown> = {};
  for (const [name, exportName] of gen.imports) m[name] = kernelExports[exportName];
  const raw = new WebAssembly.Instance(new WebAssembly.Module(gen.bytes), { env: { memory }, m } as WebAssembly.Imports).exports as unknown as ColsExports;
  const f64 = new Float64Array(memory.buffer);
  const u64 = new BigUint64Array(memory.buffer);
  const desc = 64;
  writeExpTable(memory, desc + expTableOffset(program));
  new Uint32Array(memory.buffer).set(Array.from({ length: k + 2 }, (_, c) => colAt(c)), (desc + descriptorLayout(program).columns) / 4);
  return (c) => {
    const { n } = c;
    f64.set(c.theta, desc / 8);
    c.xs.forEach((x, v) => f64.set(x.subarray(0, n), colAt(v) / 8));
    f64.set(c.y.subarray(0, n), colAt(k) / 8);
    if (c.w) f64.set(c.w.subarray(0, n), colAt(k + 1) / 8);
    const hasW = c.w ? 1 : 0;
    const stride = 16 * Math.ceil((8 * n) / 16) + (c.pad ?? 0);
    const out = colsOut + (c.shift ?? 0);
    const lo = (out - 16) / 8, hi = (out + (p + 1) * stride + 16) / 8;
    u64.fill(SENTINEL, rowsOut / 8, rowsOut / 8 + (p + 1) * n);
    u64.fill(SENTINEL, lo, hi);
    u64.fill(SENTINEL, accOut / 8 - 1, accOut / 8 + p + 3);
    raw.rows(desc, n, rowsOut, hasW);
    raw.cols(desc, n, out, stride, hasW, accOut);
    expectSums(f64.subarray(accOut / 8, accOut / 8 + p + 2), f64.subarray(rowsOut / 8, rowsOut / 8 + (p + 1) * n), p + 1, n);
    if (u64[accOut / 8 - 1] !== SENTINEL || u64[accOut / 8 + p + 2] !== SENTINEL) expect.fail(`n = ${n}: cols wrote next to its sums`);
    const entry = new Set<number>();
    for (let j = 0; j <= p; j++) {
      for (let i = 0; i < n; i++) {
        const at = out / 8 + (j * stride) / 8 + i;
        const ref = rowsOut / 8 + i * (p + 1) + j;
        entry.add(at);
        if (u64[ref] === SENTINEL || u64[at] === SENTINEL) expect.fail(`n = ${n}: entry (${i}, ${j}) not written`);
        if (!Object.is(f64[at], f64[ref])) expect.fail(`n = ${n}: entry (${i}, ${j}): cols ${f64[at]}, rows ${f64[ref]}`);
      }
    }
    for (let a = lo; a < hi; a++) if (!entry.has(a) && u64[a] !== SENTINEL) expect.fail(`n = ${n}, stride ${stride}: cols wrote byte ${8 * a - out} outside its entries`);
  };
}

/** The sums `cols` writes (see {@link colsHarness}) against the row-major rows (c entries each). */
function expectSums(got: Float64Array, rows: Float64Array, c: number, n: number): void {
  for (let j = 0; j <= c; j++) {
    const a = j < c ? 0 : c - 1, b = j < c ? j : c - 1;
    let sum = 0, size = 0;
    for (let i = 0; i < n; i++) {
      const t = rows[i * c + a]! * rows[i * c + b]!;
      sum += t;
      size += Math.abs(t);
    }
    const what = j < c ? `Σ X_0·X_${j}` : 'Σ r²';
    if (!Number.isFinite(size)) continue; // overflowing or non-finite terms: the order of summation decides
    if (!(Math.abs(got[j]! - sum) <= 1e-13 * size)) expect.fail(`n = ${n}: ${what} = ${got[j]}, rows give ${sum}`);
  }
}

/** Column of n uniform values in [lo, hi). */
export const column = (n: number, rand: () => number, lo: number, hi: number): Float64Array => Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());

/** Models whose programs use every IR function (step through d min / d max) and pow, with x ranges in their domains. */
export const COLS_MODELS: [string, readonly string[], number, number][] = [
  ['a*exp(-b*x) + c', ['x'], -3, 3],
  ['a*exp(-(x - mu)^2/(2*s^2)) + b0 + b1*x', ['x'], -3, 3],
  ['a*exp(-b*x1) + c*exp(-d*x2*x1)', ['x1', 'x2'], -3, 3],
  ['exp(a*x)^2 + exp(exp(b*x))', ['x'], -3, 3],
  ['a*log(b*x) + c', ['x'], 0.1, 5],
  ['a*log10(b*x) + log2(c*x)', ['x'], 0.1, 5],
  ['sqrt(a*x) + cbrt(b*x - 1)', ['x'], 0.1, 5],
  ['b*(x - a)^7 + (x - c)^(-5)', ['x'], -3, 3],
  ['a*(x - b)^c', ['x'], -3, 3],
  ['atan2(a, x - b) + atan(c*x)', ['x'], -3, 3],
  ['hypot(a*x, b) + c', ['x'], -3, 3],
  ['min(a*x, b) + max(x, c)', ['x'], -3, 3],
  ['abs(x - a)*b + c', ['x'], -3, 3],
  ['sign(x - a)*b + c*x', ['x'], -3, 3],
  ['a*erf(b*x) + erfc(c*x)', ['x'], -6, 6],
  ['a*sin(b*x) + cos(c*x) + tan(x/4)', ['x'], -3, 3],
  ['asin(x/(4*a)) + acos(x/(4*b)) + c', ['x'], -3, 3],
  ['a*sinh(b*x) + cosh(c*x) + tanh(x)', ['x'], -3, 3],
  ['a/(1 + b*x) - c*x*x', ['x'], -3, 3],
  // Both Weideman and continued-fraction regions (|z| ≷ 8) and, through c − 1, the lower half plane.
  ['a*faddeeva_re(b*x, c) + faddeeva_im(x, c - 1)', ['x'], -12, 12],
];

/**
 * The `cols` contract, for either generator: every IR function and pow is covered; `cols` is
 * `rows` transposed bit for bit (with the sums at `acc`, see {@link colsHarness}) for each model,
 * each n of `ns`, with and without weights; the gap after row n − 1 is left alone at any padding
 * and 8-byte-aligned `out`; and the same on random windows of any doubles (fast-check).
 */
export function colsContract(generate: (program: Program) => GeneratedWasmModel, ns: readonly number[], kernelExports: Readonly<Record<string, unknown>>): void {
  it('uses every IR function and pow across the cols model set', () => {
    const used = new Set(COLS_MODELS.flatMap(([e, v]) => model(e, { variables: [...v] }).program.instructions.map((i) => (i.op === 'pow' ? 'pow' : i.fn))));
    for (const fn of [...Object.keys(IR_FUNCTIONS), 'pow']) expect(used.has(fn as never), fn).toBe(true);
  });

  it.each(COLS_MODELS)(`writes the rows of %s transposed, bit for bit, for n = ${ns.join(', ')}, with and without weights`, (expr, variables, lo, hi) => {
    const prog = model(expr, { variables: [...variables] }).program;
    const run = colsHarness(generate(prog), prog, kernelExports);
    const rand = rng(expr.length * 31 + 7);
    const xs = variables.map(() => column(COLS_MAX_N, rand, lo, hi));
    const y = column(COLS_MAX_N, rand, -1, 1);
    const w = column(COLS_MAX_N, rand, 0.5, 2);
    const theta = prog.params.map(() => 0.4 + 1.6 * rand());
    for (const n of ns) for (const weights of [true, false]) run({ theta, xs, y, w: weights ? w : null, n });
  });

  it('leaves the gap after row n − 1 of each column untouched when colStrideBytes exceeds 8n, at any 8-byte-aligned out', () => {
    const prog = model('a*exp(-b*x) + c*x^2 + sign(x)').program;
    const run = colsHarness(generate(prog), prog, kernelExports);
    const rand = rng(5);
    const xs = [column(COLS_MAX_N, rand, -3, 3)];
    const y = column(COLS_MAX_N, rand, -1, 1);
    for (const n of ns) {
      for (const [pad, shift] of [[16, 0], [COLS_MAX_PAD, 0], [48, 8], [0, 8]] as const) run({ theta: [1.5, 0.5, -0.25], xs, y, w: n % 2 ? y : null, n, pad, shift });
    }
  });

  test.prop(
    [
      fc.integer({ min: 0, max: 300 }),
      fc.boolean(),
      fc.constantFrom(0, 16, 48),
      fc.constantFrom(0, 8),
      fc.float64Array({ minLength: 300, maxLength: 300, noDefaultInfinity: false }),
      fc.constantFrom('a*x*x + b/x - abs(x - c)', 'min(a, x)*sign(x) + max(x*b, c) + sqrt(x)', 'a*exp(-b*x) + c', 'x^a + hypot(b, x)*c'),
    ],
    { numRuns: 40 },
  )('cols is rows transposed on random x windows (any doubles, any n, padding, weights)', (n, weights, pad, shift, x, expr) => {
    const prog = model(expr).program;
    const y = Float64Array.from(x, (_, i) => Math.cos(i));
    const w = weights ? Float64Array.from(x, (_, i) => 1 + (i % 3)) : null;
    colsHarness(generate(prog), prog, kernelExports)({ theta: [1.5, -0.25, 0.75].slice(0, prog.params.length), xs: [x], y, w, n, pad, shift });
  });
}

/** The one-variable (x) models of {@link COLS_MODELS} as (expr, lo, hi): every IR function with x ranges inside their domains. */
export const FUNCTION_CASES: readonly (readonly [string, number, number])[] = COLS_MODELS.filter(([, v]) => v.length === 1 && v[0] === 'x').map(([e, , lo, hi]) => [e, lo, hi] as const);
