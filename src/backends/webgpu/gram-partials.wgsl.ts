/**
 * The fused WGSL kernel of the WebGPU backend: evaluate an expression model at every point of a
 * device-resident data chunk and reduce the augmented Gram matrix to per-workgroup partials.
 *
 * ## Parallel algorithm (one dispatch per data chunk, one pass)
 *
 * 1. Grid-stride loop: invocation `g = wid·WG + lid` handles points g, g + S, g + 2S, … with
 *    S = groups·WG (the host picks `groups` so that each invocation sees about
 *    {@link DEFAULT_POINTS_PER_THREAD} points). For each point it computes in f32 the residual
 *    r = w·((f − y_hi) − y_lo) and the Jacobian row J_j = w·∂f/∂θ_j from the generated model body
 *    and adds the upper triangle of [J r]ᵀ[J r] ((p+1)(p+2)/2 products) to private accumulators.
 *    The cost-only variant accumulates r² alone.
 * 2. Workgroup reduction: for each accumulator entry in turn, the WG values are written to
 *    workgroup memory and summed by a fixed binary tree (log₂ WG barrier-separated halvings);
 *    invocation 0 stores the sum to `partials[wid·E + e]`.
 * 3. The host reads the `groups × E` partials of every chunk back and sums them in f64 (see
 *    `gram-combine.ts`).
 *
 * No atomics: every partial depends only on the data, the parameters and the dispatch size, so
 * two runs give bitwise identical partials (run-to-run determinism).
 *
 * ## Precision split
 *
 * Device: data x and w rounded to f32; y split exactly into y_hi = fl32(y) and
 * y_lo = fl32(y − y_hi) so the observation enters with ~48 bits (the residual's error is then that
 * of the f32 model value, not of the observation); parameters rounded to f32; per-invocation sums
 * over ~16 points and a 6-level tree in f32 (relative error ≲ 22·2⁻²⁴ per partial entry for
 * same-signed terms). Host: partial combination, Cholesky, the optimizer state and every small
 * solve in f64.
 *
 * ## Data layout
 *
 * One `array<f32>` per chunk, column-major: column c occupies `[c·n, (c+1)·n)` with the columns
 * x_0 … x_{k−1}, y_hi, y_lo and (when weighted) w. Bindings: 0 = per-chunk uniform `cfg`
 * (n, groups, NaN, +∞, C², 1/C²), 1 = uniform parameter vector, 2 = data, 3 = partials (read-write).
 *
 * ## Robust losses
 *
 * With a SciPy loss ρ and scale C (`f_scale`) each invocation also applies, per point and in f32,
 * `scale_for_robust_loss_function`: z = r²/C², (ρ, ρ', ρ'') from SciPy's formulas,
 * s = √max(ρ' + 2(ρ''/C²)r², ε), J ← s·J, r ← (ρ'/s)·r, and accumulates the Gram of the scaled
 * row plus one extra entry Σ C²ρ(z), whose half is the cost.
 *
 * @module
 */
import { packedEntries } from '../../linalg/gram-triangle.ts';
import type { Program } from '../../model/ir.ts';
import type { DeviceLoss } from '../model-evaluator.ts';
import { generateWgslPointBody } from './codegen-wgsl.ts';

/** Invocations per workgroup (a power of two; ≤ the 128 that compatibility-mode devices allow). */
export const WORKGROUP_SIZE = 64;

/** Target number of points each invocation accumulates before the tree reduction. */
export const DEFAULT_POINTS_PER_THREAD = 16;

/**
 * WGSL computing, at `z` = r²/C², the unscaled ρ (`l0`), ρ' (`l1`) and the row-scale square
 * `lj` = ρ' + 2ρ''z (SciPy's formulas, see `optim/loss.ts`). `lj` is written in closed form —
 * soft_l1 (1+z)^−3/2, huber 1 or 0, cauchy (1−z)/(1+z)², arctan (1−3z²)/(1+z²)² — because the
 * textbook sum cancels (exactly, for huber outliers) and f32 would turn that cancellation into
 * noise where SciPy's f64 gets 0 (then the ε clamp). Cauchy uses a series for z < 10⁻⁴, where
 * log(1 + z) loses digits in f32.
 */
const LOSS_WGSL: Readonly<Record<Exclude<DeviceLoss, 'linear'>, readonly string[]>> = {
  soft_l1: ['let lt = 1.0f + z;', 'let ls = sqrt(lt);', 'let l0 = 2.0f * (ls - 1.0f);', 'let l1 = 1.0f / ls;', 'let lj = l1 / lt;'],
  huber: [
    'let inl = z <= 1.0f;',
    'let hs = sqrt(z);',
    'let l0 = select(2.0f * hs - 1.0f, z, inl);',
    'let l1 = select(1.0f / hs, 1.0f, inl);',
    'let lj = select(0.0f, 1.0f, inl);',
  ],
  cauchy: [
    'let lt = 1.0f + z;',
    'let l0 = select(log(lt), z * (1.0f - z * (0.5f - z / 3.0f)), z < 1e-4f);',
    'let l1 = 1.0f / lt;',
    'let lj = (1.0f - z) / (lt * lt);',
  ],
  arctan: ['let lt = 1.0f + z * z;', 'let l0 = atan(z);', 'let l1 = 1.0f / lt;', 'let lj = (1.0f - 3.0f * z * z) / (lt * lt);'],
};

/**
 * Per-point robust-loss scaling (SciPy's `scale_for_robust_loss_function` with `f_scale` C:
 * ρ_C(s) = C²ρ(s/C²), so ρ_C' + 2ρ_C''r² = ρ'(z) + 2ρ''(z)z with z = r²/C²): defines `q0` = ρ_C(r²),
 * `sc` = √max(lj, ε) and `rs` = (ρ'/sc)·r.
 */
function lossLines(loss: Exclude<DeviceLoss, 'linear'>): string[] {
  return [
    'let z = r * r * cfg.invC2;',
    ...LOSS_WGSL[loss],
    'let q0 = l0 * cfg.c2;',
    'let sc = sqrt(max(lj, 2.220446049250313e-16f));',
    'let rs = (l1 / sc) * r;',
  ].map((l) => '    ' + l);
}

/** What the fused kernel generator needs. */
export interface GramKernelSpec {
  /** The model's IR program. */
  readonly program: Program;
  /** Accumulate the whole augmented Gram (true) or only Σr² (false). */
  readonly jacobian: boolean;
  /** Whether a weight column is present. */
  readonly weighted: boolean;
  /** The loss (default `'linear'`); its scale C comes from the uniform (`cfg.c2` = C², `cfg.invC2`). */
  readonly loss?: DeviceLoss;
}

/** A generated kernel: its WGSL text and the shape of what it writes. */
export interface GramKernel {
  /** Complete WGSL module text (entry point `main`). */
  readonly code: string;
  /**
   * Entries per workgroup partial: (p+1)(p+2)/2 with the Jacobian, 1 without; a robust loss adds
   * one last entry, Σρ_C(r²) (the cost-only variant then holds Σρ_C alone).
   */
  readonly entries: number;
  /** Data columns per point: k + 2 (+1 when weighted). */
  readonly columns: number;
  /** A short label for the module and pipeline. */
  readonly label: string;
}

/** The accumulation statements `acc[e] += a·b` for the packed upper triangle of [J r]. */
function accumulateLines(names: readonly string[]): string[] {
  const lines: string[] = [];
  let e = 0;
  for (let a = 0; a < names.length; a++) {
    for (let b = a; b < names.length; b++) {
      lines.push(`    acc[${e}] = acc[${e}] + ${names[a]} * ${names[b]};`);
      e++;
    }
  }
  return lines;
}

/**
 * Generate the fused model + Gram-partials kernel for a program (see the module documentation
 * for the algorithm, the precision split and the bindings).
 *
 * @param spec - program, variant (Jacobian or cost only) and whether weights are present.
 * @returns the WGSL text and the partial layout.
 * @throws NlsqRangeError from the point-body generator on a malformed program.
 */
export function generateGramKernel(spec: GramKernelSpec): GramKernel {
  const { program, jacobian, weighted } = spec;
  const loss = spec.loss ?? 'linear';
  const robust = loss !== 'linear';
  const p = program.params.length;
  const k = program.variables.length;
  const body = generateWgslPointBody(program, jacobian);
  const columns = k + 2 + (weighted ? 1 : 0);
  const rname = robust ? 'rs' : 'r';
  const names = jacobian ? [...body.gradient.map((_, j) => `j${j}`), rname] : robust ? [] : ['r'];
  const gramEntries = packedEntries(names.length);
  const entries = gramEntries + (robust ? 1 : 0);
  const w = weighted ? `data[${k + 2}u * n + i]` : '1.0f';
  const js = robust ? 'sc * wt' : 'wt';
  const code = [
    `// nlsq fused Gram kernel: ${p} parameters, ${k} variables, ${jacobian ? 'jacobian' : 'cost only'}, ${weighted ? 'weighted' : 'unweighted'}, loss ${loss}`,
    ...kernelHeader(p, entries, body.helpers),
    ...body.usedParams.map((j) => `  let th${j} = theta.v[${j >> 2}].${'xyzw'[j & 3]};`),
    '  for (var i = wid.x * WG + lid.x; i < n; i = i + stride) {',
    ...body.usedVariables.map((v) => `    let x${v} = data[${v}u * n + i];`),
    indent(body.statements, '    '),
    `    let wt = ${w};`,
    `    let r = wt * ((${body.value} - data[${k}u * n + i]) - data[${k + 1}u * n + i]);`,
    ...(robust ? lossLines(loss) : []),
    ...body.gradient.map((g, j) => `    let j${j} = ${js} * ${g};`),
    ...accumulateLines(names),
    ...(robust ? [`    acc[${gramEntries}] = acc[${gramEntries}] + q0;`] : []),
    '  }',
    ...TREE_REDUCTION,
  ].join('\n');
  const tag = `${jacobian ? 'jac' : 'cost'}${weighted ? '-w' : ''}${robust ? `-${loss}` : ''}`;
  return { code, entries, columns, label: `nlsq-gram-p${p}-k${k}-${tag}` };
}

/** Declarations and the start of `main` up to the parameter loads. */
function kernelHeader(p: number, entries: number, helpers: string): string[] {
  return [
    'struct Cfg { n: u32, groups: u32, nan: f32, inf: f32, c2: f32, invC2: f32, pad0: f32, pad1: f32 }',
    `struct Theta { v: array<vec4<f32>, ${Math.max(1, Math.ceil(p / 4))}> }`,
    '@group(0) @binding(0) var<uniform> cfg: Cfg;',
    '@group(0) @binding(1) var<uniform> theta: Theta;',
    '@group(0) @binding(2) var<storage, read> data: array<f32>;',
    '@group(0) @binding(3) var<storage, read_write> partials: array<f32>;',
    `const WG: u32 = ${WORKGROUP_SIZE}u;`,
    `const E: u32 = ${entries}u;`,
    'var<workgroup> scratch: array<f32, WG>;',
    helpers,
    '@compute @workgroup_size(WG)',
    'fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {',
    '  var acc: array<f32, E>;',
    '  let n = cfg.n;',
    '  let stride = cfg.groups * WG;',
  ];
}

/** The per-entry fixed-tree workgroup reduction and the end of `main`. */
const TREE_REDUCTION: readonly string[] = [
  '  for (var e = 0u; e < E; e = e + 1u) {',
  '    scratch[lid.x] = acc[e];',
  '    workgroupBarrier();',
  '    for (var s = WG / 2u; s > 0u; s = s >> 1u) {',
  '      if (lid.x < s) { scratch[lid.x] = scratch[lid.x] + scratch[lid.x + s]; }',
  '      workgroupBarrier();',
  '    }',
  '    if (lid.x == 0u) { partials[wid.x * E + e] = scratch[0]; }',
  '    workgroupBarrier();',
  '  }',
  '}',
  '',
];

function indent(text: string, pad: string): string {
  return text === '' ? '' : text.split('\n').map((l) => pad + l).join('\n');
}

/**
 * Number of workgroups for a chunk of `n` points: enough for about `pointsPerThread` points per
 * invocation, at least 1 and at most `maxGroups` (the grid-stride loop covers the rest).
 *
 * @param n - points in the chunk (≥ 1).
 * @param maxGroups - the device's `maxComputeWorkgroupsPerDimension` (or a smaller cap).
 * @param pointsPerThread - target points per invocation.
 */
export function workgroupsFor(n: number, maxGroups: number, pointsPerThread: number = DEFAULT_POINTS_PER_THREAD): number {
  const want = Math.ceil(n / (WORKGROUP_SIZE * pointsPerThread));
  return Math.max(1, Math.min(maxGroups, want));
}
