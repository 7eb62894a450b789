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
 * Triangles are stored row-major in a `Float64Array` of length `cols²`; entries below the
 * diagonal are zero and never read.
 *
 * @module
 */

/** Storage and arithmetic precision of a backend's N-sized work. */
export type Precision = 'f64' | 'f32';

/** Which implementation family a backend belongs to. */
export type BackendFamily = 'cpu' | 'wasm' | 'webgpu';

/**
 * What a backend is and can do; the workflow selector weighs these.
 */
export interface BackendInfo {
  /** Registry name, e.g. `'cpu'`, `'wasm-simd'`, `'wasm-scalar'`, `'webgpu'`. */
  readonly name: string;
  /** Implementation family. */
  readonly family: BackendFamily;
  /** Precision of the N-sized arithmetic (host-side combination is always f64). */
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
 * this interface only.
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
}

