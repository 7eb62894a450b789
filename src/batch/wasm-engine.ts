/**
 * The WASM batch engine: every fit's whole Levenberg–Marquardt (`lm`) or Trust Region Reflective
 * (`trf`) loop inside WebAssembly.
 *
 * Layout. The engine owns one wasm backend (its own instance and linear memory). At creation it
 * compiles the model's IR to the generated module (`codegen-wasm-simd.ts`, shared with
 * `curveFit`'s wasm kernels), instantiates it against that memory, and puts the module's `cols`
 * function in the kernel instance's function table; the kernel module's `lmBatch`
 * (`assembly/lm-batch.ts`) or `trfBatch` (`assembly/trf-batch.ts`) calls it from there through `call_indirect` — a wasm-to-wasm call —
 * so no JavaScript runs between two iterations, or between two fits of a run. Resident in wasm
 * memory for the engine's life: the shared x columns (when x is shared), the free-parameter
 * positions, `xScale`, and `lmWorkBytes` of work (the p×p factor, the (p+1)² triangles, the
 * model's column-major sub-block of `subRows(p + 1)` rows, …) — nothing is allocated per fit.
 *
 * A run (`run(from, to, out)`, a few fits at a time: the caller's sub-batch step) stages its fits
 * in a staging area sized for the largest run so far: one record per fit (its length, whether it
 * starts, the addresses of its columns, θ — the start and the held values — and room for the
 * results), and the fits' y, w = 1/σ and per-fit x side by side. Staging goes through the same
 * `fitStart` as the CPU engine (the same checks, the same p0 rules, `p0: 'auto'` included), so
 * a fit that cannot start gets the same status −1 and message. One `lmBatch` call then solves
 * the run, and the results are copied to the batch's outputs; messages (only for fits with
 * status ≤ 0) are built by the same functions as `lm`'s (`lmTermination`,
 * `nonFiniteTermination`, `checkInitialEvaluation`). The working set is bounded by the run size
 * times the longest fit, independent of the number of fits.
 *
 * With `'trf'` or `'dogbox'` (`trfBatch`, whose trust-region loop takes either method's steps) each record also carries the fit's bounds (over the free parameters), and the
 * results header is trf's (status, cost, χ², nfev, nit; the messages of fits at max-nfev are
 * `maxNfevMessage`'s). Resident data (`BatchData.resident`: the starts of a multi-start search,
 * which all read the same points) is staged once for the engine's life.
 *
 * What it covers: expression models the library built (`trustedProgram`), methods `'lm'`, `'trf'`
 * and `'dogbox'` (bounds shared or per fit; the built-in robust losses, which lm does not take), an exact
 * Jacobian, shared or per-fit x, offsets, sigma, `vary` masks, p0 given or `'auto'`. Everything
 * else runs on the CPU engine (`local-engine.ts` says why).
 *
 * @module
 */
import type { KernelExports } from '../backends/wasm/wasm-module.ts';
import type { Allocation, WasmHeap } from '../backends/wasm/wasm-memory.ts';
import type { WasmBackend } from '../backends/wasm/wasm-backend.ts';
import { POOL_MEMORY_LIMIT } from '../backends/wasm/wasm-pool.ts';
import type { ModelExports } from '../backends/wasm/wasm-model-kernel.ts';
import { expTableOffset } from '../backends/wasm/codegen-wasm-simd.ts';
import { writeExpTable } from '../backends/wasm/wasm-simd-exp.ts';
import { BackendUnavailableError } from '../errors.ts';
import type { Program } from '../model/ir.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import { STATUS_CODE, type SolverStatus } from '../optim/evaluation.ts';
import { lmTermination, nonFiniteTermination } from '../optim/lm-termination.ts';
import { checkInitialEvaluation } from '../optim/solver-common.ts';
import { maxNfevMessage } from '../optim/termination.ts';
import type { BatchEngine, BatchOutput, BatchProblem } from './batch-engine.ts';
import { fitRange } from './batch-data.ts';
import { fitStart } from './fit-start.ts';

/** Slots (doubles) of a fit record, the twin of the constants in `assembly/lm-batch.ts`. */
export interface LmRecordLayout {
  /** Doubles per record. */
  readonly stride: number;
  /** n, ready, y address, w address, then the k x addresses. */
  readonly n: 0;
  readonly ready: 1;
  readonly y: 2;
  readonly w: 3;
  readonly x: 4;
  /** First slot of the results header (4 + k). */
  readonly header: number;
  /** First slot of θ (P values: in the start and held values, out the fitted ones). */
  readonly theta: number;
  /** First slot of perr (p values). */
  readonly perr: number;
  /** First slot of the last non-finite trial point (p values). */
  readonly nonFiniteX: number;
}

/** Offsets inside lm's header (see `assembly/lm-batch.ts`). */
const H = { status: 0, info: 1, cost: 2, nfev: 3, nit: 4, actred: 5, prered: 6, ratio: 7, delta: 8, xnorm: 9, gnorm: 10, lastNfev: 11, nfCount: 12, nfWhat: 13, nfCost: 14, chi2: 15, size: 16 } as const;

/**
 * The record layout for p free of P parameters and k variables.
 *
 * @param p - free parameters.
 * @param P - model parameters.
 * @param k - variables.
 * @returns the slots.
 */
export function lmRecordLayout(p: number, P: number, k: number): LmRecordLayout {
  const header = 4 + k;
  const theta = header + H.size;
  const perr = theta + P;
  const nonFiniteX = perr + p;
  return { stride: nonFiniteX + p, n: 0, ready: 1, y: 2, w: 3, x: 4, header, theta, perr, nonFiniteX };
}

/** Slots (doubles) of a `trfBatch` fit record, the twin of the constants in `assembly/trf-batch.ts`. */
export interface TrfRecordLayout extends Omit<LmRecordLayout, 'nonFiniteX'> {
  /** First slot of the free parameters' lower bounds (p values). */
  readonly lb: number;
  /** First slot of their upper bounds (p values). */
  readonly ub: number;
}

/** Offsets inside trf's header (see `assembly/trf-batch.ts`). */
const TH = { status: 0, info: 1, cost: 2, chi2: 3, nfev: 4, nit: 5, errA: 6, errB: 7, size: 8 } as const;

/**
 * The `trfBatch` record layout for p free of P parameters and k variables.
 *
 * @param p - free parameters.
 * @param P - model parameters.
 * @param k - variables.
 * @returns the slots.
 */
export function trfRecordLayout(p: number, P: number, k: number): TrfRecordLayout {
  const header = 4 + k;
  const theta = header + TH.size;
  const perr = theta + P;
  return { stride: perr + 3 * p, n: 0, ready: 1, y: 2, w: 3, x: 4, header, theta, perr, lb: perr + p, ub: perr + 2 * p };
}

/** The robust losses the WASM engine runs, by their code in `assembly/batch-eval.ts`. */
export const WASM_LOSS_CODE: Readonly<Record<string, number>> = Object.freeze({ linear: 0, soft_l1: 1, huber: 2, cauchy: 3, arctan: 4 });

/** What the engine needs from the wasm modules (loaded lazily by `local-engine.ts`). */
export interface WasmEngineHost {
  /** A fresh wasm backend of its own. */
  readonly backend: WasmBackend;
  /** The model's generated functions bound to that backend's memory. */
  readonly model: ModelExports;
  /** The model's program (its descriptor layout). */
  readonly program: Program;
}

/** What the WASM engine tells of the first fit of its last run beyond the batch's row (`lastFit`). */
export interface WasmFitDetail {
  /** Termination reason, as `lm.ts` ends. */
  readonly status: SolverStatus;
  /** Its message, as `lm.ts` builds it (no caller or fit prefix). */
  readonly message: string;
  /** The (p+1)² triangle [R z; 0 ρ] at the solution, row-major (`lm.ts`'s `outcome.T`). */
  readonly T: Float64Array;
  /** Whether the run ended on an accepted step (then `lm.ts` counts no Jacobian and reports no iteration after it). */
  readonly endedOnAcceptedStep: boolean;
}

/** The WASM engine: a {@link BatchEngine} that also tells the detail of its last run's first fit. */
export interface WasmEngine extends BatchEngine {
  /**
   * The first fit of the last run, when it started and was solved: its termination, its final
   * linearization and how it ended (for `curveFit`'s single-fit fast path, `fast-fit.ts`); null
   * when it could not start.
   */
  lastFit(): WasmFitDetail | null;
  /**
   * The weighted residuals r_i = w_i(f(x_i; θ) − y_i) of the first fit of the last run at θ (the
   * model's P parameters) into `out` (that fit's n points): the model's generated `resid` on the
   * points the run staged — the same code, on the same values, as the model's wasm kernel on
   * the fit's data, without staging them again (the single-fit fast path's `fun`).
   */
  residualsOfFirst(theta: Float64Array, out: Float64Array): void;
}

/**
 * Create the WASM engine for a batch the engine covers (`wasmEngineGap` returned null).
 *
 * @param problem - the validated batch.
 * @param host - the backend and the model's functions in its memory.
 * @returns the engine (lm or trf, as `settings.solver.method`); `run(from, to, out)` fits a range inside WebAssembly.
 * @throws NlsqRangeError when wasm memory cannot hold the engine's resident data;
 *   BackendUnavailableError when the kernel module does not match this file.
 */
export function createWasmEngine(problem: BatchProblem, host: WasmEngineHost): WasmEngine {
  const { data, params, settings, caller } = problem;
  const { exports, heap } = host.backend.modelHost() as { exports: Readonly<Record<string, unknown>>; heap: WasmHeap };
  const kx = exports as unknown as KernelExports;
  const p = params.free.length;
  const P = params.p;
  const k = data.k;
  const trf = settings.solver.method !== 'lm'; // trf or dogbox: trfBatch's trust-region loop
  const L: LmRecordLayout | TrfRecordLayout = trf ? trfRecordLayout(p, P, k) : lmRecordLayout(p, P, k);
  const kernelStride = trf ? kx.trfRecordDoubles(p, P, k) : kx.lmRecordDoubles(p, P, k);
  if (kernelStride !== L.stride) throw new BackendUnavailableError(`${caller}: the WASM engine's record layout disagrees with the kernel module (${kernelStride} ≠ ${L.stride} doubles)`);
  const { solver } = settings;
  const hasW = data.resident !== undefined ? data.resident.w !== null : data.sigma !== null;
  const lossCode = settings.loss === null ? 0 : WASM_LOSS_CODE[settings.lossName]!;
  const shared = data.x.kind === 'shared';
  const table = kx.table;
  const colsIndex = table.grow(1);
  table.set(colsIndex, host.model.cols as unknown as WebAssembly.ExportValue);

  const owned: Allocation[] = [];
  const alloc = (bytes: number): Allocation => {
    const a = heap.allocate(Math.max(bytes, 8), caller);
    owned.push(a);
    return a;
  };
  const work = alloc(trf ? kx.trfWorkBytes(p, P, k) : kx.lmWorkBytes(p, P, k));
  // The model's descriptor opens the work area; the f64x2 module reads its exp table after it.
  writeExpTable(heap.memory, work.ptr + expTableOffset(host.program));
  const freeAt = alloc(4 * p);
  new Int32Array(heap.memory.buffer, freeAt.ptr, p).set(params.free);
  const xScale = solver.xScale === 'jac' ? null : alloc(8 * p);
  if (xScale !== null) heap.f64().set(solver.xScale as Float64Array, xScale.ptr / 8);
  const sharedX: number[] = [];
  if (data.x.kind === 'shared') {
    const n = data.maxPoints;
    for (const column of data.x.columns) {
      const a = alloc(8 * n);
      heap.f64().set(column.subarray(0, n), a.ptr / 8);
      sharedX.push(a.ptr);
    }
  }

  // Resident data (the starts of a multi-start search): every fit reads the same y and w, staged once.
  const resident = data.resident;
  let residentY = 0;
  let residentW = 0;
  if (resident !== undefined) {
    residentY = alloc(8 * resident.y.length).ptr;
    heap.f64().set(resident.y, residentY / 8);
    if (resident.w !== null) {
      residentW = alloc(8 * resident.w.length).ptr;
      heap.f64().set(resident.w, residentW / 8);
    }
  }

  // The staging area, grown to the largest run: records, then y, w and per-fit x columns.
  let records: Allocation | null = null;
  let points: Allocation | null = null;
  let fitCap = 0;
  let pointCap = 0;
  let columns: DataColumns | null = null;
  let yPtr = 0;
  let wPtr = 0;
  let xPtr: number[] = shared ? sharedX : [];
  const ensure = (fits: number, n: number): void => {
    if (fits > fitCap) {
      if (records !== null) heap.release(records);
      fitCap = Math.max(fits, 2 * fitCap);
      records = heap.allocate(8 * fitCap * L.stride, caller);
      columns = null;
    }
    if (n > pointCap) {
      if (points !== null) heap.release(points);
      pointCap = Math.max(n, 2 * pointCap, 64);
      const perPoint = 1 + (hasW ? 1 : 0) + (shared ? 0 : k);
      points = heap.allocate(8 * perPoint * pointCap, caller);
      yPtr = points.ptr;
      wPtr = hasW ? yPtr + 8 * pointCap : 0;
      const x0 = yPtr + 8 * pointCap * (hasW ? 2 : 1);
      xPtr = shared ? sharedX : Array.from({ length: k }, (_, v) => x0 + 8 * pointCap * v);
      columns = null;
    }
  };
  const viewColumns = (): DataColumns => {
    if (resident !== undefined) return resident;
    const buffer = heap.memory.buffer;
    if (columns === null || columns.y.buffer !== buffer) {
      columns = {
        x: data.x.kind === 'shared' ? data.x.columns : xPtr.map((ptr) => new Float64Array(buffer, ptr, pointCap)),
        y: new Float64Array(buffer, yPtr, pointCap),
        w: hasW ? new Float64Array(buffer, wPtr, pointCap) : null,
      };
    }
    return columns;
  };

  const full = new Float64Array(P);
  const x0 = new Float64Array(p);
  const lb = new Float64Array(p);
  const ub = new Float64Array(p);
  let readyFlags = new Uint8Array(0);
  const maxNfev = Math.min(solver.maxNfev, 0x7fffffff); // an i32 in wasm

  const fail = (out: BatchOutput, i: number, message: string): void => {
    out.status[i] = STATUS_CODE['improper-input'];
    out.messages.set(i, `${caller}: fit ${i}: ${message}`);
  };

  /** The status and message `lm` ends with, from a solved record's header (as `lm.ts` builds them). */
  const termination = (mem: Float64Array, rec: number): { status: SolverStatus; message: string } => {
    const h = rec + L.header;
    const info = mem[h + H.info]!;
    return info === 9
      ? nonFiniteTermination(mem[h + H.nfev]!, solver, {
          count: mem[h + H.nfCount]!,
          what: mem[h + H.nfWhat] === 2 ? 'Jacobian' : 'residuals',
          cost: mem[h + H.nfCost]!,
          x: mem.slice(rec + (L as LmRecordLayout).nonFiniteX, rec + (L as LmRecordLayout).nonFiniteX + p),
        })
      : lmTermination(info, { actred: mem[h + H.actred]!, prered: mem[h + H.prered]!, ratio: mem[h + H.ratio]!, delta: mem[h + H.delta]!, xnorm: mem[h + H.xnorm]!, gnorm: mem[h + H.gnorm]!, nfev: mem[h + H.lastNfev]! }, solver);
  };

  /** Copy a solved record's row into the output (popt, perr of the free parameters, the counts); returns its status. */
  const copyRow = (out: BatchOutput, i: number, mem: Float64Array, rec: number, at: { readonly status: number; readonly cost: number; readonly chi2: number; readonly nfev: number; readonly nit: number }): number => {
    const h = rec + L.header;
    const row = i * out.P;
    for (let j = 0; j < P; j++) {
      out.popt[row + j] = mem[rec + L.theta + j]!;
      out.perr[row + j] = 0;
    }
    for (let j = 0; j < p; j++) out.perr[row + params.free[j]!] = mem[rec + L.perr + j]!;
    const status = mem[h + at.status]!;
    out.status[i] = status;
    out.cost[i] = mem[h + at.cost]!;
    out.chiSquare[i] = mem[h + at.chi2]!;
    out.nfev[i] = mem[h + at.nfev]!;
    out.nit[i] = mem[h + at.nit]!;
    return status;
  };

  /**
   * A fit whose start was not finite: the message the solver throws there
   * (`checkInitialEvaluation`, from the start's cost — 0 when no cost was formed — and its n points).
   */
  const failStart = (out: BatchOutput, i: number, mem: Float64Array, rec: number, cost: number, n: number): void => {
    for (let j = 0; j < p; j++) x0[j] = mem[rec + L.theta + params.free[j]!]!;
    try {
      checkInitialEvaluation({ cost, m: n, T: null }, x0, p, caller);
    } catch (error) {
      fail(out, i, (error as Error).message.replace(`${caller}: `, ''));
    }
  };

  const collect = (out: BatchOutput, i: number, mem: Float64Array, rec: number): void => {
    const h = rec + L.header;
    const info = mem[h + H.info]!;
    const n = mem[rec + L.n]!;
    if (info < 0) return failStart(out, i, mem, rec, info === -2 ? mem[h + H.cost]! : 0, n); // the message `lm` throws there
    const status = copyRow(out, i, mem, rec, H);
    if (status > 0) return;
    out.messages.set(i, `${caller}: fit ${i}: ${termination(mem, rec).message}`);
  };

  const collectTrf = (out: BatchOutput, i: number, mem: Float64Array, rec: number): void => {
    const h = rec + L.header;
    const info = mem[h + TH.info]!;
    const n = mem[rec + L.n]!;
    if (info === -2 || info === -3) return failStart(out, i, mem, rec, info === -2 ? mem[h + TH.cost]! : 0, n); // the message `trf` throws there
    if (info === -4) return fail(out, i, 'intersectTrustRegion: s must be a nonzero direction, got the zero vector');
    if (info === -5) return fail(out, i, `intersectTrustRegion: x must lie within the trust region of radius ${mem[h + TH.errA]}, got ‖x‖² − Δ² = ${mem[h + TH.errB]}`);
    const status = copyRow(out, i, mem, rec, TH);
    if (status === 0) out.messages.set(i, `${caller}: fit ${i}: ${maxNfevMessage(out.nfev[i]!, solver.maxNfev)}`);
  };

  // The output of residualsOfFirst (grown on demand), and a u32 view for the descriptor's column addresses.
  let residOut: Allocation | null = null;
  let u32: Uint32Array = new Uint32Array(0);

  // Kept for r.get(i) after the run — the same kernel and fold — while its memory is at most the
  // wasm pool's limit (wasm memory never shrinks); beyond it get(i) runs on the CPU backend.
  let kept: WasmBackend | undefined = host.backend;
  const cc = (p + 1) * (p + 1);
  return {
    lastFit(): WasmFitDetail | null {
      if (trf || records === null || readyFlags[0] !== 1) return null;
      const mem = heap.f64();
      const rec = records.ptr / 8;
      const h = rec + L.header;
      if (mem[h + H.info]! < 0) return null;
      const at = kx.lmLinearizationAt(work.ptr, p, P, k) / 8;
      // Ended on an accepted step: no 'iteration' report (nor, for lm.ts, Jacobian count) after it.
      const endedOnAcceptedStep = mem[h + H.info] !== 4 && mem[h + H.nfCount] === 0 && mem[h + H.ratio]! >= 1e-4;
      const { status, message } = termination(mem, rec);
      return { status, message, T: mem.slice(at, at + cc), endedOnAcceptedStep };
    },
    residualsOfFirst(theta: Float64Array, out: Float64Array): void {
      const n = out.length;
      if (records === null || readyFlags[0] !== 1 || resident !== undefined) throw new BackendUnavailableError(`${caller}: the WASM engine has no staged first fit to evaluate`);
      if (residOut === null || residOut.bytes < 8 * n) {
        if (residOut !== null) heap.release(residOut);
        residOut = heap.allocate(8 * Math.max(n, 64), caller);
      }
      // The descriptor opens the work area (θ, then the k + 2 column addresses: x…, y, w) —
      // where lmBatch's evaluations write theirs, with the f64x2 module's exp table after it.
      const desc = work.ptr;
      const mem = heap.f64(); // resid allocates nothing: this view stays attached through the call
      for (let j = 0; j < P; j++) mem[desc / 8 + j] = theta[j]!;
      if (u32.buffer !== mem.buffer) u32 = new Uint32Array(mem.buffer);
      const cols = (desc + 8 * P) / 4;
      for (let v = 0; v < k; v++) u32[cols + v] = xPtr[v]!; // fit 0 of the run starts at point 0 (per-fit x) or reads the shared x
      u32[cols + k] = yPtr;
      u32[cols + k + 1] = hasW ? wPtr : 0;
      host.model.resid(desc, n, residOut.ptr, 8, hasW ? 1 : 0);
      out.set(mem.subarray(residOut.ptr / 8, residOut.ptr / 8 + n));
    },
    name: 'wasm',
    get backend() {
      return kept;
    },
    reason: trf
      ? `the WASM engine: the whole ${settings.solver.method} loop (model columns, ${settings.loss === null ? '' : `${settings.lossName} loss, `}QR fold, ${settings.solver.method === 'trf' ? 'SVD trust-region step' : 'dogleg step in the box'} with bounds, tests, standard errors) inside WebAssembly`
      : 'the WASM engine: the whole lm loop (model columns, QR fold, MINPACK step, tests, standard errors) inside WebAssembly',
    run(from, to, out) {
      const count = to - from;
      if (count <= 0) return;
      ensure(count, resident !== undefined ? 0 : data.offsets[to]! - data.offsets[from]!);
      const cols = viewColumns();
      if (readyFlags.length < count) readyFlags = new Uint8Array(fitCap);
      let mem = heap.f64();
      let at = 0;
      const base = records!.ptr / 8;
      for (let i = from; i < to; i++) {
        const rec = base + (i - from) * L.stride;
        const { n } = fitRange(data, i);
        const why = fitStart(problem, i, cols, full, x0, lb, ub, at);
        mem = heap.f64(); // an estimator (p0 'auto') runs user code, but never allocates in this heap
        readyFlags[i - from] = why === null ? 1 : 0;
        mem[rec + L.ready] = why === null ? 1 : 0;
        if (why !== null) {
          fail(out, i, why);
          if (resident === undefined) at += n;
          continue;
        }
        mem[rec + L.n] = n;
        if (resident !== undefined) {
          mem[rec + L.y] = residentY;
          mem[rec + L.w] = residentW;
        } else {
          mem[rec + L.y] = yPtr + 8 * at;
          mem[rec + L.w] = hasW ? wPtr + 8 * at : 0;
        }
        for (let v = 0; v < k; v++) mem[rec + L.x + v] = shared ? xPtr[v]! : xPtr[v]! + 8 * at;
        mem.set(full, rec + L.theta);
        if ('lb' in L) {
          mem.set(lb, rec + L.lb);
          mem.set(ub, rec + L.ub);
        }
        if (resident === undefined) at += n;
      }
      const xs = xScale === null ? 0 : xScale.ptr;
      const abs = problem.absoluteSigma ? 1 : 0;
      if (trf) kx.trfBatch(records!.ptr, count, p, P, k, hasW ? 1 : 0, freeAt.ptr, colsIndex, work.ptr, solver.ftol, solver.xtol, solver.gtol, maxNfev, xs, abs, lossCode, settings.fScale, settings.solver.method === 'dogbox' ? 1 : 0);
      else kx.lmBatch(records!.ptr, count, p, P, k, hasW ? 1 : 0, freeAt.ptr, colsIndex, work.ptr, solver.ftol, solver.xtol, solver.gtol, maxNfev, xs, abs);
      mem = heap.f64();
      for (let i = from; i < to; i++) if (readyFlags[i - from] === 1) (trf ? collectTrf : collect)(out, i, mem, base + (i - from) * L.stride);
    },
    dispose() {
      for (const a of owned) heap.release(a);
      owned.length = 0;
      if (records !== null) heap.release(records);
      if (points !== null) heap.release(points);
      if (residOut !== null) heap.release(residOut);
      records = null;
      points = null;
      residOut = null;
      table.set(colsIndex, null);
      if (heap.memory.buffer.byteLength > POOL_MEMORY_LIMIT) kept = undefined;
    },
  };
}
