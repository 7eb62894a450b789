/**
 * The plain-TypeScript batch engine: the reference the other engines are tested against.
 *
 * Each fit runs exactly the path `curveFitSync` takes on the CPU backend — the same solver
 * generator (`createSolver`: MINPACK `lmder` for lm, SciPy's TRF/dogbox), the same driver
 * (`runSolverSync`), the same data walk (`BlockEvaluator`: the kernel's fused rows folded into the
 * (p+1)² triangle by Householder reflections, in blocks of `blockRowsFor(n)` rows) and the same
 * covariance recipe (`estimateCovariance`: lm's triangular inverse, trf's SVD pseudo-inverse,
 * scaled by s² = 2·cost/(n − p)) — so every fit agrees with `curveFit` on the same data to the
 * last bit, statuses and failures included.
 *
 * What it does not do is what a single fit pays for around that path: no backend lease, no
 * option resolution, no result object per fit. The evaluator, its block workspace, the data
 * buffers of one fit and the solver's options object are allocated once for the whole batch;
 * per fit the engine copies that fit's points (x when it is per fit, y, 1/σ) into the buffers,
 * sets the start and the bounds in place, and runs the solver. The solver generator itself still
 * allocates its small p-sized vectors per iteration (it is shared with `curveFit`).
 *
 * A fit that cannot start — fewer points than free parameters, non-finite data, a p0 outside
 * its bounds, an estimator that fails, non-finite residuals at p0 — gets status −1 and a message;
 * the other fits run.
 *
 * @module
 */
import type { Backend } from '../backends/backend.ts';
import { createCpuBackend } from '../backends/cpu/cpu-backend.ts';
import { NlsqError } from '../errors.ts';
import { BlockEvaluator } from '../evaluate/block-evaluator.ts';
import type { DataColumns } from '../model/model-kernel.ts';
import { createSolver, runSolverSync } from '../optim/driver.ts';
import { STATUS_CODE, type Evaluation, type ResidualProblem, type SolverOutcome } from '../optim/evaluation.ts';
import type { JacobianScheme } from '../optim/finite-difference.ts';
import type { SolverOptions } from '../optim/solver-options.ts';
import { expandParams } from '../result/named-params.ts';
import { estimateCovariance } from '../stats/covariance.ts';
import { blockRowsFor } from '../workflow/block-rows.ts';
import type { BatchEngine, BatchOutput, BatchProblem } from './batch-engine.ts';
import { fitStart } from './fit-start.ts';
import { fitRange } from './batch-data.ts';

/**
 * Create the CPU engine for a batch.
 *
 * @param problem - the validated batch.
 * @param how - `reason`: why this engine runs, for the plan; `backend`: the host backend that folds
 *   the rows (default: a plain-TypeScript CPU backend; the multi-start batch of
 *   `global/batch-starts.ts` passes the caller's leased host backend — WASM where it loads — and
 *   the kernel compiled for it, so its starts walk as `curveFit` would).
 * @returns the engine; `run(from, to, out)` fits a range.
 */
export function createCpuEngine(problem: BatchProblem, how: { readonly reason?: string; readonly backend?: Backend } = {}): BatchEngine {
  const reason = how.reason ?? 'the plain-TypeScript CPU engine (the reference)';
  const backend = how.backend ?? createCpuBackend();
  const { data, params, settings, caller } = problem;
  const { kernel, free, p } = params;
  const pf = free.length;
  const maxN = Math.max(1, data.maxPoints);
  const x0 = new Float64Array(pf);
  const lb = new Float64Array(pf);
  const ub = new Float64Array(pf);
  const scheme: JacobianScheme = settings.scheme.kind === '2-point' || settings.scheme.kind === '3-point' ? { ...settings.scheme, lb, ub } : settings.scheme;
  const evaluator = new BlockEvaluator({ backend, kernel, loss: settings.loss, scheme, blockRows: blockRowsFor(maxN) });
  const options: SolverOptions = { ...settings.solver, x0, lb, ub, caller };
  const columns: DataColumns = data.resident ?? {
    x: data.x.kind === 'shared' ? data.x.columns : Array.from({ length: data.k }, () => new Float64Array(maxN)),
    y: new Float64Array(maxN),
    w: data.sigma === null ? null : new Float64Array(maxN),
  };
  const scratch = new Float64Array(maxN);
  const full = new Float64Array(p);
  let n = 0;
  const residualProblem: ResidualProblem = {
    p: pf,
    jacobianIsCheap: settings.scheme.kind === 'analytic',
    evaluate(x: Float64Array, jacobian: boolean): Evaluation {
      evaluator.begin(x, jacobian);
      evaluator.addWindow(columns, 0, n);
      return evaluator.finish();
    },
  };
  const recipe = settings.solver.method === 'lm' ? 'triangular-inverse' : 'svd';

  const fail = (out: BatchOutput, i: number, message: string): void => {
    out.status[i] = STATUS_CODE['improper-input'];
    out.messages.set(i, `${caller}: fit ${i}: ${message}`);
  };

  const write = (out: BatchOutput, i: number, outcome: SolverOutcome): void => {
    const { P } = out;
    const cov = estimateCovariance(outcome.T, pf, n, 2 * outcome.cost, problem.absoluteSigma, recipe);
    const row = i * P;
    if (params.layout !== null) {
      const all = expandParams(params.layout, { x: outcome.x, pcov: cov.pcov, activeMask: outcome.activeMask, grad: outcome.grad });
      for (let j = 0; j < P; j++) {
        out.popt[row + j] = all.values[j]!;
        out.perr[row + j] = Math.sqrt(all.pcov[j * P + j]!);
      }
    } else {
      for (let j = 0; j < p; j++) {
        out.popt[row + j] = full[j]!;
        out.perr[row + j] = 0;
      }
      for (let j = 0; j < pf; j++) {
        out.popt[row + free[j]!] = outcome.x[j]!;
        out.perr[row + free[j]!] = Math.sqrt(cov.pcov[j * pf + j]!);
      }
    }
    out.status[i] = STATUS_CODE[outcome.status];
    out.cost[i] = outcome.cost;
    out.nfev[i] = outcome.nfev;
    out.nit[i] = outcome.nit;
    out.chiSquare[i] = settings.loss === null ? 2 * outcome.cost : chiSquareAt(outcome.x);
    if (out.status[i]! <= 0) out.messages.set(i, `${caller}: fit ${i}: ${outcome.message}`);
  };

  const chiSquareAt = (x: Float64Array): number => {
    evaluator.residuals(x, columns, 0, n, scratch);
    let s = 0;
    for (let q = 0; q < n; q++) s += scratch[q]! * scratch[q]!;
    return s;
  };

  const fitOne = (out: BatchOutput, i: number): void => {
    n = fitRange(data, i).n;
    const why = fitStart(problem, i, columns, full, x0, lb, ub);
    if (why !== null) {
      fail(out, i, why);
      return;
    }
    params.held?.setHeld(full);
    let outcome: SolverOutcome;
    try {
      outcome = runSolverSync(createSolver(residualProblem, options), residualProblem, undefined, caller);
    } catch (error) {
      if (!(error instanceof NlsqError) || error.code === 'ERR_ABORTED') throw error;
      fail(out, i, error.message.replace(`${caller}: `, ''));
      return;
    }
    write(out, i, outcome);
  };

  return {
    name: 'cpu',
    reason,
    run(from, to, out) {
      for (let i = from; i < to; i++) fitOne(out, i);
    },
    dispose() {
      evaluator.dispose();
    },
  };
}
