/**
 * The single-thread engine of this runtime: the engine a batch runs on when it stays on the host
 * thread, and the one that polishes the answers of a device engine in f64
 * (`device-engine.ts`). Today that is the plain-TypeScript CPU engine (`cpu-engine.ts`); the
 * WebAssembly whole-loop engine takes its place here when it exists, and every caller follows.
 *
 * @module
 */
import type { BatchEngine, BatchProblem } from './batch-engine.ts';
import { createCpuEngine } from './cpu-engine.ts';

/**
 * Create the fastest single-thread host engine for a batch.
 *
 * @param problem - the validated batch (its p0, bounds and solver settings are the ones used).
 * @returns the engine; `run(from, to, out)` fits a range synchronously.
 */
export function createLocalEngine(problem: BatchProblem): BatchEngine {
  return createCpuEngine(problem);
}
