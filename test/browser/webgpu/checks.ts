/**
 * Runtime-independent device checks of the WebGPU backend: the same list runs under vitest in
 * Node (through the `webgpu` package), in headless Chromium and in Deno (`scripts/test-webgpu.mjs`
 * bundles this module with esbuild). No test framework: each check throws on failure.
 *
 * References are independent f64 computations: a direct IR interpreter and the packed Gram of
 * the f64 residuals and derivatives (`test/backends/webgpu/ir-reference.ts`).
 */
import type { WebGPUBackend } from '../../../src/backends/webgpu/webgpu-backend.ts';
import { DeviceLostError } from '../../../src/backends/webgpu/device-lost-error.ts';
import { gramToTriangle } from '../../../src/linalg/gram-triangle.ts';
import { ShaderCompileError } from '../../../src/errors.ts';
import type { Program } from '../../../src/model/ir.ts';
import { trf } from '../../../src/optim/trf.ts';
import { runSolverAsync } from '../../../src/optim/driver.ts';
import { expDecayProgram, referenceGram, referenceRobust } from '../../backends/webgpu/ir-reference.ts';
import { resolveLoss } from '../../../src/optim/loss.ts';
import { createDeviceProblem } from '../../../src/evaluate/device-problem.ts';
import { faddeevaIm, faddeevaRe } from '../../../src/stats/faddeeva.ts';

/** One named check. */
export interface DeviceCheck {
  readonly name: string;
  readonly run: () => Promise<void>;
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Entry-wise comparison of packed Gram matrices, scaled by √(G_aa·G_bb) (f32 tolerance). */
function assertGramClose(got: Float64Array, want: Float64Array, cols: number, rel: number, what: string): void {
  const diag: number[] = [];
  let e = 0;
  for (let a = 0; a < cols; a++) {
    diag.push(want[e]!);
    e += cols - a;
  }
  e = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = a; b < cols; b++) {
      const scale = Math.sqrt(diag[a]! * diag[b]!);
      const err = Math.abs(got[e]! - want[e]!);
      assert(err <= rel * scale, `${what}: entry (${a},${b}) = ${got[e]} vs ${want[e]} (|Δ| ${err.toExponential(2)} > ${rel}·${scale.toExponential(2)})`);
      e++;
    }
  }
}

/** Packed TᵀT from a cols × cols triangle. */
function packedFromTriangle(T: Float64Array, cols: number): Float64Array {
  const out = new Float64Array((cols * (cols + 1)) / 2);
  let e = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = a; b < cols; b++) {
      let s = 0;
      for (let i = 0; i <= a; i++) s += T[i * cols + a]! * T[i * cols + b]!;
      out[e++] = s;
    }
  }
  return out;
}

/** Sum a packed partial array (groups × entries) in f64. */
function sumPartials(partials: Float32Array, entries: number): Float64Array {
  const out = new Float64Array(entries);
  for (let i = 0; i < partials.length; i++) out[i % entries]! += partials[i]!;
  return out;
}

/** Test data for f = a·exp(−b·x) + c with a small oscillating perturbation and weights. */
function expDecayData(m: number, weighted: boolean) {
  const x = Float64Array.from({ length: m }, (_, i) => (8 * i) / m);
  const y = Float64Array.from(x, (v, i) => 2.5 * Math.exp(-0.8 * v) + 0.4 + 0.02 * Math.sin(37 * v + i));
  const w = weighted ? Float64Array.from(x, (_, i) => 1 / (0.5 + (i % 7) / 7)) : null;
  return { x: [x], y, w };
}

const T0 = Float64Array.of(2.3, 0.75, 0.45);

/** f = a·faddeeva_re(u, v) (or faddeeva_im) over two variables u, v: one point z = u + iv per row. */
function faddeevaProgram(fn: 'faddeeva_re' | 'faddeeva_im'): Program {
  const u = { kind: 'var', index: 0 } as const;
  const v = { kind: 'var', index: 1 } as const;
  return {
    params: ['a'],
    variables: ['u', 'v'],
    instructions: [
      { op: 'call', fn, args: [u, v] }, // t0 = w part
      { op: 'mul', args: [{ kind: 'param', index: 0 }, { kind: 'tmp', index: 0 }] }, // t1 = a·t0
    ],
    value: { kind: 'tmp', index: 1 },
    gradient: [{ kind: 'tmp', index: 0 }],
  };
}

/** Points z = u + iv over both regions of the algorithm (|z| < 8, |z| ≥ 8), near and below the real axis. */
function faddeevaPoints(): { u: Float64Array; v: Float64Array } {
  const u: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < 61; i++) {
    for (const im of [0, 1e-4, 0.05, 0.5, 1.5, 4, 9, 30, -0.3, -1.2]) {
      u.push(-30 + i);
      v.push(im);
    }
  }
  return { u: Float64Array.from(u), v: Float64Array.from(v) };
}

/** A program exercising the helper functions: value uses erf, sqrt, log, integer and real powers, hypot. */
function functionsProgram(): Program {
  const t = (index: number) => ({ kind: 'tmp', index }) as const;
  const p = (index: number) => ({ kind: 'param', index }) as const;
  const x = { kind: 'var', index: 0 } as const;
  const k = (value: number) => ({ kind: 'const', value }) as const;
  return {
    params: ['a', 'b', 'c'],
    variables: ['x'],
    instructions: [
      { op: 'mul', args: [p(1), x] }, // t0 = b x
      { op: 'call', fn: 'erf', args: [t(0)] }, // t1
      { op: 'mul', args: [p(0), t(1)] }, // t2 = a erf(b x)
      { op: 'call', fn: 'sqrt', args: [x] }, // t3
      { op: 'call', fn: 'log', args: [x] }, // t4
      { op: 'mul', args: [t(3), t(4)] }, // t5
      { op: 'sub', args: [x, k(2.5)] }, // t6 = x − 2.5 (negative bases below)
      { op: 'pow', args: [t(6), k(3)] }, // t7 = (x − 2.5)³
      { op: 'call', fn: 'hypot', args: [x, p(2)] }, // t8
      { op: 'pow', args: [x, p(2)] }, // t9 = x^c
      { op: 'add', args: [t(2), t(5)] },
      { op: 'mul', args: [k(0.1), t(7)] },
      { op: 'add', args: [t(10), t(11)] },
      { op: 'add', args: [t(12), t(8)] },
      { op: 'call', fn: 'erfc', args: [t(0)] }, // t14
      { op: 'add', args: [t(13), t(14)] }, // t15 = f
    ],
    value: t(15),
    gradient: [t(1), t(9), t(14)],
  };
}

/** NIST StRD Misra1a (lower difficulty): y = b1·(1 − exp(−b2·x)). */
const MISRA1A = {
  x: [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0],
  y: [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78],
  certified: [2.3894212918e2, 5.5015643181e-4],
  rss: 1.2455138894e-1,
};

function misra1aProgram(): Program {
  const t = (index: number) => ({ kind: 'tmp', index }) as const;
  const p = (index: number) => ({ kind: 'param', index }) as const;
  const x = { kind: 'var', index: 0 } as const;
  return {
    params: ['b1', 'b2'],
    variables: ['x'],
    instructions: [
      { op: 'mul', args: [p(1), x] }, // t0 = b2 x
      { op: 'neg', args: [t(0)] },
      { op: 'call', fn: 'exp', args: [t(1)] }, // t2 = e
      { op: 'sub', args: [{ kind: 'const', value: 1 }, t(2)] }, // t3 = 1 − e
      { op: 'mul', args: [p(0), t(3)] }, // t4 = f
      { op: 'mul', args: [p(0), x] },
      { op: 'mul', args: [t(5), t(2)] }, // t6 = ∂f/∂b2 = b1 x e
    ],
    value: t(4),
    gradient: [t(3), t(6)],
  };
}

/**
 * The device checks. `backend` serves every check but the device-loss one, which destroys the
 * device of a second backend from `createExtra`.
 *
 * @param backend - a WebGPU backend (software adapters allowed).
 * @param createExtra - creates a throw-away backend for the device-loss check.
 */
export function deviceChecks(backend: WebGPUBackend, createExtra: () => Promise<WebGPUBackend>): DeviceCheck[] {
  const program = expDecayProgram();
  return [
    {
      name: 'gram partials combined in f64 match the f64 CPU gram within f32 tolerance',
      run: async () => {
        const data = expDecayData(20000, true);
        const prob = await backend.createModelEvaluator({ program, data });
        try {
          const got = sumPartials(await prob.readPartials(T0, true), 10);
          assertGramClose(got, referenceGram(program, T0, data), 4, 2e-5, 'gram');
          const cost = sumPartials(await prob.readPartials(T0, false), 1);
          const want = referenceGram(program, T0, data)[9]!;
          assert(Math.abs(cost[0]! - want) <= 1e-4 * want, `cost-only Σr² ${cost[0]} vs ${want}`);
        } finally {
          prob.destroy();
        }
      },
    },
    {
      name: 'partial sums are bitwise identical on two runs',
      run: async () => {
        const prob = await backend.createModelEvaluator({ program, data: expDecayData(30000, true) });
        try {
          const a = await prob.readPartials(T0, true);
          const b = await prob.readPartials(T0, true);
          assert(a.length === b.length && a.length > 10, `partials length ${a.length} vs ${b.length}`);
          const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
          const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
          for (let i = 0; i < ua.length; i++) assert(ua[i] === ub[i], `partial ${i} differs: ${a[i]} vs ${b[i]}`);
        } finally {
          prob.destroy();
        }
      },
    },
    {
      name: 'evaluate returns the cost and a triangle T with TᵀT equal to the f64 augmented Gram',
      run: async () => {
        const data = expDecayData(5000, false);
        const prob = await backend.createModelEvaluator({ program, data });
        try {
          const ev = await prob.evaluate(T0, true);
          const G = referenceGram(program, T0, data);
          assert(ev.m === 5000, `m = ${ev.m}`);
          assert(Math.abs(ev.cost - G[9]! / 2) <= 1e-4 * (G[9]! / 2), `cost ${ev.cost} vs ${G[9]! / 2}`);
          assert(ev.T !== null, 'T is null');
          assertGramClose(packedFromTriangle(ev.T, 4), G, 4, 2e-5, 'TᵀT');
          const { T: Tref } = gramToTriangle(G, 4, 1e-14);
          for (let i = 0; i < 3; i++) {
            const d = Math.abs(Math.abs(ev.T[i * 5]!) - Math.abs(Tref![i * 5]!));
            assert(d <= 1e-3 * Math.abs(Tref![i * 5]!), `R diagonal ${i}: ${ev.T[i * 5]} vs ${Tref![i * 5]}`);
          }
          const costOnly = await prob.evaluate(T0, false);
          assert(costOnly.T === null && Math.abs(costOnly.cost - ev.cost) <= 1e-5 * ev.cost, `cost-only ${costOnly.cost}`);
        } finally {
          prob.destroy();
        }
      },
    },
    {
      name: 'data split into several device chunks give the same evaluation as one chunk',
      run: async () => {
        const data = expDecayData(10000, true);
        const one = await backend.createModelEvaluator({ program, data });
        const many = await backend.createModelEvaluator({ program, data, maxPointsPerChunk: 1500 });
        try {
          assert(one.chunks === 1 && many.chunks === 7, `chunks ${one.chunks}, ${many.chunks}`);
          const a = await one.evaluate(T0, true);
          const b = await many.evaluate(T0, true);
          assert(Math.abs(a.cost - b.cost) <= 1e-5 * a.cost, `cost ${a.cost} vs ${b.cost}`);
          assertGramClose(packedFromTriangle(b.T!, 4), packedFromTriangle(a.T!, 4), 4, 2e-5, 'chunked TᵀT');
        } finally {
          one.destroy();
          many.destroy();
        }
      },
    },
    {
      name: 'erf, erfc, sqrt, log, hypot, integer powers of negative bases and real powers match f64',
      run: async () => {
        const prog = functionsProgram();
        const x = Float64Array.from({ length: 4000 }, (_, i) => 0.05 + (4.9 * i) / 4000);
        const y = Float64Array.from(x, (v) => Math.sin(v));
        const data = { x: [x], y, w: null };
        const th = Float64Array.of(1.3, 0.7, 1.6);
        const prob = await backend.createModelEvaluator({ program: prog, data });
        try {
          const ev = await prob.evaluate(th, true);
          const G = referenceGram(prog, th, data);
          assertGramClose(packedFromTriangle(ev.T!, 4), G, 4, 1e-4, 'functions TᵀT');
          assert(Math.abs(ev.cost - G[9]! / 2) <= 1e-4 * (G[9]! / 2), `cost ${ev.cost} vs ${G[9]! / 2}`);
        } finally {
          prob.destroy();
        }
      },
    },
    {
      // Weights 1/allowed make each residual the f32 error over what is allowed at that point; the
      // largest of them is at most √(2·cost), so the cost bounds every point's error, not only their
      // mean. Allowed: 4e-6·|w| — and below the real axis, where w(z) = 2·exp(−z²) − w(−z) needs
      // cos and sin of 2xy, also WGSL's own accuracy for them (absolute 2⁻¹¹, the spec's bound;
      // SwiftShader is that coarse) times |2·exp(−z²)|.
      name: 'faddeeva_re and faddeeva_im (Voigt) match the f64 Faddeeva function to 4e-6·|w| (and WGSL sin/cos accuracy on the reflection below the axis)',
      run: async () => {
        const { u, v } = faddeevaPoints();
        const scale = Float64Array.from(u, (ui, i) => {
          const vi = v[i]!;
          const w = Math.hypot(faddeevaRe(ui, vi), faddeevaIm(ui, vi));
          const reflection = vi < 0 ? 2 ** -11 * 2 * Math.exp(vi * vi - ui * ui) : 0;
          return 1 / Math.max(4e-6 * w, reflection);
        });
        for (const fn of ['faddeeva_re', 'faddeeva_im'] as const) {
          const y = Float64Array.from(u, (ui, i) => (fn === 'faddeeva_re' ? faddeevaRe : faddeevaIm)(ui, v[i]!));
          const prob = await backend.createModelEvaluator({ program: faddeevaProgram(fn), data: { x: [u, v], y, w: scale } });
          try {
            const ev = await prob.evaluate(Float64Array.of(1), false);
            const worst = Math.sqrt(2 * ev.cost);
            assert(worst <= 1, `${fn}: largest error ${worst.toExponential(2)} × the allowed error (4e-6·|w|, or 2⁻¹¹·|2e^(−z²)| below the axis)`);
          } finally {
            prob.destroy();
          }
        }
      },
    },
    {
      name: 'robust losses (soft_l1, huber, cauchy, arctan with fScale) scale rows and cost as SciPy does',
      run: async () => {
        const data = expDecayData(4000, true);
        // outliers every 50th point so that the losses leave their quadratic region; at the true
        // parameters inliers have z = (r/C)² ≤ 0.16 and outliers z ≥ 64, so no point sits at huber's
        // z = 1 jump of SciPy's row scale (1 → √ε), where f32 and f64 may classify differently
        for (let i = 0; i < data.y.length; i += 50) data.y[i]! += 0.8;
        const th = Float64Array.of(2.5, 0.8, 0.4);
        for (const loss of ['soft_l1', 'huber', 'cauchy', 'arctan'] as const) {
          const fScale = 0.1;
          const prob = await backend.createModelEvaluator({ program, data, loss, fScale });
          try {
            const ev = await prob.evaluate(th, true);
            const ref = referenceRobust(program, th, data, resolveLoss(loss, fScale)!);
            assert(Math.abs(ev.cost - ref.cost) <= 1e-4 * ref.cost, `${loss}: cost ${ev.cost} vs ${ref.cost}`);
            assert(ev.T !== null, `${loss}: T is null`);
            assertGramClose(packedFromTriangle(ev.T, 4), ref.G, 4, 1e-4, `${loss} TᵀT`);
            const costOnly = await prob.evaluate(th, false);
            assert(Math.abs(costOnly.cost - ev.cost) <= 1e-5 * ev.cost, `${loss}: cost-only ${costOnly.cost} vs ${ev.cost}`);
          } finally {
            prob.destroy();
          }
        }
      },
    },
    {
      name: 'non-finite parameters give a NaN cost and no triangle; overflowing residuals give no triangle',
      run: async () => {
        const prob = await backend.createModelEvaluator({ program, data: expDecayData(1000, false) });
        try {
          const ev = await prob.evaluate(Float64Array.of(Number.NaN, 1, 1), true);
          assert(Number.isNaN(ev.cost) && ev.T === null, `NaN params gave cost ${ev.cost}`);
          const big = await prob.evaluate(Float64Array.of(1, -200, 0), true);
          assert(big.T === null && !Number.isFinite(big.cost), `overflow gave cost ${big.cost}`);
        } finally {
          prob.destroy();
        }
      },
    },
    {
      name: 'a WGSL compile error is a ShaderCompileError with line and column',
      run: async () => {
        const err = await backend.pipelines
          .get({ label: 'broken', code: '@compute @workgroup_size(1)\nfn main( {}\n', layout: 'auto' })
          .then(() => null, (e: unknown) => e);
        assert(err instanceof ShaderCompileError, `got ${String(err)}`);
        assert(/ 2:\d+ error: /.test(err.message) && err.message.includes('fn main( {}'), err.message);
      },
    },
    {
      name: 'NIST Misra1a fits to 3 digits on the device (trf through the ResidualProblem adapter, no polish)',
      run: async () => {
        const data = { x: [Float64Array.from(MISRA1A.x)], y: Float64Array.from(MISRA1A.y), w: null };
        const prob = createDeviceProblem(await backend.createModelEvaluator({ program: misra1aProgram(), data }));
        try {
          const out = await runSolverAsync(
            trf(prob, {
              method: 'trf', x0: Float64Array.of(500, 1e-4), lb: Float64Array.of(-Infinity, -Infinity),
              ub: Float64Array.of(Infinity, Infinity), ftol: 1e-8, xtol: 1e-8, gtol: 1e-8, maxNfev: 400,
              xScale: Float64Array.of(1, 1), jacobianCostsNfev: 0,
            }),
            prob,
          );
          for (let j = 0; j < 2; j++) {
            const lre = -Math.log10(Math.abs(out.x[j]! - MISRA1A.certified[j]!) / Math.abs(MISRA1A.certified[j]!));
            assert(lre >= 3, `b${j + 1} = ${out.x[j]} vs ${MISRA1A.certified[j]} (LRE ${lre.toFixed(2)}; ${out.message})`);
          }
          const lreRss = -Math.log10(Math.abs(2 * out.cost - MISRA1A.rss) / MISRA1A.rss);
          assert(lreRss >= 3, `RSS ${2 * out.cost} vs ${MISRA1A.rss} (LRE ${lreRss.toFixed(2)})`);
        } finally {
          prob.destroy();
        }
      },
    },
    {
      name: 'a lost device rejects evaluations with DeviceLostError',
      run: async () => {
        const extra = await createExtra();
        const prob = await extra.createModelEvaluator({ program, data: expDecayData(1000, false) });
        extra.destroy();
        const err = await prob.evaluate(T0, true).then(() => null, (e: unknown) => e);
        assert(err instanceof DeviceLostError, `got ${String(err)}`);
        assert(/the WebGPU device was lost/.test(err.message), err.message);
      },
    },
  ];
}
