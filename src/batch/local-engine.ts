/**
 * The choice of the single-thread engine of a batch, in one place: `fitBatch` calls it for its
 * own thread, and a worker of the worker-pool engine calls it for its share of the fits.
 *
 * - `'wasm'` (the default wherever WebAssembly runs): the whole `lm`, `trf` or `dogbox` loop
 *   inside WebAssembly (`wasm-engine.ts`), for expression models the library built (bounds, shared
 *   or per fit, and the built-in robust losses with trf and dogbox) — with shared or per-fit x,
 *   offsets, sigma, `vary` and any p0.
 * - `'cpu'`: the plain-TypeScript reference (`cpu-engine.ts`), for everything else: a loss given
 *   as a function, closures (finite differences), models nlsq
 *   did not build, named parameters with ties (`params`), runtimes without WebAssembly.
 *
 * The engine's `reason` says which ran and why; `r.summary().reason` carries it.
 *
 * @module
 */
import { wasmBackendModule, wasmModelKernelModule } from '../backends/backend-factories.ts';
import type { WasmBackend } from '../backends/wasm/wasm-backend.ts';
import { NlsqRangeError } from '../errors.ts';
import { trustedProgram } from '../model/trusted-program.ts';
import type { BatchEngine, BatchProblem } from './batch-engine.ts';
import { createCpuEngine } from './cpu-engine.ts';
import { lazy } from '../util/lazy.ts';

/** The WASM engine's module, imported on first use (it brings the wasm codegen with it). */
const wasmEngineModule = lazy(() => import('./wasm-engine.ts'));

/**
 * Why the WASM engine cannot run this batch, or null when it can.
 *
 * @param problem - the validated batch.
 * @returns a sentence fragment (e.g. `method 'trf' …`), or null.
 */
export function wasmEngineGap(problem: BatchProblem): string | null {
  const { params, settings } = problem;
  if (typeof WebAssembly !== 'object') return 'WebAssembly is not available in this runtime';
  if (typeof params.model === 'function') return 'a closure model runs on the JavaScript path (finite differences)';
  if (params.layout !== null) return 'named parameters (params) run on the CPU engine';
  if (trustedProgram(params.model) === undefined) return 'the model is not one nlsq built (model(), Model.fromJSON or the model library), so its own kernel runs';
  if (settings.loss !== null && settings.lossName === 'custom') return 'a loss given as a function runs on the JavaScript path (the WASM engine takes the built-in losses)';
  if (settings.scheme.kind !== 'analytic') return 'a finite-difference Jacobian is not in the WASM engine';
  return null;
}

/**
 * Create the engine that runs a batch on this thread (see the module comment).
 *
 * @param problem - the validated batch; `problem.engine` forces `'cpu'` or `'wasm'`.
 * @param wasmBackend - for the WASM engine: a wasm backend to run on instead of a fresh instance
 *   (a pool worker passes the one it keeps across batches and chunks: a fresh instance costs an
 *   instantiation and the page faults of new memory — `backends/wasm/wasm-pool.ts`). The engine
 *   frees what it allocates there when disposed.
 * @returns the engine, its `name` (`'wasm'` or `'cpu'`) and `reason` set.
 * @throws NlsqRangeError (argument `engine`) when `'wasm'` is forced on a batch it cannot run.
 */
export async function createLocalEngine(problem: BatchProblem, wasmBackend?: WasmBackend): Promise<BatchEngine> {
  const asked = problem.engine ?? 'auto';
  const { caller } = problem;
  if (asked === 'cpu') return createCpuEngine(problem, { reason: "engine 'cpu' requested: the plain-TypeScript reference engine" });
  const refuse = (why: string): BatchEngine => {
    if (asked === 'wasm') throw new NlsqRangeError(`${caller}: engine 'wasm' cannot run this batch: ${why}; use engine 'auto' or 'cpu'`, 'engine');
    return createCpuEngine(problem, { reason: `the CPU engine: ${why}` });
  };
  const gap = wasmEngineGap(problem);
  if (gap !== null) return refuse(gap);
  let host;
  let engineModule;
  try {
    const [wasm, kernels, engines] = await Promise.all([wasmBackendModule(), wasmModelKernelModule(), wasmEngineModule()]);
    engineModule = engines;
    const backend = wasmBackend ?? ((await wasm.createWasmBackend()) as WasmBackend);
    const program = trustedProgram(problem.params.model)!;
    const model = kernels.wasmModelFunctions(program, backend);
    if (model === null) return refuse('the model cannot be compiled to WebAssembly here');
    host = { backend, model, program };
  } catch (error) {
    return refuse(`WebAssembly could not be loaded (${(error as Error).message})`);
  }
  return engineModule.createWasmEngine(problem, host);
}
