/**
 * The single-fit fast path (`src/batch/fast-fit.ts`): `curveFit` / `curveFitSync` of a small
 * expression fit run on the WASM engine must give the answer the ordinary path gives on the
 * backend it would choose (wasm): the ordinary path is reached here by naming the backend
 * (`backend: 'wasm'`), which the fast path never takes.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { curveFit, curveFitSync, model, type CurveFitResult } from '../../src/index.ts';
import type { CurveFitOptions } from '../../src/options/types.ts';
import { FAST_FIT_MAX_POINTS, FAST_FIT_MODELS, fastFitGap } from '../../src/batch/fast-fit.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';
import { NlsqError } from '../../src/errors.ts';
import { createWasmBackend } from '../../src/backends/backend-factories.ts';
import type { WasmBackend } from '../../src/backends/wasm/wasm-backend.ts';
import { createWasmModelKernel } from '../../src/backends/wasm/wasm-model-kernel.ts';
import { trustedProgram } from '../../src/model/trusted-program.ts';

const FAST = /small-fit fast path/;
const expo = model('a*exp(-b*x) + c');
const gauss = model('a*exp(-(x - m)^2/(2*s^2)) + c', { params: ['a', 'm', 's', 'c'] });

function grid(n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / Math.max(n - 1, 1));
}

/** Every number and count the fast path must reproduce. */
function expectSameFit(fast: CurveFitResult, ordinary: CurveFitResult): void {
  expect(fast.choices.strategy.reason).toMatch(FAST);
  expect(ordinary.choices.strategy.reason).not.toMatch(FAST);
  expect(fast.backend).toBe(ordinary.backend);
  expect(fast.popt).toBeAllclose(ordinary.popt, { rtol: 1e-12, atol: 0 });
  expect(fast.pcov.flat()).toBeAllclose(ordinary.pcov.flat(), { rtol: 1e-12, atol: 0 });
  expect(fast.perr).toBeAllclose(ordinary.perr, { rtol: 1e-12, atol: 0 });
  expect(fast.cost).toBeAllclose(ordinary.cost, { rtol: 1e-12, atol: 0 });
  expect(fast.grad).toBeAllclose(ordinary.grad, { rtol: 1e-10, atol: 1e-300 });
  expect(Array.from(fast.fun!)).toBeAllclose(Array.from(ordinary.fun!), { rtol: 1e-12, atol: 1e-300 });
  expect([fast.nfev, fast.njev, fast.nit, fast.status, fast.statusCode, fast.success]).toEqual([ordinary.nfev, ordinary.njev, ordinary.nit, ordinary.status, ordinary.statusCode, ordinary.success]);
  expect(fast.message).toBe(ordinary.message);
  expect(fast.rSquared).toBeAllclose(ordinary.rSquared, { rtol: 1e-12, atol: 1e-300 });
  // The warnings name their entry point (curveFit or curveFitSync); the sync fast fit is compared with the async ordinary one.
  const named = (r: CurveFitResult) => r.warnings.map((w) => ({ ...w, message: w.message.replace(/^curveFit(Sync)?: /, '') }));
  expect(named(fast)).toEqual(named(ordinary));
  expect(fast.choices.method).toEqual(ordinary.choices.method);
}

describe('the fast path agrees with the ordinary path on wasm', () => {
  it('concurrent first calls (they load the engine together) each get their own fit', async () => {
    const x = grid(60, 0, 5);
    const ys = [1, 2, 3, 4].map((a) => Float64Array.from(x, (t, i) => a * Math.exp(-0.8 * t) + 0.2 + 0.01 * Math.sin(i + a)));
    const fast = await Promise.all(ys.map((y) => curveFit(expo, x, y, { p0: [1, 1, 0] })));
    for (let i = 0; i < ys.length; i++) expectSameFit(fast[i]!, await curveFit(expo, x, ys[i]!, { p0: [1, 1, 0], backend: 'wasm' }));
  });

  test.prop(
    [
      fc.record({
        kind: fc.constantFrom('expo', 'gauss'),
        n: fc.integer({ min: 6, max: 400 }),
        a: fc.double({ min: 0.5, max: 5, noNaN: true }),
        b: fc.double({ min: 0.2, max: 2, noNaN: true }),
        c: fc.double({ min: -1, max: 1, noNaN: true }),
        noise: fc.double({ min: 0, max: 0.2, noNaN: true }),
        start: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
        sigma: fc.boolean(),
        absoluteSigma: fc.boolean(),
        maxNfev: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      }),
    ],
    { numRuns: 40 },
  )('exponentials and Gaussians: popt, pcov, counts, status and message (await and sync)', async (c) => {
    const x = grid(c.n, 0, 5);
    const truth = c.kind === 'expo' ? [c.a, c.b, c.c] : [c.a, 2.5, c.b, c.c];
    const m = c.kind === 'expo' ? expo : gauss;
    const f = c.kind === 'expo' ? (t: number) => c.a * Math.exp(-c.b * t) + c.c : (t: number) => c.a * Math.exp(-((t - 2.5) ** 2) / (2 * c.b * c.b)) + c.c;
    const y = Float64Array.from(x, (t, i) => f(t) + c.noise * Math.sin(12.9898 * i + c.n));
    const options: CurveFitOptions = {
      p0: truth.map((v) => v * c.start),
      ...(c.sigma ? { sigma: Float64Array.from(x, (_, i) => 0.5 + (i % 3) * 0.25), absoluteSigma: c.absoluteSigma } : {}),
      ...(c.maxNfev === undefined ? {} : { maxNfev: c.maxNfev }),
    };
    const ordinary = await curveFit(m, x, y, { ...options, backend: 'wasm' });
    expectSameFit(await curveFit(m, x, y, options), ordinary);
    expectSameFit(curveFitSync(m, x, y, options), ordinary);
  });

  it('ends at max-nfev on non-finite trial points with the same status and message', async () => {
    // y = −x asks √a < 0: the Gauss–Newton steps go to a < 0, where the model is not finite.
    const x = grid(10, 1, 10);
    const y = Float64Array.from(x, (t) => -t);
    const m = model('sqrt(a)*x');
    const fast = await curveFit(m, x, y, { p0: [1], maxNfev: 8 });
    const ordinary = await curveFit(m, x, y, { p0: [1], maxNfev: 8, backend: 'wasm' });
    expect(fast.status).toBe('max-nfev');
    expect(fast.message).toMatch(/not finite/);
    expectSameFit(fast, ordinary);
  });

  it('a fit that cannot start throws the ordinary path’s error', async () => {
    const x = grid(10, 1, 10);
    const y = Float64Array.from(x, (t) => Math.log(t));
    const m = model('a*log(x - c)');
    const errorOf = async (options: CurveFitOptions): Promise<NlsqError> => {
      try {
        await curveFit(m, x, y, options);
      } catch (error) {
        return error as NlsqError;
      }
      throw new Error('expected an error');
    };
    const fast = await errorOf({ p0: [1, 2] });
    const ordinary = await errorOf({ p0: [1, 2], backend: 'wasm' });
    expect(fast).toBeInstanceOf(NlsqError);
    expect(fast.message).toBe(ordinary.message);
    expect(fast.constructor).toBe(ordinary.constructor);
    expect(() => curveFitSync(m, x, y, { p0: [1, 2] })).toThrow(ordinary.message.replace('curveFit:', 'curveFitSync:'));
  });

  it('the history is the ordinary path’s, computed on first read', async () => {
    const x = grid(50, 0, 5);
    const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.01 * Math.sin(7.3 * i));
    const fast = await curveFit(expo, x, y, { p0: [1, 1, 0] });
    const ordinary = await curveFit(expo, x, y, { p0: [1, 1, 0], backend: 'wasm' });
    expect(fast.history.length).toBeGreaterThan(0);
    expect(fast.history).toEqual(ordinary.history);
    expect(fast.history).toBe(fast.history); // computed once
    expect(JSON.parse(JSON.stringify(fast)).history).toEqual(JSON.parse(JSON.stringify(ordinary.history)));
  });

  it('a cached engine serves calls with other data, starts, sigma and lengths in any order', async () => {
    const runs = [7, 300, 20, 300, 7].map((n, r) => {
      const x = grid(n, 0, 4 + r);
      const y = Float64Array.from(x, (t, i) => (2 + r) * Math.exp(-(0.5 + 0.2 * r) * t) - r + 0.02 * Math.cos(i));
      return { x, y, p0: [1 + r, 1, 0], sigma: r % 2 === 0 ? undefined : Float64Array.from(x, () => 0.1 * (r + 1)) };
    });
    for (const r of [...runs, ...runs.reverse()]) {
      const options: CurveFitOptions = { p0: r.p0, ...(r.sigma === undefined ? {} : { sigma: r.sigma }) };
      expectSameFit(await curveFit(expo, r.x, r.y, options), await curveFit(expo, r.x, r.y, { ...options, backend: 'wasm' }));
    }
  });

  it(`keeps at most ${FAST_FIT_MODELS} models and still fits a dropped one`, async () => {
    const x = grid(30, 0, 3);
    const y = Float64Array.from(x, (t) => 2 * Math.exp(-0.7 * t) + 0.1);
    const models = Array.from({ length: FAST_FIT_MODELS + 3 }, (_, i) => model(`a*exp(-b*x) + c + ${i}*0`));
    for (const m of [...models, models[0]!]) {
      expectSameFit(await curveFit(m, x, y, { p0: [1, 1, 0] }), await curveFit(m, x, y, { p0: [1, 1, 0], backend: 'wasm' }));
    }
  });

  it('fun is the wasm residual kernel\'s, to the bit: two variables, sigma, an odd n past one kernel chunk', async () => {
    const surface = model('a*exp(-b*u)*cos(c*v) + d', { variables: ['u', 'v'] });
    const n = 2049; // odd, and more than WASM_MODEL_CHUNK (2048): the kernel takes it in two windows
    const u = grid(n, 0, 3);
    const v = Float64Array.from(u, (t, i) => Math.sin(i) + t / 3);
    const sigma = Float64Array.from(u, (_, i) => 0.5 + (i % 7) / 10);
    const y = Float64Array.from(u, (t, i) => 2 * Math.exp(-0.7 * t) * Math.cos(1.3 * v[i]!) + 0.4 + 0.02 * Math.sin(3 * i));
    const r = await curveFit(surface, [u, v], y, { p0: [1, 1, 1, 0], sigma });
    expect(r.choices.strategy.reason).toMatch(FAST);
    const backend = (await createWasmBackend()) as WasmBackend;
    const kernel = createWasmModelKernel(trustedProgram(surface)!, backend)!;
    const fun = new Float64Array(n);
    kernel.residuals(Float64Array.from(r.popt), { x: [u, v], y, w: Float64Array.from(sigma, (s) => 1 / s) }, 0, n, fun, 0, 1);
    expect(Array.from(r.fun!)).toEqual(Array.from(fun));
    kernel.dispose();
  });

  it('runs a lifted closure too', async () => {
    const x = grid(40, 0, 5);
    const y = Float64Array.from(x, (t) => 3 * Math.exp(-1.2 * t) + 0.5);
    const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
    const fast = await curveFit(closure, x, y, { p0: [1, 1, 0] });
    expect(fast.choices.model!.used).toMatch(/lifted|expression/);
    expectSameFit(fast, await curveFit(closure, x, y, { p0: [1, 1, 0], backend: 'wasm' }));
  });
});

describe('what the fast path does not take', () => {
  const x = grid(40, 0, 5);
  const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.01 * Math.sin(i));
  const p0 = [1, 1, 0];
  const closure = (t: number, a: number, b: number, c: number): number => a * Math.exp(-b * t) + c;
  const L = Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i === j ? 0.01 : i + j === 39 ? 0.001 : 0)));
  const cases: [string, () => Promise<CurveFitResult>, RegExp][] = [
    ['a named backend', () => curveFit(expo, x, y, { p0, backend: 'wasm' }), /a backend was named/],
    ["method 'trf'", () => curveFit(expo, x, y, { p0, method: 'trf' }), /method 'trf'/],
    ['a robust loss', () => curveFit(expo, x, y, { p0, method: 'trf', loss: 'soft_l1' }), /method 'trf'|robust loss/],
    ['finite differences', () => curveFit(expo, x, y, { p0, jac: '2-point' } as CurveFitOptions), /finite-difference/],
    ['a covariance sigma', () => curveFit(expo, x, y, { p0, sigma: L }), /covariance sigma/],
    ['onIteration', () => curveFit(expo, x, y, { p0, onIteration: () => undefined }), /onIteration/],
    ['signal', () => curveFit(expo, x, y, { p0, signal: new AbortController().signal }), /signal/],
    ['verbose', () => curveFit(expo, x, y, { p0, verbose: 1, log: () => undefined }), /verbose/],
    ['workers', () => curveFit(expo, x, y, { p0, workers: 0 }), /workers/],
    ['blockRows', () => curveFit(expo, x, y, { p0, blockRows: 16 } as CurveFitOptions), /blockRows/],
    ['a closure that is not lifted', () => curveFit(closure, x, y, { p0, lift: false }), /plain function/],
    ['named parameters', () => curveFit(expo, x, y, { params: { a: 1, b: { value: 1, min: 0 }, c: 0 } } as CurveFitOptions), /named parameters/],
  ];
  for (const [name, run, reason] of cases) {
    it(`${name}: the ordinary path, and fastFitGap says why`, async () => {
      const r = await run();
      expect(r.choices.strategy.reason).not.toMatch(FAST);
      void reason; // fastFitGap's wording is checked below
    });
  }

  it('fastFitGap names each reason', () => {
    const gap = (options: CurveFitOptions, m: Parameters<typeof curveFit>[0] = expo, xs: Float64Array = x, ys: Float64Array = y) =>
      fastFitGap(resolveCurveFitOptions('curveFit', m, xs, ys, options), false);
    expect(gap({ p0 })).toBeNull();
    expect(gap({ p0, backend: 'wasm' })).toMatch(/a backend was named/);
    expect(gap({ p0, method: 'trf' })).toMatch(/method 'trf'/);
    expect(gap({ p0, jac: '2-point' } as CurveFitOptions)).toMatch(/finite-difference/);
    expect(gap({ p0, blockRows: 16 } as CurveFitOptions)).toMatch(/blockRows/);
    expect(gap({ p0, method: 'trf', loss: 'soft_l1' })).toMatch(/method 'trf'/);
    expect(gap({ p0, sigma: L })).toMatch(/covariance sigma/);
    expect(gap({ p0, onIteration: () => undefined })).toMatch(/onIteration/);
    expect(gap({ p0, signal: new AbortController().signal })).toMatch(/signal/);
    expect(gap({ p0, verbose: 1, log: () => undefined })).toMatch(/verbose/);
    expect(gap({ p0, workers: 0 })).toMatch(/workers/);
    expect(gap({ p0, lift: false }, closure)).toMatch(/plain function/);
    const big = grid(FAST_FIT_MAX_POINTS + 1, 0, 5);
    expect(gap({ p0 }, expo, big, Float64Array.from(big, (t) => Math.exp(-t)))).toMatch(/more than 10000 points/);
  });

  it(`more than ${FAST_FIT_MAX_POINTS} points: the ordinary path`, async () => {
    const big = grid(FAST_FIT_MAX_POINTS + 1, 0, 5);
    const r = await curveFit(expo, big, Float64Array.from(big, (t) => 3 * Math.exp(-1.2 * t) + 0.5), { p0 });
    expect(r.choices.strategy.reason).not.toMatch(FAST);
  });
});
