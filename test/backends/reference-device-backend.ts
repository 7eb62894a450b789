/**
 * Test helper: a host-only backend that has the optional `createModelEvaluator` member — the CPU
 * backend's block members plus a reference model evaluator in f64. It lets the device-evaluation
 * contract and the fit path's capability dispatch run without a GPU.
 *
 * The evaluator is independent of the WebGPU one: it evaluates the IR with the test interpreter
 * (`webgpu/ir-reference.ts`), scales rows for the loss as SciPy's `scale_for_robust_loss_function`,
 * and folds them by Householder QR (`cpu.foldRows`) instead of forming and factoring the Gram
 * matrix; its family is `'cpu'`, so nothing can recognise it by family.
 */
import { BLOCK_MEMBERS, type Backend, type BackendInfo } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import type { DeviceEvaluation, DeviceModelEvaluator, ModelEvaluatorRequest } from '../../src/backends/model-evaluator.ts';
import { NlsqError, NlsqRangeError } from '../../src/errors.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import { evalProgram } from './webgpu/ir-reference.ts';

/** A backend with the device-evaluation capability, and a count of the evaluators it created. */
export interface ReferenceDeviceBackend extends Backend {
  createModelEvaluator(request: ModelEvaluatorRequest): Promise<DeviceModelEvaluator>;
  /** Evaluators created so far. */
  readonly created: number;
}

function referenceEvaluator(request: ModelEvaluatorRequest, host: Backend): DeviceModelEvaluator {
  const { program, data } = request;
  const p = program.params.length;
  const m = data.y.length;
  const c = p + 1;
  const loss = resolveLoss(request.loss ?? 'linear', request.fScale ?? 1);
  const rho = new Float64Array(3);
  const xs = new Float64Array(data.x.length);
  let destroyed = false;
  const run = (theta: Float64Array, jacobian: boolean): DeviceEvaluation => {
    if (!theta.every(Number.isFinite)) return { m, cost: Number.NaN, T: null };
    if (destroyed) throw new NlsqError('reference evaluator: destroyed', 'ERR_BACKEND_UNAVAILABLE', 'backend');
    if (theta.length !== p) throw new NlsqRangeError(`reference evaluator: theta must have length ${p}, got ${theta.length}`, 'theta', 'ERR_SHAPE');
    const ws = host.createWorkspace(m, c);
    const A = ws.data();
    let cost = 0;
    for (let i = 0; i < m; i++) {
      for (let v = 0; v < xs.length; v++) xs[v] = data.x[v]![i]!;
      const { f, grad } = evalProgram(program, theta, xs);
      const w = data.w === null ? 1 : data.w[i]!;
      const r = w * (f - data.y[i]!);
      let s = 1;
      let rs = r;
      if (loss === null) cost += 0.5 * r * r;
      else {
        loss.rho(r * r, rho);
        s = Math.sqrt(Math.max(rho[1]! + 2 * rho[2]! * r * r, 2 ** -52));
        rs = (rho[1]! / s) * r;
        cost += 0.5 * rho[0]!;
      }
      for (let j = 0; j < p; j++) A[i * c + j] = s * w * grad[j]!;
      A[i * c + p] = rs;
    }
    let T: Float64Array | null = null;
    if (jacobian && A.every(Number.isFinite)) {
      T = new Float64Array(c * c);
      host.foldRows(T, ws, m);
    }
    host.releaseWorkspace(ws);
    return { m, cost, T };
  };
  return {
    p,
    m,
    chunks: 1,
    evaluate: async (theta, jacobian) => run(Float64Array.from(theta), jacobian),
    destroy: () => {
      destroyed = true;
    },
  };
}

/**
 * Create the reference device backend.
 *
 * @param name - its registry name (default `'reference-device'`).
 * @param precision - what its `info.precision` claims (default `'f64'`, which it is).
 */
export function createReferenceDeviceBackend(name = 'reference-device', precision: BackendInfo['precision'] = 'f64'): ReferenceDeviceBackend {
  const host = createCpuBackend();
  let created = 0;
  const info: BackendInfo = Object.freeze({
    ...host.info,
    name,
    precision,
    epsilon: precision === 'f64' ? 2 ** -52 : 2 ** -23,
    synchronous: false,
    runsClosures: false,
    hostDelegated: BLOCK_MEMBERS,
  });
  return {
    info,
    get created() {
      return created;
    },
    createModelEvaluator: async (request) => {
      created++;
      return referenceEvaluator(request, host);
    },
    createWorkspace: (capacity, cols) => host.createWorkspace(capacity, cols),
    releaseWorkspace: (ws) => host.releaseWorkspace(ws),
    foldRows: (T, ws, rows) => host.foldRows(T, ws, rows),
    mergeTriangles: (T, S, cols) => host.mergeTriangles(T, S, cols),
    gram: (G, ws, rows) => host.gram(G, ws, rows),
    sumSquares: (a, offset, n, stride) => host.sumSquares(a, offset, n, stride),
    dot: (a, b, offset, n) => host.dot(a, b, offset, n),
    maxAbs: (a, offset, n) => host.maxAbs(a, offset, n),
  };
}
