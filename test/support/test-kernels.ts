/** Small ModelKernels for tests: a closure-style one (residuals only) and an analytic one. */
import type { DataColumns, ModelKernel } from '../../src/model/model-kernel.ts';

type Fn = (x: number, p: Float64Array) => number;
type Grad = (x: number, p: Float64Array, out: Float64Array) => void;

/** A kernel from a per-point function of one variable (and optionally its gradient). */
export function testKernel(nParams: number, f: Fn, grad?: Grad): ModelKernel {
  const g = new Float64Array(nParams);
  const kernel: ModelKernel = {
    nParams,
    nVariables: 1,
    analyticJacobian: grad !== undefined,
    residuals(theta, data: DataColumns, start, n, out, offset, stride) {
      const x = data.x[0]!;
      for (let i = 0; i < n; i++) {
        const k = start + i;
        const w = data.w === null ? 1 : data.w[k]!;
        out[offset + i * stride] = w * (f(x[k]!, theta) - data.y[k]!);
      }
    },
  };
  if (grad !== undefined) {
    (kernel as { residualRows?: ModelKernel['residualRows'] }).residualRows = (theta, data, start, n, out, offset) => {
      const x = data.x[0]!;
      const c = nParams + 1;
      for (let i = 0; i < n; i++) {
        const k = start + i;
        const w = data.w === null ? 1 : data.w[k]!;
        grad(x[k]!, theta, g);
        for (let j = 0; j < nParams; j++) out[offset + i * c + j] = w * g[j]!;
        out[offset + i * c + nParams] = w * (f(x[k]!, theta) - data.y[k]!);
      }
    };
  }
  return kernel;
}

/** a·exp(−b·x) + c with its gradient. */
export const expDecay = testKernel(
  3,
  (x, p) => p[0]! * Math.exp(-p[1]! * x) + p[2]!,
  (x, p, out) => {
    const e = Math.exp(-p[1]! * x);
    out[0] = e;
    out[1] = -p[0]! * x * e;
    out[2] = 1;
  },
);
