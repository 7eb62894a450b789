/**
 * The Backend interface: every operation whose cost grows with the number of points.
 *
 * The optimizer never touches N-sized data itself. A fit walks its data in *blocks* of
 * augmented rows `[J_i | r_i]` (row-major, `cols = p + 1` columns: the p Jacobian entries of
 * residual i followed by the residual itself) and hands each block to the backend, which folds
 * it into a small upper-triangular factor `T` of size `cols × cols`:
 *
 * ```
 *   [ J  r ] = Q T,   T = [ R  z ]      R: p×p upper triangular, z = Qᵀr (first p entries),
 *                         [ 0  ρ ]      |ρ| = ‖r − J (RᵀR)⁻¹Jᵀr‖ (the linear least-squares residual)
 * ```
 *
 * so ‖r‖² = ‖z‖² + ρ², JᵀJ = RᵀR and Jᵀr = Rᵀz. Blocks may arrive in any order and any sizes:
 * the fold is Householder TSQR (Demmel, Grigori, Hoemmen, Langou, "Communication-optimal parallel
 * and sequential QR and LU factorizations", SIAM J. Sci. Comput. 34(1), 2012), so the result is the
 * R factor of the whole stacked matrix up to the signs of its rows. That is what makes the chunked
 * and streaming strategies exact, and why the trust-region step is taken from the p×p `R` and
 * never from an N×p SVD.
 *
 * A backend whose memory is a device (WebGPU) instead evaluates the model itself, next to the
 * data, through the optional {@link Backend.createModelEvaluator}: it returns the same T, formed
 * from the Gram matrix (`model-evaluator.ts`). The fit path decides by that capability alone, in
 * one place (`run/device-fit.ts`, `evaluatesOnDevice`).
 *
 * Triangles are stored row-major in a `Float64Array` of length `cols²`; entries below the
 * diagonal are zero and never read.
 *
 * ## Who calls which member (the fit paths)
 *
 * | member | called by |
 * |---|---|
 * | `createWorkspace`, `releaseWorkspace` | `evaluate/block-evaluator.ts` (one workspace per evaluator: the standard and chunked walks of `curveFit`/`fit`, the streaming passes and the streaming warm-up), `evaluate/vector-problem.ts` (`leastSquares`, `curveFit` with a 2-D sigma) |
 * | `foldRows` | `BlockEvaluator` on every Jacobian block, except where the model kernel folds the block itself (`ModelKernel.foldRows`: the wasm model kernel calls its own wasm backend's fold, bound at creation); `VectorProblem` on every Jacobian evaluation |
 * | `sumSquares` | the linear-loss cost: `BlockEvaluator` (cost-only blocks, and Jacobian blocks not folded by the kernel), `VectorProblem` |
 * | `createModelEvaluator` (optional) | `run/device-fit.ts` (`fitOnDevice`): `curveFit` and the standard and chunked strategies of `fit`, whenever the backend has the member; streaming passes cannot keep data on a device, so `run/plan-fit.ts` (`hostBackendFor`) swaps such a backend for an f64 host backend |
 * | `createBatchSolver` (optional) | `batch/device-engine.ts`: `fitBatch` runs its fits on the device when the backend has the member |
| `mergeTriangles` | no fit path (see below) |
 * | `gram` | no fit path (see below) |
 * | `dot`, `maxAbs` | no fit path (see below) |
 *
 * Covariance and the statistics call no member: the covariance comes from the solver's p×p
 * triangle (`stats/covariance.ts`, `linalg/`), and the goodness-of-fit sums run on the host.
 *
 * Members without a caller in any fit path are kept (the design card keeps matmul — `gram` —,
 * QR — `foldRows`, `mergeTriangles` — and the reductions as the interface's vocabulary), are
 * covered by the conformance suite (`test/backends/conformance.test.ts`) on every backend, and
 * are there for these uses:
 * - `mergeTriangles` is the TSQR merge step of a *parallel* walk (per-worker or per-device
 *   triangles combined at the end). Every walk today folds its blocks in sequence into one T, so
 *   nothing merges; a parallel chunk walk would call it.
 * - `gram` is the SQL / device form of the fold (JᵀJ, Jᵀr, rᵀr in one pass, as a database
 *   aggregate or a GPU reduction computes them). The WebGPU evaluator forms exactly these sums on
 *   the device in f32 (`webgpu/gram-partials.wgsl.ts`, combined in `webgpu/gram-combine.ts`), and
 *   `fitSql` has the database aggregate them (`sql/gram-query.ts`); both factor G by the one
 *   semidefinite Cholesky in `linalg/gram-triangle.ts`. The host walks fold by QR instead, which
 *   does not square κ(J). A source that fetched rows to fold them by Gram on the host would call it.
 * - `dot` and `maxAbs` are reductions for N-sized vectors; the solvers' norms are p-sized and
 *   stay in `optim/`. The statistics (`result/statistics.ts` from resident arrays,
 *   `streaming/streaming-statistics.ts` per streamed chunk) are deliberately not wired to
 *   `sumSquares`/`dot`: they form χ², RSS, TSS and Σ|e| in one fused pass with compensated sums
 *   (blocked Neumaier; Welford for the streamed TSS), which four pairwise reductions would neither
 *   reproduce bit for bit nor do in one pass, and the streamed accumulator holds no backend.
 *   Moving them onto the backend needs a fused, compensated multi-sum member added together with
 *   a change to those two files; it is left open (issue 12, item 5).
 *
 * ## Where a member runs
 *
 * {@link BackendInfo.hostDelegated} lists the members a backend forwards to the f64 CPU kernels
 * on the host instead of running them itself. The WebGPU backend lists all of them: only
 * `createModelEvaluator` runs on its device, and {@link BackendInfo.precision} (`'f32'`) describes
 * that member; the delegated members are exact f64, like the CPU backend's.
 *
 * @module
 */
import type { BatchSolverRequest, DeviceBatchSolver } from './batch-solver.ts';
import type { DeviceModelEvaluator, ModelEvaluatorRequest } from './model-evaluator.ts';

/** Storage and arithmetic precision of a backend's N-sized work. */
export type Precision = 'f64' | 'f32';

/** Which implementation family a backend belongs to. */
export type BackendFamily = 'cpu' | 'wasm' | 'webgpu';

/** The members of {@link Backend} that work on blocks and arrays (what a backend may delegate to the host). */
export type BlockMember = 'createWorkspace' | 'releaseWorkspace' | 'foldRows' | 'mergeTriangles' | 'gram' | 'sumSquares' | 'dot' | 'maxAbs';

/** Every {@link BlockMember}, in the interface's order. */
export const BLOCK_MEMBERS: readonly BlockMember[] = Object.freeze(['createWorkspace', 'releaseWorkspace', 'foldRows', 'mergeTriangles', 'gram', 'sumSquares', 'dot', 'maxAbs']);

/**
 * What a backend is and can do; the workflow selector weighs these.
 */
export interface BackendInfo {
  /** Registry name, e.g. `'cpu'`, `'wasm-simd'`, `'wasm-scalar'`, `'webgpu'`. */
  readonly name: string;
  /** Implementation family. */
  readonly family: BackendFamily;
  /**
   * Precision of the N-sized arithmetic the backend runs itself: with `createModelEvaluator`,
   * that device evaluation (host-side combination is always f64); the members listed in
   * {@link BackendInfo.hostDelegated} are f64 whatever this says.
   */
  readonly precision: Precision;
  /** Machine epsilon of {@link BackendInfo.precision}: 2⁻⁵² for f64, 2⁻²³ for f32. Test tolerances derive from it. */
  readonly epsilon: number;
  /** True when every operation completes synchronously (usable from `curveFitSync`). */
  readonly synchronous: boolean;
  /** Largest single buffer the backend can allocate, in bytes. */
  readonly maxBufferBytes: number;
  /** Total memory the backend can address, in bytes (wasm32: 4 GiB; JS: host memory). */
  readonly memoryBytes: number;
  /**
   * Relative throughput class used by the automatic selector: higher is faster for large N.
   * cpu = 1, wasm-scalar = 1.5, wasm-simd = 2, hardware webgpu = 4.
   */
  readonly speedClass: number;
  /** True for a software-emulated device (e.g. a fallback GPU adapter): never chosen automatically. */
  readonly software: boolean;
  /** True when the backend can evaluate JS closure models (false on WebGPU: expression models only). */
  readonly runsClosures: boolean;
  /**
   * The block members this backend does not run itself but forwards, unchanged, to the f64 CPU
   * kernels on the host (results bit-identical to the CPU backend's). Absent or empty: every
   * member is the backend's own. WebGPU: all of {@link BLOCK_MEMBERS}.
   */
  readonly hostDelegated?: readonly BlockMember[];
}

/**
 * A row-major block buffer of `capacity` rows × `cols` columns owned by a backend.
 *
 * For backends with their own memory (wasm) the array is a view that a later allocation may
 * detach: always call {@link Workspace.data} again after allocating, never keep the array.
 */
export interface Workspace {
  /** Columns per row (p + 1 for augmented Jacobian rows). */
  readonly cols: number;
  /** Number of rows the buffer holds. */
  readonly capacity: number;
  /** The current view on the buffer (length `capacity · cols`). */
  data(): Float64Array;
}

/**
 * The operations every backend provides. The optimizer and the three strategies depend on
 * this interface only (the module documentation says which path calls which member).
 *
 * Precision contract shared by all members unless stated: inputs and outputs are f64 on the host;
 * an f64 backend computes in f64 with backward-stable algorithms (relative error O(cols·ε) for
 * folds and O(ε·log n) for pairwise reductions); an f32 backend documents its own split.
 */
export interface Backend {
  /** What this backend is. */
  readonly info: BackendInfo;

  /**
   * Allocate a block buffer of `capacity` rows × `cols` columns, zero-filled.
   * @throws NlsqRangeError (argument `capacity`) when it exceeds {@link BackendInfo.maxBufferBytes}.
   */
  createWorkspace(capacity: number, cols: number): Workspace;

  /** Release a workspace (a no-op where memory is garbage-collected). */
  releaseWorkspace(ws: Workspace): void;

  /**
   * Fold `rows` augmented rows of `ws` (starting at row 0) into the triangle `T` (cols × cols,
   * row-major) by Householder reflections: afterwards `T` is the R factor of `[T_old; A]`.
   * The rows of `ws` are overwritten (they hold the Householder vectors afterwards).
   *
   * Precision: backward stable; ‖T_newᵀT_new − (T_oldᵀT_old + AᵀA)‖ ≤ c·cols·ε·‖A‖².
   */
  foldRows(T: Float64Array, ws: Workspace, rows: number): void;

  /**
   * Fold the triangle `S` into the triangle `T` (both cols × cols): the TSQR merge step,
   * used to combine per-chunk or per-device partial factors. `S` is overwritten.
   */
  mergeTriangles(T: Float64Array, S: Float64Array, cols: number): void;

  /**
   * Accumulate the Gram matrix of the first `rows` rows of `ws`: `G += AᵀA` (upper triangle of
   * the cols × cols row-major `G`; the lower triangle is not touched). With augmented rows this
   * gives JᵀJ, Jᵀr and rᵀr in one pass.
   *
   * Precision: each entry accumulated in f64 by blocked pairwise summation.
   */
  gram(G: Float64Array, ws: Workspace, rows: number): void;

  /**
   * Σ a[offset + i·stride]², i = 0..n−1, by pairwise summation (relative error O(ε log n)).
   */
  sumSquares(a: Float64Array, offset: number, n: number, stride?: number): number;

  /** Σ a[offset + i] · b[offset + i], i = 0..n−1, by pairwise summation. */
  dot(a: Float64Array, b: Float64Array, offset: number, n: number): number;

  /** max |a[offset + i]|, i = 0..n−1 (exact); NaN if any entry is NaN. */
  maxAbs(a: Float64Array, offset: number, n: number): number;

  /**
   * Optional capability: evaluate an expression model on the backend's device. Upload the data
   * once and compile the model's IR; the evaluator then returns, per θ, the cost and the augmented
   * triangle T with everything N-sized kept on the device (contract and precision in
   * `model-evaluator.ts`). A backend that has it is fitted through it (`run/device-fit.ts`); the
   * host backends (cpu, wasm) leave it undefined and are fitted by the block walk.
   *
   * Precision: that of {@link BackendInfo.precision} on the device (WebGPU: f32 storage and
   * accumulation of per-workgroup partial sums), f64 for the host combination and factorization;
   * Gram entries within ~10⁻⁵ relative to √(G_aa·G_bb), R's relative error ~ε·κ(J)².
   *
   * @param request - the model's IR, the data, the loss and its scale.
   * @returns the evaluator; call `destroy()` when the fit is done.
   * @throws NlsqRangeError for mismatched data, an unknown loss or a bad `fScale`; an `NlsqError`
   *   when the device cannot compile the model or allocate the data.
   */
  createModelEvaluator?(request: ModelEvaluatorRequest): Promise<DeviceModelEvaluator>;

  /**
   * Optional capability: run many small fits of one expression model wholly on the backend's
   * device — one workgroup per fit, every Levenberg–Marquardt iteration on the device, the
   * answers read back once (contract in `batch-solver.ts`). `fitBatch` uses it when the backend
   * has it (`batch/device-engine.ts`) and polishes the answers on the f64 host engine.
   *
   * Precision: {@link BackendInfo.precision} (WebGPU: f32 throughout the loop).
   *
   * @param request - the model's IR, the free parameters, shared x, tolerances and limits.
   * @returns the solver; call `destroy()` when the batch is done.
   * @throws NlsqRangeError for a malformed request; an `NlsqError` when the device cannot compile it.
   */
  createBatchSolver?(request: BatchSolverRequest): Promise<DeviceBatchSolver>;
}

