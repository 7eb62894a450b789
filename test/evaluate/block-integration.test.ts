/**
 * The solvers on the real data walk: createBlockProblem with the CPU backend, as one block
 * (standard) and in windows of 7 rows (chunked), against SciPy's fixture.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { createBlockProblem } from '../../src/evaluate/block-problem.ts';
import { runSolverSync } from '../../src/optim/driver.ts';
import type { JacobianScheme } from '../../src/optim/finite-difference.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import { caseOptions, loadFixture } from '../optim/problems.ts';
import { solverFor } from '../optim/run-case.ts';
import { expDecay, testKernel } from '../support/test-kernels.ts';

const fixture = loadFixture();
const t = Float64Array.from(fixture.data.t_exp);
const closure = testKernel(3, (x, p) => p[0]! * Math.exp(-p[1]! * x) + p[2]!);

const cases = ['expfit-trf', 'expfit-dogbox', 'expfit-lm', 'expfit-bounded-trf', 'expfit-bounded-dogbox', 'expfit-softl1-trf', 'expfit-cauchy-dogbox', 'expfit-leastsq'];

describe.each(cases.flatMap((name) => [[name, 40], [name, 7]] as const))('block data walk: %s with blockRows = %i', (name, blockRows) => {
  it('reaches SciPy’s solution with SciPy’s evaluation counts', () => {
    const c = fixture.cases.find((k) => k.name === name)!;
    const y = Float64Array.from(c.problem === 'expfit-outliers' ? fixture.data.y_out : fixture.data.y_exp);
    const fd = c.api === 'leastsq';
    const scheme: JacobianScheme = fd ? { kind: 'minpack', epsfcn: 0 } : { kind: 'analytic' };
    const problem = createBlockProblem({
      backend: createCpuBackend(),
      kernel: fd ? closure : expDecay,
      data: { x: [t], y, w: null },
      n: t.length,
      loss: resolveLoss(c.loss ?? 'linear', c.f_scale ?? 1),
      scheme,
      blockRows,
    });
    const out = runSolverSync(solverFor(c.method)(problem, caseOptions(c)), problem);
    for (let j = 0; j < 3; j++) expect(Math.abs(out.x[j]! - c.x[j]!) / Math.abs(c.x[j]!)).toBeLessThan(1e-8);
    expect(Math.abs(out.cost - c.cost) / c.cost).toBeLessThan(1e-10);
    expect(out.nfev).toBe(c.nfev);
  });
});
