/**
 * Runtime-independent device checks of the WebGPU batch engine (`fitBatch` with a WebGPU
 * backend): they run under vitest in Node (the `webgpu` package, `test/batch/webgpu-engine.test.ts`)
 * and in headless Chromium and Deno (`scripts/test-webgpu.mjs`). Each check throws on failure.
 *
 * The reference is the CPU engine (`backend: 'cpu'`), the f64 path of `curveFit`.
 *
 * ## The f32 tolerance (polish off)
 *
 * The device stops when the reduction of χ² it can see falls below ftol_d·χ² (ftol_d = 2⁻²⁰, the
 * floor of `webgpu-batch-solver.ts`, ≈ 8 ε₃₂). Near the minimum χ²(θ) − χ²_min ≈ ΔθᵀHΔθ, so the
 * device's θ lies within ΔθᵀHΔθ ≲ ftol_d·χ² of it, i.e. |Δθ_j| ≤ √(ftol_d·χ²·(H⁻¹)_jj) =
 * √(ftol_d·(n − p))·perr_j (perr_j² = s²(H⁻¹)_jj, s² = χ²/(n − p)). On top of that the f32
 * evaluation of the gradient at the minimum carries a relative error γ ≈ n·ε₃₂ in each term of
 * Jᵀr, which moves the zero of the gradient by H⁻¹δg: |δθ_j| ≲ γ·κ_j·perr_j·√(n − p) with
 * κ_j = ‖J_j‖·√((H⁻¹)_jj) (the column's condition, ≥ 1). The check allows
 * |Δθ_j| ≤ 2·(√(ftol_d·(n − p)) + n·ε₃₂·κ_j·√(n − p))·perr_j + 4ε₃₂|θ_j|, with κ_j from the CPU fit.
 */
import type { WebGPUBackend } from '../../../src/backends/webgpu/webgpu-backend.ts';
import type { BatchResult } from '../../../src/batch/batch-result.ts';
import { fitBatch } from '../../../src/fit-batch.ts';
import { model } from '../../../src/model/model.ts';
import { F32_TOLERANCE_FLOOR } from '../../../src/backends/webgpu/webgpu-batch-solver.ts';
import { lowerToProgram } from '../../../src/model/lower.ts';
import type { DeviceCheck } from './checks.ts';

const EPS32 = 2 ** -23;

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Gpufit's 2-D Gaussian (one width), 5 × 5 pixels, 5 parameters. */
const GAUSS2D = model('a*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + b', { params: ['a', 'x0', 'y0', 's', 'b'], variables: ['x', 'y'] });

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
}

/** nFits noisy 2-D Gaussians on the 5 × 5 grid and starts near the truth (as Gpufit's example). */
function gpufitData(nFits: number, seed = 5) {
  const u = lcg(seed);
  const gx = new Float64Array(25);
  const gy = new Float64Array(25);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) ((gx[i * 5 + j] = j), (gy[i * 5 + j] = i));
  const y = new Float64Array(nFits * 25);
  const p0 = new Float64Array(nFits * 5);
  for (let f = 0; f < nFits; f++) {
    const t = [10 + 4 * u(), 2 + 0.4 * u(), 2 + 0.4 * u(), 1 + 0.2 * u(), 1 + 0.4 * u()];
    for (let q = 0; q < 25; q++) {
      const v = t[0]! * Math.exp(-((gx[q]! - t[1]!) ** 2 + (gy[q]! - t[2]!) ** 2) / (2 * t[3]! ** 2)) + t[4]!;
      y[f * 25 + q] = v + 0.3 * Math.sqrt(v) * u();
    }
    p0.set([t[0]! * 0.9, t[1]! + 0.2, t[2]! - 0.2, 1.3, 0.8], f * 5);
  }
  return { x: [gx, gy], y, p0 };
}

/** Column condition κ_j = ‖J_j‖·√((H⁻¹)_jj) from the CPU fit i (pcov = s²H⁻¹, ‖J_j‖² = H_jj). */
function columnConditions(cpu: BatchResult, i: number): number[] {
  const r = cpu.get(i);
  const s2 = r.chiSquare / (r.dof > 0 ? r.dof : 1);
  const p = r.pcov.length;
  // H = (pcov/s²)⁻¹: its diagonal by Gauss–Jordan on the small matrix
  const M = r.pcov.map((row) => row.map((v) => v / s2));
  const I = M.map((_, a) => M.map((__, b) => (a === b ? 1 : 0)));
  for (let c = 0; c < p; c++) {
    const d = M[c]![c]!;
    for (let j = 0; j < p; j++) ((M[c]![j]! /= d), (I[c]![j]! /= d));
    for (let k = 0; k < p; k++) {
      if (k === c) continue;
      const f = M[k]![c]!;
      for (let j = 0; j < p; j++) ((M[k]![j]! -= f * M[c]![j]!), (I[k]![j]! -= f * I[c]![j]!));
    }
  }
  return Array.from({ length: p }, (_, j) => Math.sqrt(I[j]![j]! * (r.pcov[j]![j]! / s2)));
}

/**
 * Both batches stop within their tolerances of the same minimum: popt to 1e-8 relative plus
 * 2√(ftol·dof)·perr (where χ² is within ftol·χ² of its minimum, |Δθ_j| ≤ √(ftol·dof)·perr_j: what a
 * parameter near zero or a trust region creeping along an active bound leaves open); perr to 1e-6;
 * the same success per fit.
 */
function assertSameFits(got: BatchResult, want: BatchResult, what: string, ftol: number, dof: number): void {
  for (let e = 0; e < want.popt.length; e++) {
    if (Number.isNaN(want.popt[e]!) && Number.isNaN(got.popt[e]!)) continue; // a fit that could not start
    const tol = 1e-8 * Math.abs(want.popt[e]!) + 2 * Math.sqrt(ftol * dof) * want.perr[e]!;
    assert(Math.abs(got.popt[e]! - want.popt[e]!) <= tol, `${what}: popt[${e}] = ${got.popt[e]} vs ${want.popt[e]} (tolerance ${tol.toExponential(2)})`);
    const pe = Math.abs(got.perr[e]! - want.perr[e]!);
    assert(pe <= 1e-6 * want.perr[e]! || got.perr[e] === want.perr[e], `${what}: perr[${e}] = ${got.perr[e]} vs ${want.perr[e]}`);
  }
  for (let i = 0; i < want.nFits; i++) assert(got.status[i]! > 0 === want.status[i]! > 0, `${what}: fit ${i} status ${got.status[i]} vs ${want.status[i]} (${got.message(i)} / ${want.message(i)})`);
}

/**
 * The batch-engine device checks.
 *
 * @param backend - a WebGPU backend (software adapters allowed).
 */
export function batchDeviceChecks(backend: WebGPUBackend): DeviceCheck[] {
  return [
    {
      name: 'batch: polish off — the device answers agree with the CPU engine within the f32 tolerance from ε₃₂, ftol and the columns’ condition',
      run: async () => {
        const d = gpufitData(160);
        const cpu = await fitBatch(GAUSS2D, { x: d.x, y: d.y }, { p0: d.p0, backend: 'cpu' });
        const dev = await fitBatch(GAUSS2D, { x: d.x, y: d.y }, { p0: d.p0, backend, polish: false });
        assert(dev.summary().polish === false && dev.summary().engine === 'webgpu', `plan ${JSON.stringify(dev.summary())}`);
        const n = 25;
        const p = 5;
        let worst = 0;
        for (let i = 0; i < dev.nFits; i++) {
          assert(dev.status[i]! > 0 && cpu.status[i]! > 0, `fit ${i}: status ${dev.status[i]} (${dev.message(i)}) vs ${cpu.status[i]}`);
          const kappa = columnConditions(cpu, i);
          for (let j = 0; j < p; j++) {
            const e = i * p + j;
            const perr = cpu.perr[e]!;
            const tol = 2 * (Math.sqrt(F32_TOLERANCE_FLOOR * (n - p)) + n * EPS32 * kappa[j]! * Math.sqrt(n - p)) * perr + 4 * EPS32 * Math.abs(cpu.popt[e]!);
            const err = Math.abs(dev.popt[e]! - cpu.popt[e]!);
            worst = Math.max(worst, err / tol);
            assert(err <= tol, `fit ${i} ${dev.paramNames[j]}: ${dev.popt[e]} vs ${cpu.popt[e]} (|Δ| ${err.toExponential(2)} > ${tol.toExponential(2)}, perr ${perr.toExponential(2)}, κ ${kappa[j]!.toFixed(1)}; device: ${dev.message(i)}, ${dev.nit[i]} iterations, ${dev.nfev[i]} evaluations, χ² ${dev.chiSquare[i]} vs ${cpu.chiSquare[i]})`);
            assert(Math.abs(dev.perr[e]! - perr) <= 1e-2 * perr, `fit ${i} perr ${j}: ${dev.perr[e]} vs ${perr}`);
          }
          assert(Math.abs(dev.chiSquare[i]! - cpu.chiSquare[i]!) <= 1e-4 * cpu.chiSquare[i]! + 1e-6, `fit ${i} χ² ${dev.chiSquare[i]} vs ${cpu.chiSquare[i]}`);
        }
        assert(worst > 0, 'the device answers equal the f64 ones exactly: not an f32 run');
      },
    },
    {
      name: 'batch: polish on — popt to 1e-8 (or 10⁻⁶ perr) and perr to 1e-6 of the CPU engine, tight and default tolerances',
      run: async () => {
        const d = gpufitData(120, 9);
        const tight = { ftol: 1e-12, xtol: 1e-12, gtol: 1e-12 };
        const cpu = await fitBatch(GAUSS2D, { x: d.x, y: d.y }, { p0: d.p0, ...tight, backend: 'cpu' });
        const dev = await fitBatch(GAUSS2D, { x: d.x, y: d.y }, { p0: d.p0, ...tight, backend });
        assert(dev.summary().polish === true, 'polish is the default');
        assertSameFits(dev, cpu, 'tight tolerances', 1e-12, 20);
        const cpuDefault = await fitBatch(GAUSS2D, { x: d.x, y: d.y }, { p0: d.p0, backend: 'cpu' });
        const devDefault = await fitBatch(GAUSS2D, { x: d.x, y: d.y }, { p0: d.p0, backend });
        for (let e = 0; e < cpu.popt.length; e++) {
          // at the default ftol (1e-8) each stops where χ² is within ftol·χ² of its minimum: |Δθ_j| ≤ √(ftol·(n − p))·perr_j
          const tol = 2 * Math.sqrt(1e-8 * (25 - 5)) * cpu.perr[e]! + 1e-8 * Math.abs(cpu.popt[e]!);
          assert(Math.abs(devDefault.popt[e]! - cpu.popt[e]!) <= tol && Math.abs(cpuDefault.popt[e]! - cpu.popt[e]!) <= tol, `default tolerances popt[${e}]: ${devDefault.popt[e]}, ${cpuDefault.popt[e]} vs ${cpu.popt[e]}`);
        }
      },
    },
    {
      name: 'batch: per-point x with variable lengths, sigma, a held parameter and active bounds agree with the CPU engine after the polish',
      run: async () => {
        const u = lcg(21);
        const nFits = 40;
        const lengths = Array.from({ length: nFits }, (_, f) => 12 + ((f * 7) % 30));
        const offsets = new Int32Array(nFits + 1);
        lengths.forEach((n, f) => (offsets[f + 1] = offsets[f]! + n));
        const total = offsets[nFits]!;
        const x = new Float64Array(total);
        const y = new Float64Array(total);
        const sigma = new Float64Array(total);
        for (let f = 0; f < nFits; f++) {
          for (let q = 0; q < lengths[f]!; q++) {
            const t = -3 + (6 * q) / (lengths[f]! - 1);
            const o = offsets[f]! + q;
            x[o] = t;
            sigma[o] = 0.02 * (1 + (q % 3));
            y[o] = (1.5 + 0.02 * f) * Math.exp(-((t - 0.1 * Math.sin(f)) ** 2) / 1.8) + 0.3 + sigma[o]! * u();
          }
        }
        const m = model('a*exp(-(x - mu)^2/(2*s^2)) + b');
        const opts = { p0: [1, 0, 0.9, 0.3], sigma, vary: [true, true, true, false], bounds: [[0, -1, 0.5, -1], [1.7, 1, 2, 1]] as [number[], number[]], ftol: 1e-12, xtol: 1e-12, gtol: 1e-12 };
        const cpu = await fitBatch(m, { x, y, offsets }, { ...opts, backend: 'cpu' });
        const dev = await fitBatch(m, { x, y, offsets }, { ...opts, backend });
        let atBound = 0;
        for (let f = 0; f < nFits; f++) if (cpu.popt[f * 4]! >= 1.7 * (1 - 1e-6)) atBound++;
        assert(atBound > 0, 'no fit has its amplitude at the upper bound: the bounds are not exercised');
        assert(dev.summary().method === 'trf', `method ${dev.summary().method}`);
        assertSameFits(dev, cpu, 'variable lengths', 1e-12, 41 - 3);
      },
    },
    {
      name: 'batch: failing fits (NaN data, too few points, non-finite at p0, singular at p0, evaluation limit) get the CPU engine’s status; polish off reports the device state',
      run: async () => {
        const m = model('a*exp(b*x) + c');
        const n = 12;
        const nFits = 6;
        const xs = Float64Array.from({ length: n }, (_, q) => q / 3);
        const y = new Float64Array(nFits * n);
        for (let f = 0; f < nFits; f++) for (let q = 0; q < n; q++) y[f * n + q] = 2 * Math.exp(-0.7 * xs[q]!) + 0.5 + 0.01 * Math.sin(3 * q + f);
        y[1 * n + 4] = Number.NaN; // fit 1: NaN observation → cannot start
        const p0 = new Float64Array(nFits * 3);
        for (let f = 0; f < nFits; f++) p0.set([1.5, -0.5, 0.4], f * 3);
        p0.set([1, 1000, 0], 2 * 3); // fit 2: exp(1000·x) overflows → non-finite residuals at p0
        p0.set([0, -0.5, 0.4], 3 * 3); // fit 3: a = 0 → ∂f/∂b = 0: JᵀJ singular at p0
        const cpu = await fitBatch(m, { x: xs, y }, { p0, backend: 'cpu' });
        const dev = await fitBatch(m, { x: xs, y }, { p0, backend });
        for (let i = 0; i < nFits; i++) {
          assert(dev.status[i] === cpu.status[i] || (dev.status[i]! > 0 && cpu.status[i]! > 0), `fit ${i}: status ${dev.status[i]} vs ${cpu.status[i]} (${dev.message(i)})`);
        }
        assert(dev.status[1] === -1 && dev.message(1) === cpu.message(1), `fit 1: ${dev.message(1)}`);
        assert(dev.status[2] === -1 && dev.message(2) === cpu.message(2), `fit 2: ${dev.message(2)}`);
        assert(cpu.status[3]! > 0, `fit 3 on the CPU: ${cpu.message(3)}`);
        assertSameFits(dev, cpu, 'failing set', 1e-8, 12 - 3);
        const raw = await fitBatch(m, { x: xs, y }, { p0, backend, polish: false });
        assert(raw.status[1] === -1 && raw.message(1) === cpu.message(1), `polish off, fit 1: ${raw.message(1)}`);
        assert(raw.status[2] === -1 && /not finite at p0 on the device/.test(raw.message(2)), `polish off, fit 2: ${raw.message(2)}`);
        assert(raw.status[3] === -1 && /singular on the device/.test(raw.message(3)), `polish off, fit 3: ${raw.message(3)}`);
        const limited = await fitBatch(m, { x: xs, y }, { p0, backend, polish: false, maxNfev: 2 });
        assert(limited.status[0] === 0 && /iteration limit \(1 iterations\)/.test(limited.message(0)), `maxNfev 2, polish off: ${limited.status[0]} ${limited.message(0)}`);
        const cpuLimited = await fitBatch(m, { x: xs, y }, { p0, backend: 'cpu', maxNfev: 2 });
        const devLimited = await fitBatch(m, { x: xs, y }, { p0, backend, maxNfev: 2 });
        for (const i of [0, 4, 5]) assert(devLimited.status[i] === cpuLimited.status[i] && cpuLimited.status[i] === 0, `maxNfev 2, fit ${i}: ${devLimited.status[i]} vs ${cpuLimited.status[i]}`);
      },
    },
    {
      name: 'batch: 7 free parameters on 48 points (the Gram reduced in two workgroup-memory rounds) agree with the CPU engine within the f32 tolerance',
      run: async () => {
        // Legendre polynomials P0…P6 on a uniform grid of [−1, 1]: nearly orthogonal columns, linear
        // in θ, and only + and × (WGSL guarantees sin/cos to 2⁻¹¹ absolute only: SwiftShader's are that coarse)
        const m = model(
          'c0 + c1*x + c2*(3*x^2 - 1)/2 + c3*(5*x^3 - 3*x)/2 + c4*(35*x^4 - 30*x^2 + 3)/8 + c5*(63*x^5 - 70*x^3 + 15*x)/8 + c6*(231*x^6 - 315*x^4 + 105*x^2 - 5)/16',
        );
        const n = 48;
        const nFits = 20;
        const x = Float64Array.from({ length: n }, (_, q) => -1 + (2 * q) / (n - 1));
        const u = lcg(31);
        const y = new Float64Array(nFits * n);
        for (let f = 0; f < nFits; f++) for (let q = 0; q < n; q++) y[f * n + q] = 1 + x[q]! - 0.5 * x[q]! ** 2 + 0.1 * f * x[q]! ** 3 + 0.05 * u();
        const p0 = [0, 0, 0, 0, 0, 0, 0];
        const cpu = await fitBatch(m, { x, y }, { p0, backend: 'cpu' });
        const dev = await fitBatch(m, { x, y }, { p0, backend, polish: false });
        for (let e = 0; e < cpu.popt.length; e++) {
          const kappa = columnConditions(cpu, Math.floor(e / 7))[e % 7]!;
          const tol = 2 * (Math.sqrt(F32_TOLERANCE_FLOOR * (n - 7)) + n * EPS32 * kappa * Math.sqrt(n - 7)) * cpu.perr[e]! + 4 * EPS32 * Math.abs(cpu.popt[e]!);
          assert(Math.abs(dev.popt[e]! - cpu.popt[e]!) <= tol, `popt[${e}] = ${dev.popt[e]} vs ${cpu.popt[e]} (tolerance ${tol.toExponential(2)}; ${dev.message(Math.floor(e / 7))})`);
        }
      },
    },
    {
      name: 'batch: a call split into many dispatches gives bitwise the answers of one dispatch; the kernel compiles for every data layout',
      run: async () => {
        const d = gpufitData(50, 13);
        const program = lowerToProgram(GAUSS2D);
        const request = { program, free: Int32Array.of(0, 1, 2, 3, 4), sharedX: d.x, weighted: false, maxPoints: 25, maxIterations: 30, ftol: 1e-8, xtol: 1e-8, gtol: 1e-8 };
        const fits = {
          nFits: 50, offsets: Int32Array.from({ length: 51 }, (_, i) => i * 25), y: d.y, w: null, x: null, theta0: d.p0,
          lb: new Float64Array(250).fill(-Infinity), ub: new Float64Array(250).fill(Infinity),
        };
        const one = await (await backend.createBatchSolver(request)).solve(fits);
        const many = await (await backend.createBatchSolver({ ...request, maxFitsPerDispatch: 7 })).solve(fits);
        for (const key of ['theta', 'chiSquare', 'state', 'nit', 'nfev', 'hessian'] as const) {
          const a = one[key];
          const b = many[key];
          for (let e = 0; e < a.length; e++) assert(Object.is(a[e], b[e]), `${key}[${e}]: ${a[e]} vs ${b[e]}`);
        }
        // per-point x, weighted, held parameters: each variant compiles and converges
        const perPoint = { ...request, sharedX: null, weighted: true, free: Int32Array.of(0, 1, 2, 3) };
        const xs = d.x.map((c) => Float64Array.from({ length: 50 * 25 }, (_, q) => c[q % 25]!));
        const w = new Float64Array(50 * 25).fill(2);
        const held = await (await backend.createBatchSolver(perPoint)).solve({ ...fits, x: xs, w, lb: new Float64Array(200).fill(-Infinity), ub: new Float64Array(200).fill(Infinity) });
        for (let i = 0; i < 50; i++) {
          assert(held.state[i]! >= 1 && held.state[i]! <= 3, `held variant fit ${i}: state ${held.state[i]}`);
          assert(held.theta[i * 5 + 4] === Math.fround(d.p0[i * 5 + 4]!), `held b moved: ${held.theta[i * 5 + 4]}`);
        }
      },
    },
  ];
}
