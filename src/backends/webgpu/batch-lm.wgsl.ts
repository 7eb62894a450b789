/**
 * The WGSL kernel of the WebGPU batch solver: one workgroup per fit, the whole
 * Levenberg–Marquardt loop on the device (Gpufit's layout: Przybylski et al., Sci. Rep. 7:15722,
 * 2017).
 *
 * ## Per iteration (every thread of the fit's workgroup)
 *
 * 1. Read the trial θ from workgroup memory; each thread zeroes its accumulators explicitly (Dawn's
 *    SPIR-V path, seen on SwiftShader and lavapipe, does not re-zero a `var` declared without an
 *    initializer inside a loop), then takes points lid, lid + WG, … of its fit,
 *    evaluates the generated model body (`codegen-wgsl.ts`) in f32 and accumulates the packed upper
 *    triangle of [J r]ᵀ[J r] over the free parameters — H = JᵀJ, g = Jᵀr and χ² = rᵀr,
 *    E = (f+1)(f+2)/2 entries — in private registers, with r = w·((f − y_hi) − y_lo) (y split into
 *    two f32 as in `data-layout.ts`).
 * 2. Reduce the E entries over the workgroup by a fixed binary tree in workgroup memory, EB entries
 *    per round (`batch-sizing.ts`), so the sums are deterministic (no atomics).
 * 3. Thread 0 runs the Levenberg–Marquardt logic (Marquardt's scaling, as Gpufit):
 *    - the start: a non-finite χ² ends the fit (`nonFinite`);
 *    - a trial with a finite χ²_t < χ² is accepted (λ ← max(λ/10, 10⁻¹⁰)), else rejected (λ ← 10λ);
 *    - tests at the accepted point: `ftol` when the actual and predicted reductions are both
 *      ≤ ftol·χ² (also on a rejection: f32 sees no further decrease), `gtol` when
 *      max_j |g_j|/√(H_jj·χ²) ≤ gtol (MINPACK's cosine; χ² = 0 counts), `maxIterations`;
 *    - the step: A = H + λ·diag(H) factored by Cholesky (a failed factorization multiplies λ by
 *      10, up to eight times; a zero H_jj — a parameter without effect — is `singular`),
 *      δ = −A⁻¹g, θ' = clamp(θ + δ, lb, ub) over the free parameters (projected LM for bounds),
 *      predicted reduction −(2gᵀδ' + δ'ᵀHδ') with the clamped δ'; `xtol` when
 *      ‖δ'‖ ≤ xtol·(xtol + ‖θ_free‖).
 *    It writes θ' (or, once stopped, the accepted θ) to workgroup memory and a stop flag that every
 *    thread reads with `workgroupUniformLoad` (a uniform loop exit).
 * 4. At the end thread 0 writes θ, χ², the state, the iteration and evaluation counts and the
 *    packed H (free parameters) to the fit's state row.
 *
 * Non-finite values are detected by their exponent bits (WGSL lets an implementation assume
 * that no NaN or infinity arises in arithmetic, so `x != x` could be folded away).
 *
 * ## Bindings
 *
 * 0 uniform `Cfg` (fits, grid width, points M, shared-x length, offsets of the bounds and of the
 * shared x in `pts`, iteration limit, NaN, +∞, ftol, xtol, gtol); 1 `pts` (read-only f32:
 * per-point columns, column c at [c·M, (c+1)·M) — per-point x_v, y_hi, y_lo, w —, then the bounds
 * (lb, ub of the free parameters per fit), then the shared x); 2 `offs` (u32, fits + 1);
 * 3 `st` (read-write f32, S floats per fit: θ in, θ χ² state nit nfev H out).
 *
 * @module
 */
import { packedEntries } from '../../linalg/gram-triangle.ts';
import type { Program } from '../../model/ir.ts';
import { NlsqRangeError } from '../../errors.ts';
import { generateWgslPointBody } from './codegen-wgsl.ts';
import { reductionBatch, stateStride } from './batch-sizing.ts';
import { MAX_DEVICE_FREE_PARAMS } from '../batch-solver.ts';

/** What the batch kernel generator needs. */
export interface BatchKernelSpec {
  /** The model's IR over all parameters. */
  readonly program: Program;
  /** Positions of the free parameters (increasing). */
  readonly free: Int32Array;
  /** Whether x is shared by every fit (read from the shared region) or per point. */
  readonly sharedX: boolean;
  /** Whether a weight column is present. */
  readonly weighted: boolean;
  /** Threads per workgroup (a power of two, `batchWorkgroupSize`). */
  readonly workgroup: number;
}

/** A generated batch kernel. */
export interface BatchKernel {
  /** The WGSL module (entry point `main`). */
  readonly code: string;
  /** A short label for the module and pipeline. */
  readonly label: string;
  /** Floats of state per fit. */
  readonly stride: number;
  /** Entries of the augmented Gram (f+1)(f+2)/2. */
  readonly entries: number;
}

/** Bytes of the `Cfg` uniform. */
export const BATCH_CFG_BYTES = 64;


/**
 * Generate the batch Levenberg–Marquardt kernel (see the module documentation).
 *
 * @param spec - program, free parameters, x layout, weights, workgroup size.
 * @returns the WGSL text and its layout.
 * @throws NlsqRangeError for no free parameters, more than {@link MAX_DEVICE_FREE_PARAMS}, a
 *   free index out of range, or a workgroup size that is not a power of two.
 */
export function generateBatchKernel(spec: BatchKernelSpec): BatchKernel {
  const { program, free, sharedX, weighted, workgroup: WG } = spec;
  const P = program.params.length;
  const F = free.length;
  const K = program.variables.length;
  if (F < 1 || F > MAX_DEVICE_FREE_PARAMS) {
    throw new NlsqRangeError(`generateBatchKernel: free must hold 1 to ${MAX_DEVICE_FREE_PARAMS} parameters, got ${F}`, 'free');
  }
  for (let j = 0; j < F; j++) {
    if (!(Number.isInteger(free[j]) && free[j]! >= 0 && free[j]! < P && (j === 0 || free[j]! > free[j - 1]!))) {
      throw new NlsqRangeError(`generateBatchKernel: free must be increasing parameter indices in [0, ${P - 1}], got [${Array.from(free).join(', ')}]`, 'free');
    }
  }
  if (!(Number.isInteger(WG) && WG >= 1 && (WG & (WG - 1)) === 0)) {
    throw new NlsqRangeError(`generateBatchKernel: workgroup must be a power of two, got ${WG}`, 'workgroup');
  }
  const body = generateWgslPointBody(program, true);
  const C = F + 1;
  const E = packedEntries(C);
  const EB = reductionBatch(E, WG);
  const S = stateStride({ k: K, nShared: 0, weighted, p: P, f: F });
  const c0 = sharedX ? 0 : K;
  const names = [...Array.from(free, (j) => `j${j}`), 'r'];
  const acc: string[] = [];
  let e = 0;
  for (let a = 0; a < C; a++) {
    for (let b = a; b < C; b++, e++) acc.push(`      acc[${e}] = acc[${e}] + ${names[a]} * ${names[b]};`);
  }
  const xRead = (v: number): string => (sharedX ? `pts[cfg.sharedOff + ${v}u * cfg.nShared + q]` : `pts[${v}u * cfg.m + o0 + q]`);
  const code = [
    `// nlsq batch Levenberg-Marquardt kernel: ${P} parameters (${F} free), ${K} variables, x ${sharedX ? 'shared' : 'per point'}, ${weighted ? 'weighted' : 'unweighted'}`,
    'struct Cfg { nFits: u32, gridX: u32, m: u32, nShared: u32, boundsOff: u32, sharedOff: u32, maxIter: u32, pad: u32, nan: f32, inf: f32, ftol: f32, xtol: f32, gtol: f32, pad1: f32, pad2: f32, pad3: f32 }',
    '@group(0) @binding(0) var<uniform> cfg: Cfg;',
    '@group(0) @binding(1) var<storage, read> pts: array<f32>;',
    '@group(0) @binding(2) var<storage, read> offs: array<u32>;',
    '@group(0) @binding(3) var<storage, read_write> st: array<f32>;',
    `const WG: u32 = ${WG}u;`,
    `const P: u32 = ${P}u;`,
    `const F: u32 = ${F}u;`,
    `const E: u32 = ${E}u;`,
    `const EB: u32 = ${EB}u;`,
    `const S: u32 = ${S}u;`,
    `const FREE = array<u32, ${F}>(${Array.from(free, (j) => `${j}u`).join(', ')});`,
    'var<workgroup> red: array<f32, WG * EB>;',
    'var<workgroup> th: array<f32, P>;',
    'var<workgroup> stop: u32;',
    body.helpers,
    'fn finite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }',
    '// packed index of (a, b), a <= b, in an upper triangle of order c',
    'fn pk(a: u32, b: u32, c: u32) -> u32 { return a * c - (a * (a - 1u)) / 2u + (b - a); }',
    '@compute @workgroup_size(WG)',
    'fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {',
    '  let fit = wid.y * cfg.gridX + wid.x;',
    '  if (fit >= cfg.nFits) { return; }',
    '  let o0 = offs[fit];',
    '  let n = offs[fit + 1u] - o0;',
    '  let base = fit * S;',
    '  var tb: array<f32, P>;',
    '  var hb: array<f32, E>;',
    '  var lo: array<f32, F>;',
    '  var hi: array<f32, F>;',
    '  var lam = 1e-3f;',
    '  var pred = 0.0f;',
    '  var nit = 0u;',
    '  var nfev = 0u;',
    '  var state = 0u;',
    '  var first = true;',
    '  if (lid.x == 0u) {',
    '    for (var j = 0u; j < P; j = j + 1u) { th[j] = st[base + j]; tb[j] = th[j]; }',
    '    for (var j = 0u; j < F; j = j + 1u) { lo[j] = pts[cfg.boundsOff + fit * 2u * F + j]; hi[j] = pts[cfg.boundsOff + fit * 2u * F + F + j]; }',
    '    stop = 0u;',
    '  }',
    '  workgroupBarrier();',
    '  loop {',
    ...body.usedParams.map((j) => `    let th${j} = th[${j}u];`),
    '    var acc = array<f32, E>(); // an explicit zero value: some SPIR-V paths do not re-zero a loop-scoped var',
    '    for (var q = lid.x; q < n; q = q + WG) {',
    ...body.usedVariables.map((v) => `      let x${v} = ${xRead(v)};`),
    indent(body.statements, '      '),
    `      let wt = ${weighted ? `pts[${c0 + 2}u * cfg.m + o0 + q]` : '1.0f'};`,
    `      let r = wt * ((${body.value} - pts[${c0}u * cfg.m + o0 + q]) - pts[${c0 + 1}u * cfg.m + o0 + q]);`,
    ...Array.from(free, (j) => `      let j${j} = wt * ${body.gradient[j]!};`),
    ...acc,
    '    }',
    '    var sums = array<f32, E>();',
    '    for (var b0 = 0u; b0 < E; b0 = b0 + EB) {',
    '      for (var e = 0u; e < EB; e = e + 1u) { if (b0 + e < E) { red[e * WG + lid.x] = acc[b0 + e]; } }',
    '      workgroupBarrier();',
    '      for (var s = WG / 2u; s > 0u; s = s >> 1u) {',
    '        if (lid.x < s) { for (var e = 0u; e < EB; e = e + 1u) { red[e * WG + lid.x] = red[e * WG + lid.x] + red[e * WG + lid.x + s]; } }',
    '        workgroupBarrier();',
    '      }',
    '      if (lid.x == 0u) { for (var e = 0u; e < EB; e = e + 1u) { if (b0 + e < E) { sums[b0 + e] = red[e * WG]; } } }',
    '      workgroupBarrier();',
    '    }',
    '    if (lid.x == 0u) {',
    ...THREAD0_LOGIC,
    '    }',
    '    if (workgroupUniformLoad(&stop) != 0u) { break; }',
    '  }',
    '  if (lid.x == 0u) {',
    '    for (var j = 0u; j < P; j = j + 1u) { st[base + j] = tb[j]; }',
    '    st[base + P] = hb[E - 1u];',
    '    st[base + P + 1u] = f32(state);',
    '    st[base + P + 2u] = f32(nit);',
    '    st[base + P + 3u] = f32(nfev);',
    '    var h = base + P + 4u;',
    '    for (var a = 0u; a < F; a = a + 1u) { for (var b = a; b < F; b = b + 1u) { st[h] = hb[pk(a, b, F + 1u)]; h = h + 1u; } }',
    '  }',
    '}',
    '',
  ].join('\n');
  const label = `nlsq-batch-lm-p${P}-f${F}-k${K}-wg${WG}${sharedX ? '-sx' : ''}${weighted ? '-w' : ''}`;
  return { code, label, stride: S, entries: E };
}

/**
 * Thread 0's Levenberg–Marquardt step (inside `if (lid.x == 0u)`): states as `DEVICE_FIT_STATE`
 * (1 gtol, 2 ftol, 3 xtol, 4 maxIterations, 5 singular, 6 nonFinite).
 */
const THREAD0_LOGIC: readonly string[] = [
  '      nfev = nfev + 1u;',
  '      let chiT = sums[E - 1u];',
  '      var okT = true;',
  '      for (var e = 0u; e < E; e = e + 1u) { okT = okT && finite(sums[e]); }',
  '      if (first) {',
  '        first = false;',
  '        for (var e = 0u; e < E; e = e + 1u) { hb[e] = sums[e]; }',
  '        var okX = true;',
  '        for (var j = 0u; j < P; j = j + 1u) { okX = okX && finite(tb[j]); }',
  '        if (!okT || !okX) { state = 6u; }',
  '      } else {',
  '        let chi = hb[E - 1u];',
  '        let act = chi - chiT;',
  '        if (okT && chiT < chi) {',
  '          for (var e = 0u; e < E; e = e + 1u) { hb[e] = sums[e]; }',
  '          for (var j = 0u; j < P; j = j + 1u) { tb[j] = th[j]; }',
  '          lam = max(lam * 0.1f, 1e-10f);',
  '          if (act <= cfg.ftol * chi && pred <= cfg.ftol * chi) { state = 2u; }',
  '        } else {',
  '          lam = lam * 10.0f;',
  '          if (okT && abs(act) <= cfg.ftol * chi && pred <= cfg.ftol * chi) { state = 2u; }',
  '        }',
  '      }',
  '      if (state == 0u) {',
  '        let chi = hb[E - 1u];',
  '        var gn = 0.0f;',
  '        for (var j = 0u; j < F; j = j + 1u) {',
  '          let hjj = hb[pk(j, j, F + 1u)];',
  '          if (hjj > 0.0f && chi > 0.0f) { gn = max(gn, abs(hb[pk(j, F, F + 1u)]) / sqrt(hjj * chi)); }',
  '        }',
  '        if (chi <= 0.0f || gn <= cfg.gtol) { state = 1u; }',
  '      }',
  '      if (state == 0u && nit >= cfg.maxIter) { state = 4u; }',
  '      if (state == 0u) {',
  '        var L = array<f32, F * F>();',
  '        var d = array<f32, F>();',
  '        var solved = false;',
  '        var zero = false;',
  '        for (var j = 0u; j < F; j = j + 1u) { if (!(hb[pk(j, j, F + 1u)] > 0.0f)) { zero = true; } }',
  '        for (var attempt = 0u; attempt < 8u && !solved && !zero; attempt = attempt + 1u) {',
  '          var ok = true;',
  '          for (var j = 0u; j < F && ok; j = j + 1u) {',
  '            var s = hb[pk(j, j, F + 1u)] * (1.0f + lam);',
  '            for (var k = 0u; k < j; k = k + 1u) { s = s - L[j * F + k] * L[j * F + k]; }',
  '            if (!(s > 0.0f) || !finite(s)) { ok = false; break; }',
  '            let ljj = sqrt(s);',
  '            L[j * F + j] = ljj;',
  '            for (var i = j + 1u; i < F; i = i + 1u) {',
  '              var t = hb[pk(j, i, F + 1u)];',
  '              for (var k = 0u; k < j; k = k + 1u) { t = t - L[i * F + k] * L[j * F + k]; }',
  '              L[i * F + j] = t / ljj;',
  '            }',
  '          }',
  '          if (ok) { solved = true; } else { lam = lam * 10.0f; }',
  '        }',
  '        if (!solved) { state = 5u; }',
  '        if (solved) {',
  '          // L y = -g, then L^T d = y',
  '          for (var i = 0u; i < F; i = i + 1u) {',
  '            var t = -hb[pk(i, F, F + 1u)];',
  '            for (var k = 0u; k < i; k = k + 1u) { t = t - L[i * F + k] * d[k]; }',
  '            d[i] = t / L[i * F + i];',
  '          }',
  '          for (var ii = 0u; ii < F; ii = ii + 1u) {',
  '            let i = F - 1u - ii;',
  '            var t = d[i];',
  '            for (var k = i + 1u; k < F; k = k + 1u) { t = t - L[k * F + i] * d[k]; }',
  '            d[i] = t / L[i * F + i];',
  '          }',
  '          var dn = 0.0f;',
  '          var tn = 0.0f;',
  '          for (var j = 0u; j < F; j = j + 1u) {',
  '            let c = FREE[j];',
  '            let t = clamp(tb[c] + d[j], lo[j], hi[j]);',
  '            d[j] = t - tb[c];',
  '            th[c] = t;',
  '            dn = dn + d[j] * d[j];',
  '            tn = tn + tb[c] * tb[c];',
  '          }',
  '          var gd = 0.0f;',
  '          var dhd = 0.0f;',
  '          for (var a = 0u; a < F; a = a + 1u) {',
  '            gd = gd + hb[pk(a, F, F + 1u)] * d[a];',
  '            var row = 0.0f;',
  '            for (var b = 0u; b < F; b = b + 1u) { row = row + hb[pk(min(a, b), max(a, b), F + 1u)] * d[b]; }',
  '            dhd = dhd + d[a] * row;',
  '          }',
  '          pred = -(2.0f * gd + dhd);',
  '          if (sqrt(dn) <= cfg.xtol * (cfg.xtol + sqrt(tn))) { state = 3u; } else { nit = nit + 1u; }',
  '        }',
  '      }',
  '      if (state != 0u) {',
  '        for (var j = 0u; j < P; j = j + 1u) { th[j] = tb[j]; }',
  '        stop = 1u;',
  '      }',
];

function indent(text: string, pad: string): string {
  return text === '' ? '' : text.split('\n').map((l) => pad + l).join('\n');
}
