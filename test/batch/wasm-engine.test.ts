/**
 * The WASM batch engine (the whole lm loop in WebAssembly) against the CPU engine (the reference:
 * curveFit's own path on the CPU backend) and against curveFit: popt to 1e-10 between engines,
 * the same statuses, evaluation and iteration counts on fits that converge and fits that fail.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../../src/backends/backend-factories.ts';
import { curveFitSync } from '../../src/curve-fit.ts';
import { NlsqError } from '../../src/errors.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { allocateOutput } from '../../src/batch/batch-engine.ts';
import { validateBatchData } from '../../src/batch/batch-data.ts';
import { resolveBatchParams } from '../../src/batch/batch-params.ts';
import { createLocalEngine } from '../../src/batch/local-engine.ts';
import type { WasmBackend } from '../../src/backends/wasm/wasm-backend.ts';
import { model } from '../../src/model/model.ts';
import { resolveSolverSettings } from '../../src/options/solver-settings.ts';
import { models } from '../../src/model/models/index.ts';
import { gauss, gaussians, grid, lcg } from './gaussian-batches.ts';
import { both, expectEnginesAgree, worst } from './engine-agreement.ts';

const gauss2 = model('a*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + b', { params: ['a', 'x0', 'y0', 's', 'b'], variables: ['x', 'y'] });

describe('the WASM engine agrees with the CPU engine to 1e-10', () => {
  const x = grid(40, -4, 4);
  const n = x.length;
  const Y = gaussians(x, 24);

  it('shared x, one p0 (the default engine is the WASM one)', async () => {
    const { w, c } = await both(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'lm' });
    expectEnginesAgree(w, c);
    expect(w.summary().converged).toBe(24);
    const auto = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'lm' });
    expect(auto.plan.engine).toBe('wasm');
    expect(auto.plan.reason).toMatch(/WASM engine: the whole lm loop/);
    expect(auto.popt).toEqual(w.popt);
  });

  it('per-fit x, per-fit p0, sigma (and absoluteSigma), xScale', async () => {
    const X = new Float64Array(24 * n);
    for (let i = 0; i < 24; i++) X.set(x.map((v) => v + 0.01 * i), i * n);
    const S = Float64Array.from({ length: 24 * n }, (_, q) => 0.5 + (q % 7) / 10);
    const P0 = Float64Array.from({ length: 24 * 4 }, (_, q) => [1, 0.1, 1.2, 0][q % 4]! * (1 + 0.01 * Math.floor(q / 4)));
    const a = await both(gauss, { x: X, y: Y, nPoints: n }, { p0: P0, sigma: S, method: 'lm' });
    expectEnginesAgree(a.w, a.c);
    const b = await both(gauss, { x: X, y: Y, nPoints: n }, { p0: P0, sigma: S, absoluteSigma: true, method: 'lm' });
    expectEnginesAgree(b.w, b.c);
    expect(worst(b.w.perr, a.w.perr)).toBeGreaterThan(1e-3); // absoluteSigma did change perr
    const s = await both(gauss, { x: X, y: Y, nPoints: n }, { p0: P0, method: 'lm', xScale: [1, 0.5, 0.5, 0.1] });
    expectEnginesAgree(s.w, s.c);
  });

  it('variable lengths through offsets, with fits that cannot start', async () => {
    const lengths = [40, 10, 25, 6, 3, 33, 0, 18];
    const offsets = Int32Array.from([0, ...lengths.map((_, i) => lengths.slice(0, i + 1).reduce((p, q) => p + q, 0))]);
    const total = offsets[lengths.length]!;
    const X = new Float64Array(total);
    const Yv = new Float64Array(total);
    lengths.forEach((len, i) => {
      if (len === 0) return;
      const xi = len === 1 ? Float64Array.of(0) : grid(len, -4, 4);
      X.set(xi, offsets[i]!);
      Yv.set(gaussians(xi, 1, 11 + i), offsets[i]!);
    });
    Yv[offsets[7]! + 5] = Infinity; // fit 7: a non-finite y
    const { w, c } = await both(gauss, { x: X, y: Yv, offsets }, { p0: [1, 0, 1, 0], method: 'lm' });
    expectEnginesAgree(w, c);
    expect(Array.from(w.status.filter((s) => s === -1))).toHaveLength(3); // 3 points, 0 points, the ∞
    expect(w.message(4)).toMatch(/fit 4: 3 points, fewer than the 4 free parameters/);
    expect(w.message(7)).toMatch(/fit 7: y has Infinity at point 5/);
  });

  it('vary masks (held parameters keep each fit’s p0; perr 0)', async () => {
    const P0 = Float64Array.from({ length: 24 * 4 }, (_, q) => (q % 4 === 3 ? 0.1 + 0.001 * q : [1, 0, 1][q % 4]!));
    for (const vary of [[true, true, true, false], [false, true, false, true], [true, false, false, false]]) {
      const { w, c } = await both(gauss, { x, y: Y }, { p0: P0, vary, method: 'lm' });
      expectEnginesAgree(w, c);
      for (let i = 0; i < 24; i++) {
        vary.forEach((v, j) => {
          if (!v) {
            expect(w.popt[i * 4 + j]).toBe(P0[i * 4 + j]);
            expect(w.perr[i * 4 + j]).toBe(0);
          }
        });
      }
    }
  });

  it("p0 'auto' with the model library (2-D Gaussian, lm, interleaved per-fit x)", async () => {
    const g = models.gaussian2d();
    const nFits = 8;
    const r0 = lcg(3);
    const XI = new Float64Array(nFits * 49 * 2);
    const Z = new Float64Array(nFits * 49);
    for (let f = 0; f < nFits; f++) {
      for (let q = 0; q < 49; q++) {
        const gx = (q % 7) + 0.01 * f;
        const gy = Math.floor(q / 7);
        XI[(f * 49 + q) * 2] = gx;
        XI[(f * 49 + q) * 2 + 1] = gy;
        Z[f * 49 + q] = (2 + f) * Math.exp(-(((gx - 3 - 0.1 * f) ** 2) / 2 + ((gy - 3) ** 2) / 3)) + 0.5 + 0.01 * r0();
      }
    }
    const { w, c } = await both(g, { x: XI, y: Z, nPoints: 49 }, { p0: 'auto', method: 'lm', bounds: [-Infinity, Infinity] });
    expectEnginesAgree(w, c);
    expect(w.summary().converged).toBe(nFits);
  });

  it('fits that fail: max-nfev, non-finite residuals or Jacobian at p0, non-finite trial points', async () => {
    // max-nfev: a cap of 3 evaluations
    const capped = await both(gauss, { x, y: Y }, { p0: [0.5, 1, 2, 0], method: 'lm', maxNfev: 3 });
    expectEnginesAgree(capped.w, capped.c);
    expect(capped.w.summary().counts['max-nfev']).toBeGreaterThan(0);
    expect(capped.w.message(0)).toMatch(/maximum number of function evaluations is exceeded: nfev = 3/);
    // non-finite residuals at p0 (fit 1: log of a negative number) and a Jacobian that is not
    // finite at p0 (√0 has an infinite derivative: model 2)
    const xl = grid(10, 1, 5);
    const Yl = Float64Array.from({ length: 20 }, (_, q) => 2 * Math.log(xl[q % 10]!) + 0.01 * Math.cos(q));
    const logs = await both(model('a*log(x - c)'), { x: xl, y: Yl }, { p0: [[1, 0], [1, 2]], method: 'lm' });
    expectEnginesAgree(logs.w, logs.c);
    expect(Array.from(logs.w.status)).toEqual([logs.w.status[0], -1]);
    expect(logs.w.message(1)).toMatch(/fit 1: the residuals must be finite at the initial point, got cost NaN/);
    const roots = await both(model('a*x + sqrt(c - 1)'), { x: xl, y: Yl }, { p0: [[1, 1], [1, 2]], method: 'lm' });
    expectEnginesAgree(roots.w, roots.c);
    expect(roots.w.status[0]).toBe(-1);
    expect(roots.w.message(0)).toMatch(/fit 0: the Jacobian must be finite at the initial point/);
    // trial points outside the model's domain: y = −x asks √a < 0; the Gauss–Newton steps go to a < 0
    const Yn = Float64Array.from(xl, (v) => -v);
    const edge = await both(model('sqrt(a)*x'), { x: xl, y: Yn }, { p0: [1], method: 'lm', maxNfev: 8 });
    expectEnginesAgree(edge.w, edge.c);
    expect(edge.w.status[0]).toBe(0);
    expect(edge.w.message(0)).toMatch(/nfev = 8 ≥ maxNfev = 8; the last trial evaluation was not finite \(the last: the residuals \(cost NaN\) at x = \[-0\.0149951968631/);
  });
});

describe('the WASM engine agrees with curveFit', () => {
  it('fit by fit to 1e-8 (popt) and 1e-6 (perr) against curveFit on the CPU backend', async () => {
    const x = grid(25, -3, 3);
    const Y = gaussians(x, 10, 5);
    const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'lm', engine: 'wasm' });
    for (let i = 0; i < 10; i++) {
      const c = curveFitSync(gauss, x, Y.slice(i * 25, (i + 1) * 25), { p0: [1, 0, 1, 0], method: 'lm', backend: 'cpu' });
      expect(r.params(i)).toBeAllclose(c.popt, { rtol: 1e-8, atol: 1e-12 });
      expect(Array.from(r.perr.subarray(i * 4, i * 4 + 4))).toBeAllclose(c.perr, { rtol: 1e-6, atol: 1e-12 });
      expect(r.status[i]).toBe(c.statusCode);
      expect(r.nfev[i]).toBe(c.nfev);
      expect(r.get(i).popt).toEqual(Array.from(r.params(i))); // get(i) re-runs on the engine's backend
    }
  });

  it('a singular Jacobian: curveFit on a wasm backend exactly; the identifiable part as on the CPU', async () => {
    // b and c only ever appear as b + c: the split between them follows the fold's rounding
    const x = grid(20, -3, 3);
    const sing = model('a*x + b + c');
    const lin = Float64Array.from({ length: 40 }, (_, q) => 2 * x[q % 20]! + 1 + 0.01 * Math.sin(q));
    const { w, c } = await both(sing, { x, y: lin }, { p0: [1, 1, 1], method: 'lm' });
    const wasm = await createWasmBackend();
    for (let i = 0; i < 2; i++) {
      const y = lin.subarray(i * 20, (i + 1) * 20);
      const cw = curveFitSync(sing, x, y, { p0: [1, 1, 1], method: 'lm', backend: wasm });
      expect(Array.from(w.params(i))).toEqual(cw.popt);
      expect(Array.from(w.perr.subarray(i * 3, i * 3 + 3))).toEqual(cw.perr);
      expect(w.status[i]).toBe(cw.statusCode);
      const [a1, b1, c1] = w.params(i);
      const [a2, b2, c2] = c.params(i);
      expect(a1).toBeCloseTo(a2!, 10);
      expect(b1! + c1!).toBeCloseTo(b2! + c2!, 8);
      expect(w.cost[i]).toBeAllclose(c.cost[i]!, { rtol: 1e-10 });
      expect(w.status[i]).toBeGreaterThan(0); // a success on both engines
      expect(c.status[i]).toBeGreaterThan(0);
    }
  });
});

/**
 * The peak is sampled: at least 5 of the fit's grid points on [−4, 4] lie within 2s of the centre.
 * Otherwise the fit is ill-posed (an 8-point grid under a peak of width 0.4 sees it at one point:
 * perr(a) ≈ 6500 for a = 1.2, fast-check seed −342341508), and any two roundings of the fold differ
 * by about κ·ε, not 1e-10.
 */
function sampledPeak(f: { mu: number; s: number; n: number }): boolean {
  let inside = 0;
  for (let q = 0; q < f.n; q++) if (Math.abs(-4 + (8 * q) / (f.n - 1) - f.mu) <= 2 * f.s) inside++;
  return inside >= 5;
}

describe('the WASM engine: properties', () => {
  // Random batches of 1-D Gaussians (random amplitudes, centres, widths, offsets, noise, lengths and starts).
  const batch = fc.record({
    fits: fc.array(
      fc.record({
        a: fc.double({ min: 0.3, max: 5, noNaN: true }),
        mu: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        s: fc.double({ min: 0.4, max: 2, noNaN: true }),
        b: fc.double({ min: -1, max: 1, noNaN: true }),
        n: fc.integer({ min: 8, max: 60 }),
        noise: fc.double({ min: 0, max: 0.1, noNaN: true }),
        start: fc.double({ min: 0.7, max: 1.3, noNaN: true }),
      }).filter(sampledPeak),
      { minLength: 1, maxLength: 12 },
    ),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    sigma: fc.boolean(),
  });

  test.prop([batch], { numRuns: 25 })('random Gaussian batches: wasm == cpu to 1e-10', async ({ fits, seed, sigma }) => {
    const r = lcg(seed);
    const offsets = new Int32Array(fits.length + 1);
    fits.forEach((f, i) => (offsets[i + 1] = offsets[i]! + f.n));
    const total = offsets[fits.length]!;
    const X = new Float64Array(total);
    const Yb = new Float64Array(total);
    const S = new Float64Array(total);
    const P0 = new Float64Array(fits.length * 4);
    fits.forEach((f, i) => {
      for (let q = 0; q < f.n; q++) {
        const t = -4 + (8 * q) / (f.n - 1);
        X[offsets[i]! + q] = t;
        Yb[offsets[i]! + q] = f.a * Math.exp(-((t - f.mu) ** 2) / (2 * f.s * f.s)) + f.b + f.noise * r();
        S[offsets[i]! + q] = 0.5 + Math.abs(r());
      }
      P0.set([f.a * f.start, f.mu + 0.2 * (f.start - 1), f.s * f.start, f.b], i * 4);
    });
    const { w, c } = await both(gauss, { x: X, y: Yb, offsets }, { p0: P0, method: 'lm', ...(sigma ? { sigma: S } : {}) });
    expectEnginesAgree(w, c);
  });

  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 30 })], { numRuns: 10 })(
    'Gpufit-style 2-D batches: the run size does not change a fit',
    async (subBatchSize, seed) => {
      const r = lcg(seed);
      const gx = Float64Array.from({ length: 25 }, (_, q) => q % 5);
      const gy = Float64Array.from({ length: 25 }, (_, q) => Math.floor(q / 5));
      const nFits = 40;
      const Z = new Float64Array(nFits * 25);
      const P0 = new Float64Array(nFits * 5);
      for (let f = 0; f < nFits; f++) {
        const t = [10, 2 + 0.2 * r(), 2 + 0.2 * r(), 1, 1];
        for (let q = 0; q < 25; q++) Z[f * 25 + q] = t[0]! * Math.exp(-((gx[q]! - t[1]!) ** 2 + (gy[q]! - t[2]!) ** 2) / 2) + t[4]! + 0.1 * r();
        P0.set([t[0]! * (1 + 0.2 * r()), 2 + 0.4 * r(), 2 + 0.4 * r(), 1.2, 0.8], f * 5);
      }
      const opts = { p0: P0, method: 'lm' as const, ftol: 1e-4, xtol: 1e-4, maxNfev: 11 };
      const { w, c } = await both(gauss2, { x: [gx, gy], y: Z }, opts);
      expectEnginesAgree(w, c, 1e-10, opts.xtol);
      const small = await fitBatch(gauss2, { x: [gx, gy], y: Z }, { ...opts, subBatchSize, engine: 'wasm' });
      expect(small.popt).toEqual(w.popt);
      expect(small.status).toEqual(w.status);
    },
  );
});

describe('engine choice and bad input', () => {
  const x = grid(12, -2, 2);
  const Y = gaussians(x, 3);
  const reject = async (p: Promise<unknown>, argument: string, message: RegExp) => {
    const e = await p.then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(NlsqError);
    expect((e as NlsqError).argument).toBe(argument);
    expect((e as Error).message).toMatch(message);
  };

  it('engine must be auto, cpu or wasm', async () => {
    await reject(fitBatch(gauss, { x, y: Y }, { engine: 'gpu' as never }), 'engine', /fitBatch: engine must be one of 'auto', 'cpu', 'wasm', got .gpu./);
    await reject(fitBatch(gauss, { x, y: Y }, { engine: 1 as never }), 'engine', /got 1/);
  });

  it("engine 'wasm' refuses what it does not run, naming why; 'auto' runs it on the CPU engine and says why", async () => {
    const rho = (z: number) => [z, 1, 0] as const;
    await reject(fitBatch(gauss, { x, y: Y }, { method: 'trf', loss: rho, engine: 'wasm' }), 'engine', /a loss given as a function runs on the JavaScript path/);
    const f = (t: number, a: number, b: number) => a * t + b;
    await reject(fitBatch(f, { x, y: Y }, { engine: 'wasm' }), 'engine', /a closure model runs on the JavaScript path/);
    const custom = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'trf', loss: rho });
    expect(custom.plan.engine).toBe('cpu');
    expect(custom.plan.reason).toMatch(/the CPU engine: a loss given as a function runs on the JavaScript path/);
    const dogbox = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'dogbox' });
    expect(dogbox.plan.reason).toMatch(/the WASM engine: the whole dogbox loop \(model columns, QR fold, dogleg step in the box/);
    const trf = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'trf', loss: 'huber' });
    expect(trf.plan.engine).toBe('wasm');
    expect(trf.plan.reason).toMatch(/the WASM engine: the whole trf loop \(model columns, huber loss, QR fold/);
    const closure = await fitBatch(f, { x, y: Y });
    expect(closure.plan.engine).toBe('cpu');
    const cpu = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], backend: 'cpu' });
    expect(cpu.plan.engine).toBe('cpu');
    expect(cpu.plan.reason).toMatch(/engine 'cpu' requested/);
  });

  it('shape errors are thrown before any engine runs, as before', async () => {
    await reject(fitBatch(gauss, { x, y: [[1, 2, 3], [1, 2]] }, { engine: 'wasm' }), 'y', /y is ragged/);
    await reject(fitBatch(gauss, { x, y: Y }, { p0: [1, 2, 3], engine: 'wasm' }), 'p0', /p0 must have 4 values/);
    await reject(fitBatch(gauss, { x, y: Y }, { sigma: new Float64Array(5), engine: 'wasm' }), 'sigma', /sigma must have the shape of y/);
  });
});

describe('the WASM engine: working set', () => {
  it('stages one run at a time: wasm memory does not grow with the number of fits', async () => {
    const x = grid(25, -3, 3);
    const make = (nFits: number) => {
      const data = validateBatchData('fitBatch', { x, y: gaussians(x, nFits, 9) }, undefined, 1);
      const params = resolveBatchParams('fitBatch', gauss, { p0: [1, 0, 1, 0] }, data.nFits, 1);
      const settings = resolveSolverSettings({
        caller: 'fitBatch', options: { method: 'lm' }, x0: new Float64Array(4), lb: new Float64Array(4).fill(-Infinity), ub: new Float64Array(4).fill(Infinity),
        defaultMethod: 'by-bounds', analyticJacobian: true, convention: 'leastsq',
      });
      return { caller: 'fitBatch', data, params, settings, absoluteSigma: false, engine: 'wasm' as const };
    };
    const bytesAfter = async (nFits: number) => {
      const problem = make(nFits);
      const engine = await createLocalEngine(problem);
      expect(engine.name).toBe('wasm');
      const out = allocateOutput(nFits, 4);
      const memory = (engine.backend as WasmBackend).modelHost().heap.memory;
      engine.run(0, 16, out);
      const first = memory.buffer.byteLength;
      for (let i = 16; i < nFits; i += 16) engine.run(i, Math.min(nFits, i + 16), out);
      engine.dispose();
      expect(Array.from(out.status).every((s) => s > 0)).toBe(true);
      return { first, last: memory.buffer.byteLength };
    };
    const small = await bytesAfter(64);
    const large = await bytesAfter(20_000);
    expect(large.last).toBe(large.first);
    expect(large.last).toBe(small.last);
  });
});
