/**
 * The portable smoke suite: the same cases run in Node, Deno, Bun, Chromium and a Web Worker.
 *
 * Plain JavaScript with no imports, so every runtime loads it as is. The caller passes the
 * package's namespace (`import * as nlsq from 'nlsq'`, i.e. the built `dist/index.js` or a
 * browser bundle of it); each case fits a known curve through the public API and checks popt
 * against the truth. Backends: cpu and wasm always (both must work in every supported runtime),
 * webgpu when `listBackends()` reports a usable adapter here (expression models only, f32).
 *
 * @module
 */

/** Truth of the seed model a·exp(−b·x) + c. */
export const TRUTH = Object.freeze([3.0, 1.2, 0.5]);
const P0 = [1, 1, 0];
const N = 200;

/** Noise-free data of the seed model on x ∈ [0, 5]. */
export function seedData() {
  const x = new Float64Array(N);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    x[i] = (5 * i) / (N - 1);
    y[i] = TRUTH[0] * Math.exp(-TRUTH[1] * x[i]) + TRUTH[2];
  }
  return { x, y };
}

/** The seed model as a JS closure (finite-difference Jacobian). */
export const closureModel = (x, a, b, c) => a * Math.exp(-b * x) + c;

/** Throw unless `actual` matches `expected` entry by entry to a relative tolerance. */
export function assertClose(actual, expected, rtol, what) {
  const values = Array.from(actual ?? []);
  if (values.length !== expected.length) {
    throw new Error(`${what}: expected ${expected.length} values, got ${JSON.stringify(actual)}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(values[i] - expected[i]);
    if (!(err <= rtol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`${what}: entry ${i} is ${values[i]}, expected ${expected[i]} within ${rtol} (relative)`);
    }
  }
}

function need(nlsq, name) {
  const value = nlsq[name];
  if (value === undefined) throw new Error(`the package does not export ${name}`);
  return value;
}

/** Name of the backend a result reports (a name string, or an object with `name`). */
function backendName(result) {
  const b = result.backend;
  return typeof b === 'string' ? b : b?.name ?? b?.info?.name;
}

function checkFit(result, backend, rtol, what) {
  if (result.success !== true) throw new Error(`${what}: success is ${result.success} (${result.message})`);
  assertClose(result.popt, TRUTH, rtol, `${what} popt`);
  const used = backendName(result);
  const ok = backend === 'wasm' ? /^wasm-(simd|scalar)$/.test(used ?? '') : used === backend;
  if (!ok) throw new Error(`${what}: ran on ${JSON.stringify(used)}, asked for ${backend}`);
}

/** Relative tolerance on popt for noise-free data: f64 backends converge far tighter. */
function tolerance(backend) {
  return backend === 'webgpu' ? 2e-3 : 1e-6;
}

/**
 * The cases, given the package namespace and the list of backends to exercise.
 * @param {Record<string, any>} nlsq - the package's exports.
 * @param {string[]} backends - backend names to fit on ('cpu', 'wasm', 'webgpu').
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function smokeCases(nlsq, backends) {
  const cases = [];
  const { x, y } = seedData();
  cases.push({
    name: 'listBackends reports cpu, wasm-simd and wasm-scalar as available',
    run: async () => {
      const list = await need(nlsq, 'listBackends')();
      for (const name of ['cpu', 'wasm-simd', 'wasm-scalar']) {
        const s = list.find((b) => b.name === name);
        if (!s?.available) throw new Error(`${name} is not available: ${s?.reason ?? 'not listed'}`);
      }
    },
  });
  for (const backend of backends) {
    cases.push({
      name: `expression model a*exp(-b*x)+c fits on ${backend}`,
      run: async () => {
        const m = need(nlsq, 'model')('a*exp(-b*x)+c');
        const r = await need(nlsq, 'curveFit')(m, x, y, { p0: P0, backend });
        checkFit(r, backend, tolerance(backend), `expression on ${backend}`);
      },
    });
    // On webgpu the closure runs lifted to an expression model (a closure cannot run on a device).
    cases.push({
      name: `closure model fits on ${backend}${backend === 'webgpu' ? ' (lifted to an expression)' : ''}`,
      run: async () => {
        const r = await need(nlsq, 'curveFit')(closureModel, x, y, { p0: P0, backend });
        checkFit(r, backend, tolerance(backend), `closure on ${backend}`);
      },
    });
  }
  cases.push(...commonCases(nlsq, x, y, backends.includes('webgpu')));
  return cases;
}

function commonCases(nlsq, x, y, webgpu) {
  const cases = [
    {
      // By default on the fastest backend it can have synchronously: wasm once an asynchronous call
      // (the cases above) has loaded it and this runtime instantiates it synchronously, else cpu.
      name: 'curveFitSync fits a closure model on its default backend (wasm once loaded, else cpu)',
      run: async () => {
        const r = need(nlsq, 'curveFitSync')(closureModel, x, y, { p0: P0 });
        if (!['cpu', 'wasm-simd', 'wasm-scalar'].includes(r.backend)) throw new Error(`curveFitSync: ran on ${JSON.stringify(r.backend)}`);
        checkFit(r, r.backend, 1e-6, 'curveFitSync');
      },
    },
    {
      name: 'createWasmBackend from the main entry serves curveFitSync',
      run: async () => {
        const wasm = await need(nlsq, 'createWasmBackend')();
        const r = need(nlsq, 'curveFitSync')(need(nlsq, 'model')('a*exp(-b*x)+c'), x, y, { p0: P0, backend: wasm });
        checkFit(r, wasm.info.name, 1e-6, 'curveFitSync on a created wasm backend');
      },
    },
    {
      name: 'an expression model survives toJSON / model.fromJSON and fits the same',
      run: async () => {
        const model = need(nlsq, 'model');
        const json = JSON.parse(JSON.stringify(model('a*exp(-b*x)+c').toJSON()));
        const rebuilt = model.fromJSON(json);
        const r = await need(nlsq, 'curveFit')(rebuilt, x, y, { p0: P0, backend: 'cpu' });
        checkFit(r, 'cpu', 1e-6, 'rebuilt model');
      },
    },
    {
      name: 'workers: 2 folds the rows on two workers and agrees with the main thread',
      run: async () => {
        const m = need(nlsq, 'model')('a*exp(-b*x)+c');
        const single = await need(nlsq, 'curveFit')(m, x, y, { p0: P0, backend: 'wasm' });
        const r = await need(nlsq, 'curveFit')(m, x, y, { p0: P0, backend: 'wasm', workers: 2 });
        if (globalThis.process === undefined && r.choices.workers?.used === 'main thread') {
          // A bundled browser page: the bundler leaves workerpool out, so the fit stays on the main thread and says why.
          if (!/workerpool\) cannot be loaded here/.test(String(r.choices.workers.reason))) throw new Error(`choices.workers is ${JSON.stringify(r.choices.workers)}`);
          assertClose(r.popt, single.popt, 0, 'popt on the main thread');
          return;
        }
        if (!/^2 workers × wasm/.test(String(r.choices.workers?.used))) throw new Error(`choices.workers is ${JSON.stringify(r.choices.workers)}`);
        assertClose(r.popt, single.popt, 1e-12, 'popt on 2 workers');
        if (r.nfev !== single.nfev) throw new Error(`nfev ${r.nfev} on workers, ${single.nfev} on the main thread`);
      },
    },
    {
      name: 'workers: fitBatch runs a range of fits per worker (the same rows) and a streaming fit folds its chunks on workers',
      run: async () => {
        const m = need(nlsq, 'model')('a*exp(-b*x)+c');
        const nFits = 12;
        const Y = new Float64Array(nFits * x.length);
        for (let f = 0; f < nFits; f++) for (let i = 0; i < x.length; i++) Y[f * x.length + i] = y[i] * (1 + 0.01 * f);
        const one = await need(nlsq, 'fitBatch')(m, { x, y: Y }, { p0: P0 });
        const two = await need(nlsq, 'fitBatch')(m, { x, y: Y }, { p0: P0, workers: 2 });
        const stream = { p0: P0, backend: 'wasm', workflow: 'streaming', chunkSize: 64 };
        const single = await need(nlsq, 'fit')(m, x, y, stream);
        const streamed = await need(nlsq, 'fit')(m, x, y, { ...stream, workers: 2 });
        if (globalThis.process === undefined && two.plan.workers === 1) {
          // A bundled browser page: workerpool is left out, so both stay on the main thread and say why.
          if (!/workerpool\) cannot be loaded here/.test(two.plan.reason)) throw new Error(`fitBatch plan: ${two.plan.reason}`);
          assertClose(two.popt, one.popt, 0, 'fitBatch popt on the main thread');
          return;
        }
        if (two.plan.workers !== 2) throw new Error(`fitBatch plan: ${JSON.stringify(two.plan)}`);
        assertClose(two.popt, one.popt, 0, 'fitBatch popt on 2 workers');
        if (!/^2 workers × wasm/.test(String(streamed.choices.workers?.used))) throw new Error(`streaming choices.workers is ${JSON.stringify(streamed.choices.workers)}`);
        assertClose(streamed.popt, single.popt, 1e-12, 'streaming popt on 2 workers');
        if (streamed.nfev !== single.nfev) throw new Error(`streaming nfev ${streamed.nfev} on workers, ${single.nfev} on the main thread`);
      },
    },
    {
      name: 'leastSquares and leastSquaresSync solve Rosenbrock to (1, 1)',
      run: async () => {
        const fun = (p) => [10 * (p[1] - p[0] * p[0]), 1 - p[0]];
        const r = await need(nlsq, 'leastSquares')(fun, [-1.2, 1]);
        if (r.success !== true) throw new Error(`success is ${r.success} (${r.message})`);
        assertClose(r.x, [1, 1], 1e-6, 'x');
        const s = need(nlsq, 'leastSquaresSync')(fun, [-1.2, 1]);
        assertClose(s.x, r.x, 0, 'leastSquaresSync x');
      },
    },
    {
      name: 'an unknown backend name is a BackendUnavailableError',
      run: async () => {
        let error;
        try {
          await need(nlsq, 'curveFit')(closureModel, x, y, { p0: P0, backend: 'no-such-backend' });
        } catch (e) {
          error = e;
        }
        if (error?.code !== 'ERR_BACKEND_UNAVAILABLE') throw new Error(`expected ERR_BACKEND_UNAVAILABLE, got ${error}`);
      },
    },
  ];
  if (webgpu) {
    cases.push({
      name: 'webgpu refuses a closure it may not lift (lift: false), pointing to expression models',
      run: async () => {
        let error;
        try {
          await need(nlsq, 'curveFit')(closureModel, x, y, { p0: P0, backend: 'webgpu', lift: false });
        } catch (e) {
          error = e;
        }
        if (!/expression model/.test(String(error?.message))) throw new Error(`expected a clear error, got ${error}`);
      },
    });
  }
  return cases;
}

/**
 * A case for runtimes with environment variables (Node, Bun, Deno with --allow-env): the
 * NLSQ_BACKEND variable, read at call time, pins fits that name no backend.
 * @param {Record<string, any>} nlsq - the package's exports.
 * @param {{ get(name: string): string | undefined, set(name: string, v: string): void, unset(name: string): void }} env
 */
export function environmentCase(nlsq, env) {
  return {
    name: 'NLSQ_BACKEND pins the backend of fits that name none, read at call time',
    run: async () => {
      const { x, y } = seedData();
      const before = env.get('NLSQ_BACKEND');
      try {
        for (const name of ['wasm-scalar', 'cpu']) {
          env.set('NLSQ_BACKEND', name);
          const r = await need(nlsq, 'curveFit')(closureModel, x, y, { p0: P0 });
          checkFit(r, name, 1e-6, `NLSQ_BACKEND=${name}`);
        }
        env.set('NLSQ_BACKEND', 'no-such-backend');
        let error;
        try {
          await need(nlsq, 'curveFit')(closureModel, x, y, { p0: P0 });
        } catch (e) {
          error = e;
        }
        if (error?.code !== 'ERR_BACKEND_UNAVAILABLE') throw new Error(`a bad NLSQ_BACKEND gave ${error}`);
      } finally {
        if (before === undefined) env.unset('NLSQ_BACKEND');
        else env.set('NLSQ_BACKEND', before);
      }
    },
  };
}

/**
 * Which backends to exercise here: cpu and wasm always; webgpu per `webgpu`:
 * `'auto'` when `listBackends()` reports a usable adapter, `'0'` never, `'1'` always (a missing
 * adapter then fails the webgpu cases). Runners take it from NLSQ_SMOKE_WEBGPU.
 * @param {Record<string, any>} nlsq - the package's exports.
 * @param {string} [webgpu] - 'auto' (default), '0' or '1'.
 */
export async function backendsToTest(nlsq, webgpu = 'auto') {
  const names = ['cpu', 'wasm'];
  if (webgpu === '1') return [...names, 'webgpu'];
  if (webgpu === '0') return names;
  try {
    const list = await nlsq.listBackends();
    if (list.some((b) => b.name === 'webgpu' && b.available)) names.push('webgpu');
  } catch {
    // listBackends missing: its own case reports that.
  }
  return names;
}

/**
 * Run cases in sequence; every outcome goes to `log` as one line.
 * @returns {Promise<{ passed: number, failed: number, lines: string[] }>}
 */
export async function runCases(cases, log = () => {}) {
  let passed = 0;
  let failed = 0;
  const lines = [];
  for (const c of cases) {
    let line;
    try {
      await c.run();
      passed++;
      line = `ok   ${c.name}`;
    } catch (error) {
      failed++;
      line = `FAIL ${c.name}: ${error?.stack ?? error}`;
    }
    lines.push(line);
    log(line);
  }
  return { passed, failed, lines };
}

/** The one summary line every runner prints. */
export function summaryLine(result) {
  return `${result.passed} passed, ${result.failed} failed`;
}
