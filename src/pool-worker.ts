/**
 * Entry of a pool worker: registers with workerpool every task the process-wide pool runs —
 *
 * - the fold shares of one fit on many cores (`parallel/fold-share.ts`): `open`, `load`, `seal`,
 *   `evaluate`, `residuals`, `close`;
 * - a `fitBatch` on workers: `sharedBatch`, a round of fits in shared memory whose chunks every
 *   worker claims (`batch/shared-batch.ts`), or `batchShare`, one range transferred
 *   (`batch/batch-share.ts`, where shared memory is not usable), with progress sent back through
 *   `workerpool.workerEmit`;
 * - the chunks of a streaming pass (`parallel/fold-chunk.ts`): `chunkOpen`, `chunkFold` (one or
 *   more chunks, each folded from zero), `chunkClose`;
 *
 * and `ping` (the pool's liveness check) and `exit` (a test's way to kill the worker from inside).
 * It sits in the top layer, beside the public entry points, because it imports each of them.
 *
 * Loaded as a module worker: Node `worker_threads`, Deno, Bun, or a browser Web Worker
 * (`parallel/worker-script.ts` says which file each runtime loads).
 *
 * @module
 */
import workerpool from 'workerpool';
import { outputBuffers, runBatchShare, type BatchShareSetup } from './batch/batch-share.ts';
import { runSharedRound, type SharedRoundSetup } from './batch/shared-batch.ts';
import { closeChunkFolder, foldChunk, openChunkFolder, type ChunkFolderSetup } from './parallel/fold-chunk.ts';
import type { DataColumns } from './model/model-kernel.ts';
import { closeShare, evaluateShare, loadShare, openShare, openShareCount, sealShare, shareResiduals, type ShareSetup } from './parallel/fold-share.ts';

workerpool.worker({
  open: (setup: ShareSetup) => openShare(setup),
  load: (id: string, offset: number, count: number, chunk: Float64Array) => {
    const back = loadShare(id, offset, count, chunk);
    // a shared chunk stays where it is (the main thread fills it again); a transferred one goes back
    return back.buffer instanceof SharedArrayBuffer ? null : new workerpool.Transfer(back, [back.buffer]);
  },
  seal: (id: string) => sealShare(id),
  evaluate: (id: string, x: Float64Array, jacobian: boolean) => {
    const ev = evaluateShare(id, x, jacobian);
    return ev.T === null ? ev : new workerpool.Transfer(ev, [ev.T.buffer]);
  },
  residuals: (id: string, x: Float64Array, out: Float64Array | null, mean: number) => {
    const res = shareResiduals(id, x, out, mean); // with out: written into the main thread's shared memory
    return res.r === null ? res : new workerpool.Transfer(res, [res.r.buffer]);
  },
  close: (id: string) => closeShare(id),
  batchShare: async (setup: BatchShareSetup) => {
    const out = await runBatchShare(setup, (done) => workerpool.workerEmit(done));
    return new workerpool.Transfer(out, outputBuffers(out));
  },
  sharedBatch: (setup: SharedRoundSetup) => runSharedRound(setup, (done) => workerpool.workerEmit(done)),
  chunkOpen: (setup: ChunkFolderSetup) => openChunkFolder(setup),
  chunkFold: (id: string, x: Float64Array, jacobian: boolean, chunks: DataColumns[]) => {
    const evs = chunks.map((data) => foldChunk(id, x, jacobian, data)); // each from zero, in order
    return new workerpool.Transfer(evs, evs.flatMap((ev) => (ev.T === null ? ev.buffers : [ev.T.buffer, ...ev.buffers])));
  },
  chunkClose: (id: string) => closeChunkFolder(id),
  ping: () => openShareCount(),
  exit: () => {
    const g = globalThis as { process?: { exit(code: number): never }; close?: () => void };
    if (g.process !== undefined) g.process.exit(1);
    else g.close?.();
  },
});
