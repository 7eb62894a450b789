/**
 * The device batch engine without a device: a fake backend whose `createBatchSolver` returns
 * scripted answers (the CPU engine's tight-tolerance minimum, perturbed at the f32 level, with
 * chosen states), so the polish path, the fallbacks, the status mapping of `polish: false`, the
 * inputs the device receives and the sub-batching are tested in Node. The same engine on a real
 * device runs in `test/browser/webgpu/batch-checks.ts` (Node's webgpu package, Chromium, Deno).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.ts';
import { DEVICE_FIT_STATE, type BatchSolverFits, type BatchSolverRequest, type DeviceBatchResult, type DeviceBatchSolver } from '../../src/backends/batch-solver.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { deviceStatus, POLISH_NFEV_PER_PARAM } from '../../src/batch/device-engine.ts';
import { AbortError, BackendUnavailableError, NlsqRangeError, NlsqTypeError } from '../../src/errors.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { model } from '../../src/model/model.ts';
import { params } from '../../src/model/params.ts';
import { STATUS_CODE } from '../../src/optim/evaluation.ts';

const gauss = model('a*exp(-(x - mu)^2/(2*s^2)) + b');
const P = 4;
const N = 30;
const x = Float64Array.from({ length: N }, (_, i) => -4 + (8 * i) / (N - 1));
const TIGHT = { ftol: 1e-12, xtol: 1e-12, gtol: 1e-12 };

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
}

function gaussians(nFits: number, seed = 3): Float64Array {
  const r = lcg(seed);
  const Y = new Float64Array(nFits * N);
  for (let f = 0; f < nFits; f++) {
    for (let i = 0; i < N; i++) Y[f * N + i] = (1 + f / nFits) * Math.exp(-((x[i]! - 0.3 * Math.sin(f)) ** 2) / (2 * 1.1 ** 2)) + 0.2 + 0.02 * r();
  }
  return Y;
}

const P0 = [1, 0, 1, 0];

/** Invert a small symmetric positive definite matrix (Gauss–Jordan, f64). */
function invert(A: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A);
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    const d = M[c * n + c]!;
    for (let j = 0; j < n; j++) ((M[c * n + j] = M[c * n + j]! / d), (I[c * n + j] = I[c * n + j]! / d));
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r * n + c]!;
      for (let j = 0; j < n; j++) ((M[r * n + j] = M[r * n + j]! - f * M[c * n + j]!), (I[r * n + j] = I[r * n + j]! - f * I[c * n + j]!));
    }
  }
  return I;
}

/**
 * popt of two batches agree to 1e-8 relative, or — for a parameter near zero, where a relative
 * test means nothing — to 10⁻⁶ of its standard error (both stop within their tolerances of the
 * same minimum; χ² is flat there to f64 rounding); perr to 1e-6 relative.
 */
function expectSameFits(got: Awaited<ReturnType<typeof fitBatch>>, want: Awaited<ReturnType<typeof fitBatch>>): void {
  for (let e = 0; e < want.popt.length; e++) {
    const tol = 1e-8 * Math.abs(want.popt[e]!) + 1e-6 * want.perr[e]!;
    if (!(Math.abs(got.popt[e]! - want.popt[e]!) <= tol)) throw new Error(`popt[${e}] = ${got.popt[e]} vs ${want.popt[e]} (tolerance ${tol.toExponential(2)})`);
  }
  expect(got.perr).toBeAllclose(want.perr, { rtol: 1e-6 });
}

/** A scripted device answer per fit (by global index). */
interface Script {
  theta: (i: number) => Float64Array;
  state?: (i: number) => number;
  chi?: (i: number) => number;
  hessian?: (i: number) => Float64Array;
}

/** A CPU backend with a fake `createBatchSolver` that records every call. */
function fakeDevice(script: Script): { backend: Backend; calls: BatchSolverFits[]; requests: BatchSolverRequest[] } {
  const calls: BatchSolverFits[] = [];
  const requests: BatchSolverRequest[] = [];
  const cpu = createCpuBackend();
  const backend: Backend = {
    ...cpu,
    info: { ...cpu.info, name: 'fake-device', precision: 'f32', epsilon: 2 ** -23, synchronous: false, runsClosures: false },
    async createBatchSolver(request) {
      requests.push(request);
      const p = request.program.params.length;
      const f = request.free.length;
      let cursor = 0;
      const solver: DeviceBatchSolver = {
        free: f,
        tolerances: { ftol: 1e-6, xtol: 1e-6, gtol: 1e-6 },
        layout: 'fake',
        async solve(fits) {
          calls.push(fits);
          const h = (f * (f + 1)) / 2;
          const out: DeviceBatchResult = {
            theta: new Float64Array(fits.nFits * p),
            chiSquare: new Float64Array(fits.nFits),
            state: new Uint8Array(fits.nFits),
            nit: new Int32Array(fits.nFits).fill(7),
            nfev: new Int32Array(fits.nFits).fill(9),
            hessian: new Float64Array(fits.nFits * h),
          };
          for (let r = 0; r < fits.nFits; r++) {
            const g = cursor + r;
            if (Number.isNaN(fits.theta0[r * p]!)) {
              out.state[r] = DEVICE_FIT_STATE.nonFinite;
              continue;
            }
            out.theta.set(script.theta(g), r * p);
            out.state[r] = script.state?.(g) ?? DEVICE_FIT_STATE.ftol;
            out.chiSquare[r] = script.chi?.(g) ?? 1;
            if (script.hessian !== undefined) out.hessian.set(script.hessian(g), r * h);
          }
          cursor += fits.nFits;
          return out;
        },
        destroy() {},
      };
      return solver;
    },
  };
  return { backend, calls, requests };
}

/** θ perturbed at the f32 level (relative `rel`, alternating signs) and rounded to f32. */
function f32Answer(popt: Float64Array, i: number, rel: number): Float64Array {
  return Float64Array.from(popt.subarray(i * P, (i + 1) * P), (v, j) => Math.fround(v * (1 + (j % 2 === 0 ? rel : -rel))));
}

describe('device batch engine, polish on (fake device)', () => {
  const nFits = 40;
  const y = gaussians(nFits);

  it('polishes f32-level device answers to the CPU engine’s popt (1e-8) and perr (1e-6) at tight tolerances', async () => {
    const cpu = await fitBatch(gauss, { x, y }, { p0: P0, ...TIGHT, backend: 'cpu' });
    const { backend } = fakeDevice({ theta: (i) => f32Answer(cpu.popt, i, 3e-5) });
    const dev = await fitBatch(gauss, { x, y }, { p0: P0, ...TIGHT, backend });
    expectSameFits(dev, cpu);
    expect(Array.from(dev.status, (s) => s > 0)).toEqual(Array.from(cpu.status, (s) => s > 0));
    expect(dev.cost).toBeAllclose(cpu.cost, { rtol: 1e-10 });
    // both phases counted: the device's 9 evaluations and 7 iterations plus the polish's
    for (let i = 0; i < nFits; i++) {
      expect(dev.nfev[i]).toBeGreaterThan(9);
      expect(dev.nfev[i]).toBeLessThanOrEqual(9 + POLISH_NFEV_PER_PARAM * (P + 1));
      expect(dev.nit[i]).toBeGreaterThanOrEqual(7);
    }
    const s = dev.summary();
    expect(s.engine).toBe('fake-device');
    expect(s.polish).toBe(true);
    expect(s.reason).toContain('polished in f64 on the local engine');
  });

  test.prop([fc.double({ min: -3e-3, max: 3e-3, noNaN: true })], { numRuns: 8 })(
    'any start within 0.3% of the minimum polishes to the same answer as the CPU engine',
    async (rel) => {
      const cpu = await fitBatch(gauss, { x, y: y.subarray(0, 8 * N) }, { p0: P0, ...TIGHT, backend: 'cpu' });
      const { backend } = fakeDevice({ theta: (i) => f32Answer(cpu.popt, i, rel) });
      const dev = await fitBatch(gauss, { x, y: y.subarray(0, 8 * N) }, { p0: P0, ...TIGHT, backend });
      expectSameFits(dev, cpu);
    },
  );

  it('reruns from p0 every fit the device could not finish, or whose polish does not converge, exactly as the host engine', async () => {
    const cpu = await fitBatch(gauss, { x, y }, { p0: P0 }); // the host engine (createLocalEngine) the device engine reruns on
    const states: Record<number, number> = { 1: DEVICE_FIT_STATE.nonFinite, 2: DEVICE_FIT_STATE.singular, 3: DEVICE_FIT_STATE.tooLarge, 4: DEVICE_FIT_STATE.maxIterations };
    // fit 5: a device answer (s = 0) at which the residuals are not finite: the polish cannot start, the full rerun decides
    const { backend } = fakeDevice({
      theta: (i) => (i === 5 ? Float64Array.of(1, 0, 0, 0) : f32Answer(cpu.popt, i, 1e-5)),
      state: (i) => states[i] ?? DEVICE_FIT_STATE.xtol,
    });
    const dev = await fitBatch(gauss, { x, y }, { p0: P0, backend });
    for (const i of [1, 2, 3, 5]) {
      expect(dev.params(i)).toEqual(cpu.params(i));
      expect(dev.perr.subarray(i * P, (i + 1) * P)).toEqual(cpu.perr.subarray(i * P, (i + 1) * P));
      expect(dev.status[i]).toBe(cpu.status[i]);
      expect(dev.message(i)).toBe(cpu.message(i));
    }
    expect(dev.nfev[3]).toBe(cpu.nfev[3]! + 9); // counts of both phases
    // the iteration limit on the device: the polish takes over from the device's θ
    expect(dev.params(4)).toBeAllclose(cpu.params(4), { rtol: 1e-6 });
    expect(dev.status[4]).toBeGreaterThan(0);
  });

  it('gives fits that cannot start status −1 with the CPU engine’s message, and sends them to the device as NaN rows', async () => {
    const yBad = Float64Array.from(gaussians(4));
    yBad[N + 3] = Number.NaN; // fit 1: a NaN observation
    const offsets = Int32Array.of(0, N, 2 * N, 2 * N + 3, 3 * N + 3); // fit 2: 3 points < 4 parameters
    const xs = new Float64Array(3 * N + 3);
    for (let f = 0, q = 0; f < 4; f++) for (let i = 0; i < offsets[f + 1]! - offsets[f]!; i++) xs[q++] = x[i % N]!;
    const yv = new Float64Array(3 * N + 3);
    yv.set(yBad.subarray(0, 2 * N + 3));
    yv.set(yBad.subarray(3 * N, 4 * N), 2 * N + 3);
    const data = { x: xs, y: yv, offsets };
    const cpu = await fitBatch(gauss, data, { p0: P0, backend: 'cpu' });
    const { backend, calls } = fakeDevice({ theta: (i) => f32Answer(cpu.popt, i, 1e-5) });
    const dev = await fitBatch(gauss, data, { p0: P0, backend });
    expect(Array.from(dev.status)).toEqual(Array.from(cpu.status));
    expect(dev.status[1]).toBe(-1);
    expect(dev.status[2]).toBe(-1);
    expect(dev.message(1)).toBe(cpu.message(1));
    expect(dev.message(2)).toBe('fitBatch: fit 2: 3 points, fewer than the 4 free parameters');
    const sent = calls[0]!;
    expect(Number.isNaN(sent.theta0[1 * P]!) && Number.isNaN(sent.theta0[2 * P]!)).toBe(true);
    expect(Array.from(sent.theta0.subarray(0, P))).toEqual(P0);
    expect(Array.from(sent.offsets)).toEqual(Array.from(offsets));
    expect(sent.x![0]).toEqual(xs);
  });
});

describe('device batch engine, polish off (fake device)', () => {
  const nFits = 12;
  const y = gaussians(nFits, 11);

  it('returns the device θ, perr = √diag(s²·(JᵀJ)⁻¹) from the device’s JᵀJ, χ², and the mapped status', async () => {
    const ref = await fitBatch(gauss, { x, y }, { p0: P0, ...TIGHT, backend: 'cpu' });
    // the device's JᵀJ at the reference minimum: (pcov / s²)⁻¹ from curveFitSync's pcov (lm: (RᵀR)⁻¹·s²)
    const hess = (i: number): Float64Array => {
      const c = ref.get(i);
      const s2 = c.chiSquare / (N - P);
      const H = invert(Float64Array.from(c.pcov.flat(), (v) => v / s2), P);
      const packed: number[] = [];
      for (let a = 0; a < P; a++) for (let b = a; b < P; b++) packed.push(H[a * P + b]!);
      return Float64Array.from(packed);
    };
    const states = [DEVICE_FIT_STATE.gtol, DEVICE_FIT_STATE.ftol, DEVICE_FIT_STATE.xtol, DEVICE_FIT_STATE.maxIterations, DEVICE_FIT_STATE.singular];
    const { backend } = fakeDevice({
      theta: (i) => ref.params(i),
      chi: (i) => ref.chiSquare[i]!,
      state: (i) => states[i % states.length]!,
      hessian: hess,
    });
    const dev = await fitBatch(gauss, { x, y }, { p0: P0, ...TIGHT, backend, polish: false });
    expect(dev.popt).toEqual(ref.popt);
    expect(dev.perr).toBeAllclose(ref.perr, { rtol: 1e-9 });
    expect(dev.chiSquare).toEqual(ref.chiSquare);
    expect(dev.cost).toBeAllclose(Float64Array.from(ref.chiSquare, (c) => c / 2), { rtol: 0 });
    expect(Array.from(dev.status)).toEqual(Array.from({ length: nFits }, (_, i) => [1, 2, 3, 0, -1][i % 5]));
    expect(dev.message(3)).toBe('fitBatch: fit 3: the device reached its iteration limit (7 iterations) without meeting a tolerance');
    expect(dev.message(4)).toMatch(/^fitBatch: fit 4: the damped normal matrix .* is singular on the device/);
    expect(Array.from(dev.nfev)).toEqual(new Array(nFits).fill(9));
    const s = dev.summary();
    expect(s.polish).toBe(false);
    expect(s.reason).toContain("polish off: popt, perr, χ² and cost are the device's f32 results");
    expect(dev.report()).toContain('precision: f32 device results, not polished (polish: false)');
  });

  it('maps every device state to SciPy’s code', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(deviceStatus)).toEqual([STATUS_CODE.gtol, STATUS_CODE.ftol, STATUS_CODE.xtol, STATUS_CODE['max-nfev'], -1, -1, -1]);
  });
});

describe('device batch engine: what the device receives', () => {
  it('sends y in place, weights 1/σ, p0 rows with held values, free bounds, the free positions and the solver limits', async () => {
    const nFits = 5;
    const y = gaussians(nFits, 5);
    const sigma = Float64Array.from(y, (_, i) => 0.5 + (i % 3) / 4);
    const p0 = Float64Array.from({ length: nFits * P }, (_, i) => [1.1, 0, 1, 0.2 + (i >> 2) / 100][i % P]!);
    const { backend, calls, requests } = fakeDevice({ theta: (i) => p0.slice(i * P, (i + 1) * P) });
    await fitBatch(gauss, { x, y }, { p0, sigma, vary: [true, true, true, false], bounds: [[0, -5, 0.1, -Infinity], [10, 5, 9, Infinity]], backend, maxNfev: 40, ftol: 1e-9 });
    const req = requests[0]!;
    expect(Array.from(req.free)).toEqual([0, 1, 2]);
    expect(req.sharedX).not.toBeNull();
    expect(req.weighted).toBe(true);
    expect(req.maxPoints).toBe(N);
    expect(req.maxIterations).toBe(39);
    expect(req.ftol).toBe(1e-9);
    const sent = calls[0]!;
    expect(sent.y).toEqual(y);
    expect(sent.w).toBeAllclose(Float64Array.from(sigma, (s) => 1 / s), { rtol: 0 });
    expect(sent.theta0).toEqual(p0);
    expect(Array.from(sent.lb.subarray(0, 3))).toEqual([0, -5, 0.1]);
    expect(Array.from(sent.ub.subarray(0, 3))).toEqual([10, 5, 9]);
    expect(sent.x).toBeNull();
  });

  it('de-interleaves per-point x of several variables', async () => {
    const plane = model('a*x + b*y + c', { variables: ['x', 'y'] });
    const nFits = 3;
    const n = 6;
    const xy = Float64Array.from({ length: nFits * n * 2 }, (_, i) => i * 0.5);
    const yv = Float64Array.from({ length: nFits * n }, (_, q) => 2 * xy[2 * q]! - xy[2 * q + 1]! + 1);
    const { backend, calls } = fakeDevice({ theta: () => Float64Array.of(2, -1, 1) });
    await fitBatch(plane, { x: xy, y: yv }, { p0: [1, 1, 1], backend });
    const sent = calls[0]!;
    expect(sent.x![0]).toEqual(Float64Array.from({ length: nFits * n }, (_, q) => xy[2 * q]!));
    expect(sent.x![1]).toEqual(Float64Array.from({ length: nFits * n }, (_, q) => xy[2 * q + 1]!));
  });

  it('walks sub-batches in order (one device call each, the next started before the current is polished) with progress', async () => {
    const nFits = 23;
    const y = gaussians(nFits, 9);
    const cpu = await fitBatch(gauss, { x, y }, { p0: P0, backend: 'cpu' });
    const { backend, calls } = fakeDevice({ theta: (i) => f32Answer(cpu.popt, i, 1e-5) });
    const progress: number[] = [];
    const dev = await fitBatch(gauss, { x, y }, { p0: P0, backend, subBatchSize: 7, onProgress: ({ done }) => progress.push(done) });
    expect(calls.map((c) => c.nFits)).toEqual([7, 7, 7, 2]);
    expect(progress).toEqual([7, 14, 21, 23]);
    expect(dev.popt).toBeAllclose(cpu.popt, { rtol: 1e-6 });
    expect(dev.summary().subBatchSize).toBe(7);
  });

  it('stops at an aborted signal with an AbortError', async () => {
    const y = gaussians(30, 2);
    const controller = new AbortController();
    const { backend } = fakeDevice({ theta: () => Float64Array.from(P0) });
    const run = fitBatch(gauss, { x, y }, { p0: P0, backend, subBatchSize: 5, onProgress: ({ done }) => done >= 10 && controller.abort() , signal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(AbortError);
  });
});

describe('device batch engine: bad input', () => {
  const y = gaussians(3);

  it('names polish when it is not a boolean', async () => {
    const run = fitBatch(gauss, { x, y }, { p0: P0, polish: 'yes' as unknown as boolean });
    await expect(run).rejects.toThrow(NlsqTypeError);
    await expect(run).rejects.toMatchObject({ message: 'fitBatch: polish must be a boolean, got "yes"', argument: 'polish' });
  });

  it('refuses a closure, a robust loss and a params set on a named device, naming the argument', async () => {
    const { backend } = fakeDevice({ theta: () => Float64Array.from(P0) });
    const closure = (t: number, a: number, b: number) => a * t + b;
    await expect(fitBatch(closure, { x, y: gaussians(2) }, { p0: [1, 1], backend })).rejects.toMatchObject({ name: 'NlsqTypeError', argument: 'f' });
    const loss = fitBatch(gauss, { x, y }, { p0: P0, backend, loss: 'soft_l1', method: 'trf' });
    await expect(loss).rejects.toThrow(NlsqRangeError);
    await expect(loss).rejects.toThrow("fitBatch: the device batch engine runs the linear loss only, got loss 'soft_l1'; use backend 'cpu' for robust losses");
    const set = params({ a: 1, mu: 0, s: { value: 1, min: 0.1 }, b: 0 });
    await expect(fitBatch(gauss, { x, y }, { params: set, backend })).rejects.toMatchObject({ argument: 'params' });
  });

  it('refuses more free parameters than a device solves, naming vary', async () => {
    const { backend } = fakeDevice({ theta: () => new Float64Array(33) });
    const names = Array.from({ length: 33 }, (_, j) => `c${j}`);
    const wide = model(names.map((c, j) => `${c}*x^${j % 3}`).join(' + '), { params: names });
    await expect(fitBatch(wide, { x, y: gaussians(1) }, { p0: new Array(33).fill(0), backend })).rejects.toMatchObject({
      name: 'NlsqRangeError',
      argument: 'vary',
      message: "fitBatch: the device batch engine fits at most 32 free parameters, got 33; hold some with vary, or use backend 'cpu'",
    });
  });

  it('lets a list fall back to a host backend for a model the device cannot run', async () => {
    const { backend } = fakeDevice({ theta: () => Float64Array.of(1, 1) });
    const closure = (t: number, a: number, b: number) => a * t + b;
    const r = await fitBatch(closure, { x, y: Float64Array.from({ length: 2 * N }, (_, q) => 2 * x[q % N]! + 1) }, { p0: [1, 1], backend: [backend, 'cpu'] });
    expect(r.summary().engine).toBe('cpu');
    expect(r.params(1)).toBeAllclose([2, 1], { rtol: 1e-10 });
  });

  it("reports that backend 'webgpu' is not usable where there is no navigator.gpu", async () => {
    await expect(fitBatch(gauss, { x, y }, { p0: P0, backend: 'webgpu' })).rejects.toThrow(BackendUnavailableError);
  });
});
