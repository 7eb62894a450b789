/**
 * The playground's fit worker. Messages in:
 *   { type: 'fit', id, model: { json, library? }, x, y, sigma?, p0?, bounds?, backend, method?, loss? }
 *   { type: 'cancel', id }
 * `stop`, when the page is cross-origin isolated, is an Int32Array on a SharedArrayBuffer that the
 * page sets to 1 on Cancel: the worker reads it at every iteration and aborts. A `cancel` message
 * alone can wait: Chromium runs the fit's `scheduler.yield()` continuations ahead of queued
 * messages, so the message may only arrive when the fit has ended.
 * The model crosses as `model.toJSON()`; a library model also names its factory (`library`) so
 * that the worker rebuilds it with its p0 estimator (toJSON keeps the expression, not the
 * estimator). The fit runs with an AbortSignal that `cancel` aborts.
 * While it runs: { type: 'progress', id, iteration, cost, nfev } at most every 100 ms.
 * Answers { id, ok: true, result } (plain fields, the report, the figure's SVG) or
 * { id, ok: false, cancelled, error: { name, message, code } }.
 */
import { curveFit, model, models } from '../src/index.ts';
import { plotFit, toSVG } from '../src/plot/index.ts';

/** @type {Map<number, AbortController>} */
const running = new Map();

function rebuild(spec) {
  const factory = spec.library !== undefined ? models[spec.library] : undefined;
  if (typeof factory === 'function') {
    const built = factory();
    if (built.toJSON().expression === spec.json.expression) return built;
  }
  return model.fromJSON(spec.json);
}

function linspace(lo, hi, n) {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

async function figure(result, x, y, sigma, labels) {
  try {
    const spec = plotFit(result, { x, y, sigma, labels, width: 560, height: 300 });
    return { svg: await toSVG(spec) };
  } catch (error) {
    return { svgError: String(error?.message ?? error) };
  }
}

async function runFit(msg) {
  const controller = new AbortController();
  running.set(msg.id, controller);
  try {
    const m = rebuild(msg.model);
    const options = { signal: controller.signal };
    const stop = msg.stop;
    let lastProgress = 0;
    options.onIteration = (info) => {
      if (stop !== undefined && Atomics.load(stop, 0) !== 0) controller.abort();
      const now = performance.now();
      if (now - lastProgress >= 100) {
        lastProgress = now;
        self.postMessage({ type: 'progress', id: msg.id, iteration: info.iteration, cost: info.cost, nfev: info.nfev });
      }
    };
    if (msg.p0 !== undefined) options.p0 = msg.p0;
    if (msg.sigma !== undefined) options.sigma = msg.sigma;
    if (msg.bounds !== undefined) options.bounds = msg.bounds;
    if (msg.backend !== 'auto') options.backend = msg.backend;
    if (msg.loss !== undefined && msg.loss !== 'linear') options.loss = msg.loss;
    // SciPy's default is lm, which takes no loss: a robust loss without a method means trf.
    if (msg.method) options.method = msg.method;
    else if (options.loss !== undefined) options.method = 'trf';
    const t0 = performance.now();
    const r = await curveFit(m, msg.x, msg.y, options);
    const ms = performance.now() - t0;
    const ci = r.confidenceIntervals(0.95);
    const n = msg.x.length;
    // The curve and residuals for the CSV download: ŷ at the data, and a smooth curve on a grid.
    const yhat = Array.from(r.predict(msg.x));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of msg.x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const grid = linspace(lo, hi, 200);
    const curve = Array.from(r.predict(grid));
    const plot = n <= 200_000 ? await figure(r, msg.x, msg.y, msg.sigma, msg.labels) : { svgError: 'figure skipped above 200 000 points' };
    const result = {
      modelJSON: m.toJSON(),
      paramNames: [...r.paramNames],
      popt: [...r.popt],
      perr: [...r.perr],
      pcov: r.pcov.map((row) => [...row]),
      ci: { level: ci.level, lower: [...ci.lower], upper: [...ci.upper] },
      rSquared: r.rSquared,
      reducedChiSquare: r.reducedChiSquare,
      aic: r.aic,
      bic: r.bic,
      n: r.n,
      dof: r.dof,
      cost: r.cost,
      nfev: r.nfev,
      success: r.success,
      message: r.message,
      method: r.method,
      backend: r.backend,
      reason: r.reason,
      warnings: r.warnings.map((w) => (typeof w === 'string' ? w : (w.message ?? JSON.stringify(w)))),
      report: r.report(),
      ms,
      yhat,
      grid,
      curve,
      ...plot,
    };
    self.postMessage({ id: msg.id, ok: true, result });
  } catch (error) {
    self.postMessage({
      id: msg.id,
      ok: false,
      cancelled: controller.signal.aborted,
      error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), code: error?.code },
    });
  } finally {
    running.delete(msg.id);
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'cancel') running.get(msg.id)?.abort();
  else if (msg.type === 'fit') void runFit(msg);
};
/**
 * Load now what a first fit loads lazily (the WebAssembly backend, vega and vega-lite for the
 * figure), so that the page needs no network once this has answered 'ready'.
 */
async function warmUp() {
  try {
    const r = await curveFit(model('a*x + b'), [0, 1, 2], [1, 3, 5.1], { p0: [1, 0] });
    await toSVG(plotFit(r, { x: [0, 1, 2], y: [1, 3, 5.1] }));
  } finally {
    self.postMessage({ type: 'ready' });
  }
}
void warmUp();
