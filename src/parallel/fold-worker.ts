/**
 * Entry of a fold worker: registers the share operations of `fold-share.ts` with workerpool, so
 * a pool lane can open a share, evaluate it per θ, read its residuals and close it. Also answers
 * `ping` (the pool's liveness check) and `exit` (a test's way to kill the worker from inside).
 *
 * Loaded as a module worker: Node `worker_threads`, Deno, Bun, or a browser Web Worker
 * (`worker-script.ts` says which file each runtime loads).
 *
 * @module
 */
import workerpool from 'workerpool';
import { closeShare, evaluateShare, openShare, openShareCount, shareResiduals, type ShareSetup } from './fold-share.ts';

workerpool.worker({
  open: (setup: ShareSetup) => openShare(setup),
  evaluate: (id: string, x: Float64Array, jacobian: boolean) => {
    const ev = evaluateShare(id, x, jacobian);
    return ev.T === null ? ev : new workerpool.Transfer(ev, [ev.T.buffer]);
  },
  residuals: (id: string, x: Float64Array, out: Float64Array | null) => {
    if (out !== null) {
      shareResiduals(id, x, out); // written into the main thread's shared memory
      return null;
    }
    const r = shareResiduals(id, x);
    return new workerpool.Transfer(r, [r.buffer]);
  },
  close: (id: string) => closeShare(id),
  ping: () => openShareCount(),
  exit: () => {
    const g = globalThis as { process?: { exit(code: number): never }; close?: () => void };
    if (g.process !== undefined) g.process.exit(1);
    else g.close?.();
  },
});
