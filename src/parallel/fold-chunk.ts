/**
 * The worker side of a streaming pass on workers: a *chunk folder* — the model compiled once per
 * fit on this worker's wasm backend, then any chunk the main thread hands over folded from zero
 * into its own (p+1)×(p+1) triangle with the walk every strategy uses (`BlockEvaluator`: fused
 * evaluate-and-fold, Householder TSQR). The main thread merges the chunks' triangles in chunk
 * order (`parallel-chunk-fold.ts`). Nothing here touches a worker API, so the tests run it
 * in-thread.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { NlsqRangeError } from '../errors.ts';
import { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import type { Program } from '../model/ir.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import { resolveLoss, type LossName } from '../optim/loss.ts';
import { wasmModelKernelModule } from '../backends/backend-factories.ts';
import { wasmBackendFor, type ShareEvaluation } from './fold-share.ts';

/** What crosses to a worker once per streaming fit. */
export interface ChunkFolderSetup {
  /** The fit's key (unique per process and fit). */
  readonly id: string;
  /** The model's IR (f and its gradient). */
  readonly program: Program;
  /** A built-in robust loss and its scale, or null for the linear loss. */
  readonly loss: { readonly name: LossName; readonly fScale: number } | null;
  /** Rows per block of the walk. */
  readonly blockRows: number;
  /** The wasm build the main thread runs (`true`: wasm-simd). */
  readonly simd: boolean;
}

interface Folder {
  readonly evaluator: BlockEvaluator;
  readonly dispose: () => void;
}

const folders = new Map<string, Folder>();

/**
 * Open a chunk folder: compile the model on this worker's wasm backend (windows copied per call).
 *
 * @param setup - see {@link ChunkFolderSetup}.
 * @returns the backend the folder runs on (e.g. `'wasm-simd'`).
 * @throws NlsqRangeError when the id is already open or the model cannot be compiled here.
 */
export async function openChunkFolder(setup: ChunkFolderSetup): Promise<string> {
  if (folders.has(setup.id)) throw new NlsqRangeError(`chunk folder: ${setup.id} is already open`, 'id');
  const backend: Backend = await wasmBackendFor(setup.simd);
  const kernel = (await wasmModelKernelModule()).createWasmModelKernel(setup.program, backend, {});
  if (kernel === null) throw new NlsqRangeError(`chunk folder: the model (${setup.program.instructions.length} IR instructions) cannot be compiled to WebAssembly in this worker`, 'model');
  const loss = setup.loss === null ? null : resolveLoss(setup.loss.name, setup.loss.fScale, 'chunk folder');
  const evaluator = new BlockEvaluator({ backend, kernel, loss, scheme: { kind: 'analytic' }, blockRows: setup.blockRows });
  folders.set(setup.id, { evaluator, dispose: () => { evaluator.dispose(); kernel.dispose(); } });
  return backend.info.name;
}

/** One chunk's evaluation, as it crosses back, with the chunk's own buffers for the main thread to reuse. */
export interface ChunkEvaluation extends ShareEvaluation {
  /** The distinct buffers of the chunk's columns, handed back (transferred) once folded. */
  readonly buffers: ArrayBuffer[];
}

/**
 * Fold one chunk at θ from zero: its cost ½Σρ(r²), its point count and (when `jacobian`) its
 * triangle.
 *
 * @param id - the folder. @param x - θ. @param jacobian - also fold the Jacobian rows.
 * @param data - the chunk's columns (x…, y, w or null), all of one length.
 * @returns cost, m and T (a fresh array, safe to transfer; null when not asked or not finite), and
 *   the chunk's buffers (the main thread copies later chunks into them: no allocation per chunk).
 * @throws NlsqRangeError for a folder this worker does not hold.
 */
export function foldChunk(id: string, x: Float64Array, jacobian: boolean, data: DataColumns): ChunkEvaluation {
  const folder = folders.get(id);
  if (folder === undefined) throw new NlsqRangeError(`chunk folder: ${id} is not open in this worker (was the worker restarted?)`, 'id');
  const ev = folder.evaluator;
  ev.begin(x, jacobian);
  ev.addWindow(data, 0, data.y.length);
  const r = ev.finish();
  const buffers = new Set<ArrayBuffer>();
  for (const c of [...data.x, data.y, ...(data.w === null ? [] : [data.w])]) if (!(c.buffer instanceof SharedArrayBuffer)) buffers.add(c.buffer as ArrayBuffer);
  return { cost: r.cost, m: r.m, T: r.T, buffers: [...buffers] };
}

/**
 * Close a chunk folder and free its memory (a no-op for an unknown id).
 *
 * @param id - the folder.
 * @returns true when a folder was closed.
 */
export function closeChunkFolder(id: string): boolean {
  const folder = folders.get(id);
  if (folder === undefined) return false;
  folders.delete(id);
  folder.dispose();
  return true;
}
