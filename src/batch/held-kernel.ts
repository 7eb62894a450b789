/**
 * A kernel over the free parameters of another kernel, the others held at values set per fit:
 * `fitBatch`'s `vary` mask (Gpufit's `parameters_to_fit`). For θ_free it evaluates the wrapped
 * kernel at θ = (θ_free in the free positions, the held values elsewhere) and keeps the free
 * columns of the Jacobian rows, so the solver sees a problem in p_free parameters:
 *
 * ```
 *   r_i(θ_free) = r_i(θ),   ∂r_i/∂θ_free,j = ∂r_i/∂θ_free(j)
 * ```
 *
 * which is what fixing a parameter means (lmfit's `vary=False`, SciPy's fit of a wrapper). The
 * held values change between fits without recompiling anything (`setHeld`); the rows are
 * computed into a scratch block the size of one block of the data walk, allocated once.
 *
 * @module
 */
import type { DataColumns, ModelKernel } from '../model/model-kernel.ts';

/** A {@link ModelKernel} over the free parameters whose held values can be set per fit. */
export interface HeldKernel extends ModelKernel {
  /** Set θ (every parameter, length p of the wrapped kernel); the free entries are ignored. */
  setHeld(theta: ArrayLike<number>): void;
}

/**
 * Wrap `kernel` so that only the parameters at `free` vary.
 *
 * @param kernel - the full kernel (p parameters).
 * @param free - the positions of the free parameters, increasing, at least one.
 * @returns the kernel over the free parameters (p_free = free.length).
 * @example
 * ```ts
 * const k = heldKernel(model('a*x + b').createKernel(), Int32Array.of(0)); // b held
 * k.setHeld([0, 2.5]);
 * ```
 */
export function heldKernel(kernel: ModelKernel, free: Int32Array): HeldKernel {
  const p = kernel.nParams;
  const f = free.length;
  const theta = new Float64Array(p);
  let scratch = new Float64Array(0);
  const expand = (t: Float64Array): Float64Array => {
    for (let j = 0; j < f; j++) theta[free[j]!] = t[j]!;
    return theta;
  };
  const out: HeldKernel = {
    nParams: f,
    nVariables: kernel.nVariables,
    analyticJacobian: kernel.analyticJacobian,
    setHeld(values) {
      for (let j = 0; j < p; j++) theta[j] = values[j]!;
    },
    residuals(t, data, start, n, o, outOffset, outStride) {
      kernel.residuals(expand(t), data, start, n, o, outOffset, outStride);
    },
  };
  if (kernel.residualRows !== undefined) {
    const rowsOf = kernel.residualRows.bind(kernel);
    out.residualRows = (t: Float64Array, data: DataColumns, start: number, n: number, o: Float64Array, outOffset: number) => {
      const c = p + 1;
      if (scratch.length < n * c) scratch = new Float64Array(n * c);
      rowsOf(expand(t), data, start, n, scratch, 0);
      for (let i = 0, q = outOffset, s = 0; i < n; i++, q += f + 1, s += c) {
        for (let j = 0; j < f; j++) o[q + j] = scratch[s + free[j]!]!;
        o[q + f] = scratch[s + p]!;
      }
    };
  }
  return out;
}
