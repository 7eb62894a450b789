import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { curveFitSync } from '../../src/curve-fit.ts';
import { AbortError, NlsqError } from '../../src/errors.ts';
import { fitBatch } from '../../src/fit-batch.ts';
import { model } from '../../src/model/model.ts';
import { models } from '../../src/model/models/index.ts';
import { params } from '../../src/model/params.ts';
import type { CurveFitOptions } from '../../src/options/types.ts';
import { terminateWorkers } from '../../src/parallel/worker-pool.ts';
import { gauss, gaussians, grid, lcg } from './gaussian-batches.ts';

afterAll(() => terminateWorkers());


/** Each fit of the batch against curveFitSync on the CPU backend with the same options. */
function expectAgreement(r: Awaited<ReturnType<typeof fitBatch>>, fit: (i: number) => ReturnType<typeof curveFitSync>, fits: number[]): void {
  const p = r.paramNames.length;
  for (const i of fits) {
    const c = fit(i);
    expect(r.params(i)).toBeAllclose(c.popt, { rtol: 1e-8, atol: 1e-12 });
    expect(Array.from(r.perr.subarray(i * p, (i + 1) * p))).toBeAllclose(c.perr, { rtol: 1e-6, atol: 1e-12 });
    expect(r.status[i]).toBe(c.statusCode);
    expect(r.nfev[i]).toBe(c.nfev);
    expect(r.nit[i]).toBe(c.nit);
    expect(r.cost[i]).toBeAllclose(c.cost, { rtol: 1e-10 });
    expect(r.chiSquare[i]).toBeAllclose(c.chiSquare, { rtol: 1e-10 });
  }
}

describe('fitBatch agrees with curveFit fit by fit', () => {
  const x = grid(40, -4, 4);
  const n = x.length;
  const Y = gaussians(x, 12);
  const row = (A: Float64Array, i: number, w = n) => A.slice(i * w, (i + 1) * w);
  const all = Array.from({ length: 12 }, (_, i) => i);

  for (const method of ['lm', 'trf'] as const) {
    it(`shared x, one p0 (${method})`, async () => {
      const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method });
      expectAgreement(r, (i) => curveFitSync(gauss, x, row(Y, i), { p0: [1, 0, 1, 0], method, backend: 'cpu' }), all);
      expect(r.summary().converged).toBe(12);
    });
  }

  it('per-fit x, per-fit p0 and sigma, number[][] y (lm)', async () => {
    const X = new Float64Array(12 * n);
    for (let i = 0; i < 12; i++) X.set(x.map((v) => v + 0.01 * i), i * n);
    const S = Float64Array.from({ length: 12 * n }, (_, q) => 0.5 + (q % 7) / 10);
    const P0 = Float64Array.from({ length: 12 * 4 }, (_, q) => [1, 0.1, 1.2, 0][q % 4]! * (1 + 0.01 * Math.floor(q / 4)));
    const rows = Array.from({ length: 12 }, (_, i) => Array.from(row(Y, i)));
    const r = await fitBatch(gauss, { x: X, y: rows }, { p0: P0, sigma: S, method: 'lm' });
    expectAgreement(r, (i) => curveFitSync(gauss, row(X, i), row(Y, i), { p0: row(P0, i, 4), sigma: row(S, i), method: 'lm', backend: 'cpu' }), all);
  });

  it('per-fit bounds (trf), with a bound active', async () => {
    const lb = new Float64Array(12 * 4).fill(-Infinity);
    const ub = new Float64Array(12 * 4).fill(Infinity);
    for (let i = 0; i < 12; i++) ub[i * 4] = 1 + i / 24; // caps the amplitude for the later fits
    const r = await fitBatch(gauss, { x, y: Y }, { p0: [0.9, 0, 1, 0], bounds: [lb, ub], method: 'trf' });
    expectAgreement(r, (i) => curveFitSync(gauss, x, row(Y, i), { p0: [0.9, 0, 1, 0], bounds: [row(lb, i, 4), row(ub, i, 4)], method: 'trf', backend: 'cpu' }), all);
    expect(r.popt[11 * 4]).toBeCloseTo(1 + 11 / 24, 12);
  });

  it('variable lengths through offsets', async () => {
    const lengths = [40, 10, 25, 4, 33];
    const offsets = Int32Array.from([0, ...lengths.map((_, i) => lengths.slice(0, i + 1).reduce((a, b) => a + b, 0))]);
    const X = new Float64Array(offsets[5]!);
    const Yv = new Float64Array(offsets[5]!);
    lengths.forEach((len, i) => {
      const xi = grid(len, -4, 4);
      X.set(xi, offsets[i]!);
      Yv.set(gaussians(xi, 1, 11 + i), offsets[i]!);
    });
    const r = await fitBatch(gauss, { x: X, y: Yv, offsets }, { p0: [1, 0, 1, 0], method: 'lm' });
    const seg = (A: Float64Array, i: number) => A.slice(offsets[i]!, offsets[i + 1]!);
    expectAgreement(r, (i) => curveFitSync(gauss, seg(X, i), seg(Yv, i), { p0: [1, 0, 1, 0], method: 'lm', backend: 'cpu' }), [0, 1, 2, 4]);
    // fit 3 has 4 points for 4 parameters: it runs; a 3-point fit would not (see below)
  });

  it('vary holds parameters at each fit’s p0 (like params with vary: false)', async () => {
    const P0 = Float64Array.from({ length: 12 * 4 }, (_, q) => (q % 4 === 3 ? 0.1 : [1, 0, 1][q % 4]!));
    const r = await fitBatch(gauss, { x, y: Y }, { p0: P0, vary: [true, true, true, false], method: 'lm' });
    for (const i of [0, 5, 11]) {
      const c = curveFitSync(gauss, x, row(Y, i), { params: params({ a: 1, mu: 0, s: 1, b: { value: 0.1, vary: false } }), method: 'lm', backend: 'cpu' });
      expect(r.params(i)).toBeAllclose(c.popt, { rtol: 1e-8 });
      expect(Array.from(r.perr.subarray(i * 4, i * 4 + 4))).toBeAllclose(c.perr, { rtol: 1e-6, atol: 1e-14 });
      expect(r.status[i]).toBe(c.statusCode);
    }
  });

  it('params (a ParameterSet) works as in curveFit', async () => {
    const set = params({ a: 1, mu: 0, s: { value: 1, min: 0.1 }, b: { value: 0.1, vary: false } });
    const r = await fitBatch(gauss, { x, y: Y }, { params: set, method: 'trf' });
    expect(r.paramNames).toEqual(['a', 'mu', 's', 'b']);
    expectAgreement(r, (i) => curveFitSync(gauss, x, row(Y, i), { params: set, method: 'trf', backend: 'cpu' }), [0, 3, 9]);
  });

  it("p0 'auto' with the model library (2-D Gaussian, default bounds: trf)", async () => {
    const g = models.gaussian2d();
    const gx: number[] = [];
    const gy: number[] = [];
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) (gx.push(i), gy.push(j));
    const nFits = 6;
    const r0 = lcg(3);
    const Z = new Float64Array(nFits * 49);
    for (let f = 0; f < nFits; f++) for (let q = 0; q < 49; q++) Z[f * 49 + q] = (2 + f) * Math.exp(-(((gx[q]! - 3 - 0.1 * f) ** 2) / 2 + ((gy[q]! - 3) ** 2) / 3)) + 0.5 + 0.01 * r0();
    const r = await fitBatch(g, { x: [gx, gy], y: Z }, { p0: 'auto' });
    expect(r.plan.method).toBe('trf');
    expectAgreement(r, (i) => curveFitSync(g, [gx, gy], Z.slice(i * 49, (i + 1) * 49), { p0: 'auto', backend: 'cpu' }), [0, 1, 2, 3, 4, 5]);
  });

  it('per-fit x of two variables, as k arrays or interleaved points × k, equals shared x', async () => {
    const g = model('a*exp(-((x - x0)^2 + (y - y0)^2)/2) + b', { params: ['a', 'x0', 'y0', 'b'], variables: ['x', 'y'] });
    const gx = Float64Array.from({ length: 16 }, (_, q) => q % 4);
    const gy = Float64Array.from({ length: 16 }, (_, q) => Math.floor(q / 4));
    const nFits = 3;
    const Z = Float64Array.from({ length: nFits * 16 }, (_, q) => (3 + Math.floor(q / 16)) * Math.exp(-(((gx[q % 16]! - 1.6) ** 2 + (gy[q % 16]! - 1.4) ** 2) / 2)) + 0.2 + 0.01 * Math.sin(q));
    const XC = [new Float64Array(nFits * 16), new Float64Array(nFits * 16)];
    const XI = new Float64Array(nFits * 16 * 2);
    for (let f = 0; f < nFits; f++) {
      for (let q = 0; q < 16; q++) {
        XC[0]![f * 16 + q] = gx[q]!;
        XC[1]![f * 16 + q] = gy[q]!;
        XI[(f * 16 + q) * 2] = gx[q]!;
        XI[(f * 16 + q) * 2 + 1] = gy[q]!;
      }
    }
    const opts = { p0: [2, 1.5, 1.5, 0], method: 'lm' as const };
    const shared = await fitBatch(g, { x: [gx, gy], y: Z }, opts);
    const columns = await fitBatch(g, { x: XC, y: Z, nPoints: 16 }, opts);
    const interleaved = await fitBatch(g, { x: XI, y: Z, nPoints: 16 }, opts);
    expect(columns.popt).toEqual(shared.popt);
    expect(interleaved.popt).toEqual(shared.popt);
    expectAgreement(shared, (i) => curveFitSync(g, [gx, gy], Z.slice(i * 16, (i + 1) * 16), { ...opts, backend: 'cpu' }), [0, 1, 2]);
  });

  it('robust loss (trf) and a closure model (finite differences)', async () => {
    const opts: CurveFitOptions = { p0: [1, 0, 1, 0], method: 'trf', loss: 'soft_l1', fScale: 0.05 };
    const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], method: 'trf', loss: 'soft_l1', fScale: 0.05 });
    expectAgreement(r, (i) => curveFitSync(gauss, x, row(Y, i), { ...opts, backend: 'cpu' }), [0, 7]);
    const f = (t: number, a: number, mu: number, s: number, b: number) => a * Math.exp(-((t - mu) ** 2) / (2 * s * s)) + b;
    const rc = await fitBatch(f, { x, y: Y }, { p0: [1, 0, 1, 0] });
    expectAgreement(rc, (i) => curveFitSync(f, x, row(Y, i), { p0: [1, 0, 1, 0], backend: 'cpu', lift: false }), [0, 4]);
  });

  it('get(i) is curveFit on fit i: same popt, with pcov, statistics and a report', async () => {
    const r = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0] });
    const g = r.get(4);
    expect(g.popt).toEqual(Array.from(r.params(4)));
    expect(g.perr).toBeAllclose(Array.from(r.perr.subarray(16, 20)), { rtol: 1e-12 });
    expect(g.pcov).toHaveLength(4);
    expect(g.rSquared).toBeGreaterThan(0.99);
    expect(g.report()).toContain('mu');
  });
});

describe('fits that fail get a status; the others run', () => {
  const x = grid(20, -3, 3);
  const n = 20;

  it('too few points, non-finite data, max-nfev and a singular Jacobian', async () => {
    const Y = gaussians(x, 4, 5);
    Y[1 * n + 3] = NaN; // fit 1: a NaN in y
    const offsets = Int32Array.from([0, 20, 40, 60, 78, 80]); // fit 4: 2 points
    const Yall = new Float64Array(80);
    Yall.set(Y);
    Yall.set([0.5, 0.6], 78);
    const X = new Float64Array(80);
    for (let i = 0; i < 4; i++) X.set(x, i * 20);
    X.set(x.subarray(0, 18), 60);
    X.set([0, 1], 78);
    const r = await fitBatch(gauss, { x: X, y: Yall, offsets }, { p0: [1, 0, 1, 0], method: 'lm' });
    expect(Array.from(r.status)).toEqual([r.status[0], -1, r.status[2], r.status[3], -1]);
    expect(r.status[0]).toBeGreaterThan(0);
    expect(r.message(1)).toMatch(/fit 1: y has NaN at point 3/);
    expect(r.message(4)).toMatch(/fit 4: 2 points, fewer than the 4 free parameters/);
    expect(() => r.get(4)).toThrow(NlsqError);
    const capped = await fitBatch(gauss, { x, y: Y.subarray(0, 2 * n) }, { p0: [1, 0, 1, 0], method: 'trf', maxNfev: 2 });
    expect(Array.from(capped.status)).toEqual([0, -1]);
    expect(capped.status[0]).toBe(curveFitSync(gauss, x, Y.subarray(0, n), { p0: [1, 0, 1, 0], method: 'trf', maxNfev: 2, backend: 'cpu' }).statusCode);
    expect(capped.summary().counts).toEqual({ 'max-nfev': 1, 'improper-input': 1 });
    // b and c only ever appear as b + c: a singular Jacobian, pcov indeterminate as in curveFit
    const sing = model('a*x + b + c');
    const lin = Float64Array.from({ length: 2 * n }, (_, q) => 2 * x[q % n]! + 1 + 0.01 * Math.sin(q));
    // The split of b + c follows the fold's rounding: the CPU engine is curveFit on the CPU backend
    // (the WASM engine is curveFit on its wasm backend: test/batch/wasm-engine.test.ts).
    const rs = await fitBatch(sing, { x, y: lin }, { p0: [1, 1, 1], method: 'lm', engine: 'cpu' });
    const cs = curveFitSync(sing, x, lin.subarray(0, n), { p0: [1, 1, 1], method: 'lm', backend: 'cpu' });
    expect(rs.params(0)).toBeAllclose(cs.popt, { rtol: 1e-8 });
    expect(rs.status[0]).toBe(cs.statusCode);
    expect(Array.from(rs.perr.subarray(0, 3))).toEqual(cs.perr);
  });

  it('non-finite residuals at p0 fail that fit only', async () => {
    const m = model('a*log(x - c)');
    const xx = grid(10, 1, 5);
    const Y = Float64Array.from({ length: 20 }, (_, q) => 2 * Math.log(xx[q % 10]!) + 0.01 * Math.cos(q));
    const r = await fitBatch(m, { x: xx, y: Y }, { p0: [[1, 0], [1, 2]], method: 'lm' });
    expect(r.status[0]).toBeGreaterThan(0);
    expect(r.status[1]).toBe(-1);
    expect(r.message(1)).toMatch(/fit 1: .*finite/);
  });
});

describe('fitBatch properties', () => {
  const x = grid(15, -3, 3);
  const n = 15;
  const ampsAndOrder = fc
    .array(fc.double({ min: 0.5, max: 3, noNaN: true }), { minLength: 2, maxLength: 6 })
    .chain((amps) => fc.tuple(fc.constant(amps), fc.shuffledSubarray(amps.map((_, i) => i), { minLength: amps.length, maxLength: amps.length })));
  test.prop([ampsAndOrder], { numRuns: 10 })(
    'permuting the fits permutes the results',
    async ([amps, perm]) => {
      const nFits = amps.length;
      const Y = new Float64Array(nFits * n);
      amps.forEach((a, f) => Y.set(x.map((t, i) => a * Math.exp(-(t * t) / 2) + 0.01 * Math.sin(7 * i + f)), f * n));
      const Yp = new Float64Array(nFits * n);
      perm.forEach((src, dst) => Yp.set(Y.subarray(src * n, (src + 1) * n), dst * n));
      const a = await fitBatch(gauss, { x, y: Y }, { p0: [1, 0.1, 1, 0] });
      const b = await fitBatch(gauss, { x, y: Yp }, { p0: [1, 0.1, 1, 0] });
      perm.forEach((src, dst) => {
        expect(b.params(dst)).toEqual(a.params(src));
        expect(b.status[dst]).toBe(a.status[src]);
        expect(b.nfev[dst]).toBe(a.nfev[src]);
      });
    },
  );

  test.prop([fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom('lm', 'trf')], { numRuns: 10 })(
    'a batch of one equals curveFit',
    async (a, mu, method) => {
      const y = x.map((t, i) => a * Math.exp(-((t - mu) ** 2) / 2) + 0.2 + 0.01 * Math.cos(3 * i));
      const r = await fitBatch(gauss, { x, y }, { p0: [1, 0, 1, 0], method, engine: 'cpu' });
      const c = curveFitSync(gauss, x, y, { p0: [1, 0, 1, 0], method, backend: 'cpu' });
      expect(Array.from(r.params(0))).toEqual(c.popt);
      expect(Array.from(r.perr)).toEqual(c.perr);
      expect(r.status[0]).toBe(c.statusCode);
    },
  );
});

describe('bad input names the argument', () => {
  const x = grid(10, 0, 1);
  const y = Float64Array.from({ length: 30 }, (_, q) => q % 10);
  const lin = model('a*x + b');
  const reject = async (p: Promise<unknown>, argument: string, message: RegExp) => {
    const e = await p.then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(NlsqError);
    expect((e as NlsqError).argument).toBe(argument);
    expect((e as Error).message).toMatch(message);
  };

  it('rejects malformed shapes', async () => {
    await reject(fitBatch(lin, { x, y: [[1, 2, 3], [1, 2]] }), 'y', /^fitBatch: y is ragged .* pass offsets/);
    await reject(fitBatch(lin, { x: y, y, offsets: [0, 20, 10, 30] }), 'offsets', /^fitBatch: offsets must not decrease, got offsets\[2\] = 10 < offsets\[1\] = 20/);
    await reject(fitBatch(lin, { x: y, y, offsets: [0, 10, 29] }), 'offsets', /must end at the number of y values \(30\)/);
    await reject(fitBatch(lin, { x: grid(7, 0, 1), y }), 'y', /y must hold nFits × 7 values/);
    await reject(fitBatch(lin, { x, y }, { p0: [1, 2, 3] }), 'p0', /^fitBatch: p0 must have 2 values \(one row for every fit\) or nFits × p = 6, got 3/);
    await reject(fitBatch(lin, { x, y }, { bounds: [[0, 0], [1]] }), 'bounds', /bounds must have 2 values/);
    await reject(fitBatch(lin, { x, y }, { sigma: new Float64Array(29).fill(1) }), 'sigma', /sigma must have the shape of y \(30 values\), got 29/);
    await reject(fitBatch(lin, { x, y }, { vary: [false, false] }), 'vary', /at least one parameter free/);
    await reject(fitBatch(lin, { x, y }, { method: 'lm', loss: 'cauchy' }), 'loss', /method 'lm' supports only the 'linear' loss/);
    await reject(fitBatch(lin, { x, y }, { workers: -1 }), 'workers', /workers must be 'auto' or an integer in \[0, 256\], got -1/);
    await reject(fitBatch(lin, { x, y }, { nope: 1 } as never), 'nope', /unknown option 'nope'/);
  });
});

describe('cancellation and progress', () => {
  const x = grid(30, -3, 3);
  const Y = gaussians(x, 3000, 9);

  it('reports progress after every sub-batch', async () => {
    const seen: number[] = [];
    const r = await fitBatch(gauss, { x, y: Y.subarray(0, 300 * 30) }, { p0: [1, 0, 1, 0], subBatchSize: 100, onProgress: ({ done, total }) => seen.push(done / total) });
    expect(seen).toEqual([1 / 3, 2 / 3, 1]);
    expect(r.summary()).toMatchObject({ engine: 'wasm', workers: 1, nFits: 300, subBatchSize: 100 });
  });

  it('an abort from a timer stops the batch (AbortError)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    let done = 0;
    // The CPU engine, so that the 3000 fits outlast the 20 ms timer (the WASM engine may finish them first).
    await expect(fitBatch(gauss, { x, y: Y }, { p0: [1, 0, 1, 0], engine: 'cpu', signal: ac.signal, subBatchSize: 50, onProgress: (p) => (done = p.done) })).rejects.toThrow(AbortError);
    expect(done).toBeLessThan(3000);
  });

  it('the plan says how many workers ran and why (at most one per fit)', async () => {
    const r = await fitBatch(gauss, { x, y: Y.subarray(0, 60) }, { p0: [1, 0, 1, 0], workers: 4, backend: 'wasm' });
    expect(r.plan.workers).toBe(2);
    expect(r.plan.reason).toMatch(/2 workers × wasm engine: workers: 4 was asked for \(capped at one worker per fit: 2 fits\)/);
    expect(r.report()).toMatch(/engine: wasm, 2 workers/);
    const one = await fitBatch(gauss, { x, y: Y.subarray(0, 60) }, { p0: [1, 0, 1, 0] });
    expect(one.report()).toMatch(/engine: wasm, 1 thread/);
  });
});
