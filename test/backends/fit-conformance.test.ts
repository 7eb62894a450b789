/**
 * Whole-fit conformance on every backend that loads here: the NIST StRD problems written as
 * expression models, fitted with trf from both certified starts, scored by LRE (digits of
 * agreement with the certified parameters). The digits required come from the backend's
 * precision: f64 backends 6 digits on all 54 fits; the f32 WebGPU device (software adapter in
 * Node when the `webgpu` package finds one) 6 digits on the lower- and average-difficulty
 * problems with the default f64 polish, and 3 digits on the lower-difficulty ones without it —
 * except where the fit itself reports that κ(J) was beyond what an f32 Gram matrix resolves.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { curveFit } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import type { Backend } from '../../src/backends/backend.ts';
import { EXPRESSIONS } from '../nist/expressions.ts';
import { minLre, parseStrd, STRD_NAMES, type StrdProblem } from '../nist/strd.ts';
import { loadBackendsUnderTest } from './backends-under-test.ts';
import { nodeWebGPUBackend } from './webgpu/node-device.ts';

const problems = STRD_NAMES.map((name) => parseStrd(name));
const hostBackends = await loadBackendsUnderTest();
const device = await nodeWebGPUBackend();
afterAll(() => (device.backend as { destroy?: () => void } | null)?.destroy?.());

async function score(problem: StrdProblem, start: 1 | 2, backend: Backend, polish = true): Promise<{ lre: number; illConditioned: boolean }> {
  const params = problem.params.map((_, j) => `b${j + 1}`);
  const m = model(EXPRESSIONS[problem.name]!, { params, variables: problem.x.length === 1 ? ['x'] : ['x1', 'x2'] });
  const x = problem.x.length === 1 ? problem.x[0]! : problem.x;
  const p0 = start === 1 ? problem.start1 : problem.start2;
  const r = await curveFit(m, x, problem.y, { p0, method: 'trf', ftol: 1e-15, xtol: 1e-15, gtol: 1e-15, maxNfev: 20_000, backend, polish });
  return { lre: minLre(r.popt, problem.params), illConditioned: r.warnings.some((w) => w.code === 'ill-conditioned-f32') };
}

async function poorFits(backend: Backend, digits: number, subset: readonly StrdProblem[], polish = true): Promise<string[]> {
  const poor: string[] = [];
  for (const problem of subset) {
    for (const start of [1, 2] as const) {
      const { lre, illConditioned } = await score(problem, start, backend, polish);
      if (!(lre >= digits)) poor.push(`${problem.name}/${start}: LRE ${lre.toFixed(2)}${illConditioned ? ' (flagged ill-conditioned for f32)' : ''}`);
    }
  }
  return poor;
}

describe.each(hostBackends)('NIST StRD on $name', ({ backend, skipReason }) => {
  test.skipIf(backend === null)(`all 54 fits reach 6 digits (f64)${skipReason === null ? '' : ` — skipped: ${skipReason}`}`, async () => {
    expect(backend!.info.precision).toBe('f64');
    expect(await poorFits(backend!, 6, problems)).toEqual([]);
  });
});

describe(`NIST StRD on webgpu${device.backend === null ? ` — skipped: ${device.reason}` : ' (software adapter)'}`, () => {
  const lowerAndAverage = problems.filter((p) => p.difficulty !== 'higher');
  const lower = problems.filter((p) => p.difficulty === 'lower');
  test.skipIf(device.backend === null)('lower and average difficulty reach 6 digits with the f64 polish', async () => {
    expect(await poorFits(device.backend!, 6, lowerAndAverage)).toEqual([]);
  });
  test.skipIf(device.backend === null)('lower difficulty reaches 3 digits in f32 without the polish, or says the f32 Gram was too ill-conditioned', async () => {
    const poor = await poorFits(device.backend!, 3, lower, false);
    expect(poor.filter((line) => !line.endsWith('(flagged ill-conditioned for f32)'))).toEqual([]);
  });
});
