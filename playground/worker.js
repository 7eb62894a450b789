/**
 * The playground's fit worker. Messages in:
 *   { type: 'fit', id, model: { json, library? }, x, y, sigma?, p0?, bounds?, params?, autoP0?, backend, method?, loss? }
 *   { type: 'batch', id, model, x, y (nFits·n, row-major), names, sigma?, p0?, bounds?, params?, autoP0?, method?, loss? }
 *   { type: 'cancel', id }
 * `params` (fixed and tied parameters from the parameter table) is `params()`'s input; with
 * `autoP0` its free parameters without a value start at the model's estimate.
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
import { STATUS_CODE, curveFit, fitBatch, model, models, params } from '../src/index.ts';
import { plotBatch, plotFit, toSVG } from '../src/plot/index.ts';

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

/**
 * The table's `params()` input with every value filled: with an estimate, the free parameters
 * without a value start there (clamped into their bounds), else at 1.
 */
function filledParams(m, input, estimate) {
  const filled = Object.fromEntries(
    m.params.map((name, j) => {
      const spec = input[name];
      if (spec.expr !== undefined || spec.value !== undefined) return [name, spec];
      const v = estimate?.[j] ?? 1;
      return [name, { value: Math.min(Math.max(v, spec.min ?? -Infinity), spec.max ?? Infinity), ...spec }];
    }),
  );
  return filled;
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
    const named = msg.params === undefined ? undefined : filledParams(m, msg.params, msg.autoP0 ? m.estimateP0?.([Float64Array.from(msg.x)], Float64Array.from(msg.y)) : undefined);
    if (named !== undefined) options.params = params(named);
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
      namedParams: named,
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
    postFailure(msg.id, error, controller.signal.aborted);
  } finally {
    running.delete(msg.id);
  }
}

/**
 * A batch: one fit per curve with `fitBatch` (shared x), progress as fits done and fits/s after
 * every sub-batch, then the per-fit arrays, the summary and `plotBatch`'s histograms as SVG.
 */
async function runBatchFit(msg) {
  const controller = new AbortController();
  running.set(msg.id, controller);
  try {
    const m = rebuild(msg.model);
    const t0 = performance.now();
    const options = {
      signal: controller.signal,
      subBatchSize: msg.subBatchSize ?? 64,
      onProgress: ({ done, total }) => {
        if (msg.stop !== undefined && Atomics.load(msg.stop, 0) !== 0) controller.abort();
        const s = (performance.now() - t0) / 1000;
        self.postMessage({ type: 'progress', id: msg.id, done, total, fitsPerSecond: s > 0 ? done / s : 0 });
      },
    };
    if (msg.params !== undefined) options.params = params(msg.params); // the page sends values for every free parameter (no estimator with params in a batch)
    else if (msg.autoP0) options.p0 = 'auto';
    else if (msg.p0 !== undefined) options.p0 = msg.p0;
    if (msg.bounds !== undefined) options.bounds = msg.bounds;
    if (msg.sigma !== undefined) options.sigma = msg.sigma;
    if (msg.loss !== undefined && msg.loss !== 'linear') options.loss = msg.loss;
    if (msg.method) options.method = msg.method;
    else if (options.loss !== undefined) options.method = 'trf';
    const r = await fitBatch(m, { x: msg.x, y: msg.y }, options);
    const summary = r.summary();
    const status = Array.from(r.status, (code) => STATUS_NAMES[code] ?? 'improper-input');
    let svg;
    let svgError;
    try {
      svg = await toSVG(plotBatch({ names: [...r.paramNames], popt: r.popt, status }, { width: 200 }));
    } catch (error) {
      svgError = String(error?.message ?? error);
    }
    self.postMessage({
      id: msg.id,
      ok: true,
      batch: {
        names: msg.names,
        paramNames: [...r.paramNames],
        popt: r.popt,
        perr: r.perr,
        status,
        messages: Array.from({ length: r.nFits }, (_, i) => r.message(i)),
        converged: summary.converged,
        failed: summary.failed,
        fitsPerSecond: summary.fitsPerSecond,
        elapsedMs: summary.elapsedMs,
        report: r.report(),
        svg,
        svgError,
      },
    });
  } catch (error) {
    postFailure(msg.id, error, controller.signal.aborted);
  } finally {
    running.delete(msg.id);
  }
}

/** The status name of each of SciPy's codes (BatchResult.status holds the codes). */
const STATUS_NAMES = Object.fromEntries(Object.entries(STATUS_CODE).map(([name, code]) => [code, name]));

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'cancel') running.get(msg.id)?.abort();
  else if (msg.type === 'fit') void runFit(msg);
  else if (msg.type === 'batch') void runBatchFit(msg);
};
/**
 * Load now what a first fit loads lazily (the WebAssembly backend, vega and vega-lite for the
 * figure, the batch engine), so that the page needs no network once this has answered 'ready'.
 */
async function warmUp() {
  try {
    const r = await curveFit(model('a*x + b'), [0, 1, 2], [1, 3, 5.1], { p0: [1, 0] });
    await toSVG(plotFit(r, { x: [0, 1, 2], y: [1, 3, 5.1] }));
    await fitBatch(model('a*x + b'), { x: [0, 1, 2], y: [1, 3, 5.1, 2, 4, 6.1] }, { p0: [1, 0] });
  } finally {
    self.postMessage({ type: 'ready' });
  }
}
void warmUp();

/** Tell the page that request `id` failed (or was cancelled), with the error's name, message and code. */
function postFailure(id, error, cancelled) {
  self.postMessage({
    id,
    ok: false,
    cancelled,
    error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), code: error?.code },
  });
}
