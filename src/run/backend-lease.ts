/**
 * The one way a run holds backends: a lease that acquires resolved backends, keeps the things
 * built on them (problems, model kernels), and — however the run ends, returned or thrown — frees
 * them all in reverse order: every held thing disposed, then every backend released.
 *
 * ```
 *   withLease(async (lease) => {
 *     const backend = await lease.backend(() => resolveBackend(...));   // released last
 *     const kernel  = lease.hold(await kernelForBackend(...));          // disposed second
 *     const problem = lease.hold(createCurveFitProblem(...));           // disposed first
 *     return solve...;
 *   });
 * ```
 *
 * Releasing is what returns an idle wasm instance to its pool (`backends/wasm/wasm-pool.ts`) and
 * destroys a WebGPU device the registry created; disposing is what frees a problem's wasm
 * workspaces and a kernel's resident data, without which the instance is never idle and never
 * pooled. Every run path (curveFit, curveFitSync, leastSquares, leastSquaresSync, fit from arrays
 * or a source, the WebGPU polish) goes through here, in the synchronous or asynchronous form.
 *
 * This is Python's `contextlib.ExitStack` (and C#'s `using`) applied to backends: the cleanups
 * run last-in first-out, and a cleanup that throws neither hides the run's own error nor stops
 * the cleanups after it.
 *
 * @module
 */
import type { ResolvedBackend } from '../backends/registry.ts';

/** Something a run builds on a backend and must free before the backend is released. */
export interface Disposable {
  /** Free what it holds on its backend; called once, when the lease ends. */
  dispose?(): void;
}

/** The backends and built things one run holds, all freed when {@link withLease} ends. */
export interface BackendLease {
  /**
   * Acquire a backend for the rest of the run; it is released when the lease ends (after every
   * thing held after it is disposed). A caller's own instance comes without `release` and is
   * left as it is.
   * @param acquire - resolves the backend (e.g. `resolveBackend(...)`).
   * @returns the resolved backend.
   */
  backend(acquire: () => Promise<ResolvedBackend>): Promise<ResolvedBackend>;
  /** {@link BackendLease.backend} for a synchronous resolution (`resolveBackendSync`). */
  backendSync(acquire: () => ResolvedBackend): ResolvedBackend;
  /**
   * Keep `thing` until the lease ends, then call its `dispose` (before the backends acquired
   * earlier are released).
   * @param thing - a problem, a model kernel, anything with an optional `dispose`.
   * @returns `thing`, so that building and holding read as one expression.
   */
  hold<T extends Disposable>(thing: T): T;
}

/** The cleanups of one lease, in acquisition order. */
class Lease implements BackendLease {
  private readonly cleanups: (() => void)[] = [];

  async backend(acquire: () => Promise<ResolvedBackend>): Promise<ResolvedBackend> {
    return this.keep(await acquire());
  }

  backendSync(acquire: () => ResolvedBackend): ResolvedBackend {
    return this.keep(acquire());
  }

  hold<T extends Disposable>(thing: T): T {
    this.cleanups.push(() => thing.dispose?.());
    return thing;
  }

  private keep(resolved: ResolvedBackend): ResolvedBackend {
    this.cleanups.push(() => resolved.release?.());
    return resolved;
  }

  /**
   * Run every cleanup, last first. Each runs even when one before it threw; the first such
   * error is rethrown afterwards unless the run itself failed (its error is the one to report).
   */
  close(runFailed: boolean): void {
    let failure: { error: unknown } | null = null;
    while (this.cleanups.length > 0) {
      try {
        this.cleanups.pop()!();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== null && !runFailed) throw failure.error;
  }
}

/**
 * Run `run` with a fresh {@link BackendLease}; when its promise settles, dispose everything the
 * run held and release every backend it acquired (see the module documentation).
 *
 * @param run - the run; acquires backends and holds problems through the lease.
 * @returns what `run` returns.
 * @throws what `run` throws (a cleanup's error only when the run itself succeeded).
 */
export async function withLease<T>(run: (lease: BackendLease) => Promise<T>): Promise<T> {
  const lease = new Lease();
  let result: T;
  try {
    result = await run(lease);
  } catch (error) {
    lease.close(true);
    throw error;
  }
  lease.close(false);
  return result;
}

/** {@link withLease} for a synchronous run (`curveFitSync`, `leastSquaresSync`). */
export function withLeaseSync<T>(run: (lease: BackendLease) => T): T {
  const lease = new Lease();
  let result: T;
  try {
    result = run(lease);
  } catch (error) {
    lease.close(true);
    throw error;
  }
  lease.close(false);
  return result;
}

/**
 * Acquire one backend and run `run` on it, under a lease ({@link withLease}): the common case.
 *
 * @param acquire - resolves the backend.
 * @param run - the run, given the backend and the lease (to hold what it builds).
 * @returns what `run` returns.
 */
export function withBackend<T>(acquire: () => Promise<ResolvedBackend>, run: (backend: ResolvedBackend, lease: BackendLease) => Promise<T>): Promise<T> {
  return withLease(async (lease) => run(await lease.backend(acquire), lease));
}

/** {@link withBackend} in the synchronous form. */
export function withBackendSync<T>(acquire: () => ResolvedBackend, run: (backend: ResolvedBackend, lease: BackendLease) => T): T {
  return withLeaseSync((lease) => run(lease.backendSync(acquire), lease));
}
