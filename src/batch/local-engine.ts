/**
 * The single-thread engine of a batch: the one place that chooses which engine runs the fits of a
 * batch on one thread — on the main thread, and inside each worker of the worker-pool engine
 * (`worker-engine.ts`), so that a batch gives the same answer on any number of workers.
 *
 * Today this is the plain-TypeScript CPU engine (`cpu-engine.ts`); the WebAssembly whole-loop
 * engine is returned from here too once it exists. The function is asynchronous so that an engine
 * that must load a module first (WebAssembly) fits behind it.
 *
 * @module
 */
import type { BatchEngine, BatchProblem } from './batch-engine.ts';
import { createCpuEngine } from './cpu-engine.ts';

/**
 * Create the engine that runs a batch's fits on the calling thread.
 *
 * @param problem - the validated batch (or a worker's range of it).
 * @returns the engine; `run(from, to, out)` fits a range; `dispose()` when done.
 */
export async function createLocalEngine(problem: BatchProblem): Promise<BatchEngine> {
  return createCpuEngine(problem);
}
