/**
 * The ResidualProblem adapter over a device model evaluator (`evaluate/device-problem.ts`), run
 * without a GPU: on a stub evaluator (what is forwarded) and on the f64 reference device backend
 * (a solver through the adapter reaches the host block walk's answer). The WebGPU evaluator itself
 * is tested in `test/backends/webgpu/webgpu-evaluator.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { DeviceEvaluation, DeviceModelEvaluator } from '../../src/backends/model-evaluator.ts';
import { curveFit } from '../../src/curve-fit.ts';
import { createDeviceProblem } from '../../src/evaluate/device-problem.ts';
import { lowerToProgram } from '../../src/model/lower.ts';
import { model } from '../../src/model/model.ts';
import { runSolverAsync } from '../../src/optim/driver.ts';
import { trf } from '../../src/optim/trf.ts';
import { createReferenceDeviceBackend } from '../backends/reference-device-backend.ts';

/** An evaluator that records its calls and returns a fresh object per call. */
function stubEvaluator(): DeviceModelEvaluator & { calls: { theta: number[]; jacobian: boolean }[]; destroyed: number; last: DeviceEvaluation | null } {
  const stub = {
    p: 2,
    m: 11,
    chunks: 3,
    calls: [] as { theta: number[]; jacobian: boolean }[],
    destroyed: 0,
    last: null as DeviceEvaluation | null,
    async evaluate(theta: Float64Array, jacobian: boolean): Promise<DeviceEvaluation> {
      stub.calls.push({ theta: [...theta], jacobian });
      stub.last = { m: 11, cost: theta[0]! + 2 * theta[1]!, T: jacobian ? Float64Array.of(1, 2, 3, 0, 4, 5, 0, 0, 6) : null };
      return stub.last;
    },
    destroy() {
      stub.destroyed++;
    },
  };
  return stub;
}

describe('createDeviceProblem (the ResidualProblem adapter)', () => {
  it('forwards the sizes and declares the Jacobian cheap (the device forms it in the same kernel)', () => {
    const problem = createDeviceProblem(stubEvaluator());
    expect({ p: problem.p, m: problem.m, chunks: problem.chunks, jacobianIsCheap: problem.jacobianIsCheap }).toEqual({ p: 2, m: 11, chunks: 3, jacobianIsCheap: true });
  });

  test.prop([fc.float64Array({ minLength: 2, maxLength: 2, noNaN: true }), fc.boolean()], { numRuns: 30 })(
    'returns the evaluator’s evaluation itself, for the same θ and request',
    async (theta, jacobian) => {
      const stub = stubEvaluator();
      const problem = createDeviceProblem(stub);
      const ev = await problem.evaluate(theta, jacobian);
      expect(ev).toBe(stub.last);
      expect(stub.calls).toEqual([{ theta: [...theta], jacobian }]);
    },
  );

  it('destroys the evaluator with the problem', () => {
    const stub = stubEvaluator();
    createDeviceProblem(stub).destroy();
    expect(stub.destroyed).toBe(1);
  });

  it('lets trf solve on a device evaluator: the answer of the f64 host block walk', async () => {
    const n = 1500;
    const x = Float64Array.from({ length: n }, (_, i) => (5 * i) / n);
    const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.02 * Math.sin(977 * i));
    const m = model('a*exp(-b*x) + c');
    const device = createReferenceDeviceBackend();
    const problem = createDeviceProblem(await device.createModelEvaluator({ program: lowerToProgram(m), data: { x: [x], y, w: null } }));
    const inf = Float64Array.of(Infinity, Infinity, Infinity);
    const out = await runSolverAsync(
      trf(problem, { method: 'trf', x0: Float64Array.of(1, 1, 0), lb: inf.map((v) => -v), ub: inf, ftol: 1e-12, xtol: 1e-12, gtol: 1e-12, maxNfev: 200, xScale: Float64Array.of(1, 1, 1), jacobianCostsNfev: 0 }),
      problem,
    );
    problem.destroy();
    const reference = await curveFit(m, x, y, { p0: [1, 1, 0], method: 'trf', ftol: 1e-12, xtol: 1e-12, gtol: 1e-12, backend: 'cpu' });
    out.x.forEach((v, j) => expect(Math.abs(v - reference.popt[j]!)).toBeLessThanOrEqual(1e-9 * Math.abs(reference.popt[j]!)));
    expect(Math.abs(out.cost - reference.cost)).toBeLessThanOrEqual(1e-9 * reference.cost);
  });
});
