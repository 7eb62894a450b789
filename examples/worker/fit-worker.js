/**
 * Web Worker side of a fit off the main thread.
 *
 * The main thread sends `{ id, model, x, y, options }` where `model` is an expression model's
 * `toJSON()` (functions cannot cross to a worker; an expression can), `x`/`y` are Float64Arrays
 * (transferred, not copied) and `options` are the structured-cloneable `curveFit` options (p0,
 * bounds, sigma, method, loss, backend as a name, tolerances — not `signal` or callbacks). The
 * worker rebuilds the model with `model.fromJSON`, fits, and answers `{ id, ok: true, result }`
 * with the plain fields of the result, or `{ id, ok: false, error: { name, message, code } }`.
 *
 * Bundle it as a module worker, e.g. `esbuild fit-worker.js --bundle --format=esm`.
 */
import { curveFit, model } from 'nlsq';

/** The structured-cloneable part of a curveFit result. */
function plainResult(r) {
  const backend = typeof r.backend === 'string' ? r.backend : (r.backend?.name ?? String(r.backend));
  return {
    popt: Array.from(r.popt),
    perr: Array.from(r.perr ?? []),
    pcov: (r.pcov ?? []).map((row) => Array.from(row)),
    success: r.success,
    status: r.status,
    message: r.message,
    cost: r.cost,
    nfev: r.nfev,
    backend,
  };
}

self.onmessage = async (event) => {
  const { id, model: json, x, y, options } = event.data;
  try {
    const rebuilt = model.fromJSON(json);
    const result = await curveFit(rebuilt, x, y, options ?? {});
    self.postMessage({ id, ok: true, result: plainResult(result) });
  } catch (error) {
    self.postMessage({
      id,
      ok: false,
      error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), code: error?.code },
    });
  }
};
