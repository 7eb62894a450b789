import { describe, expect, it } from 'vitest';
import { walkChoices } from '../../src/result/choice.ts';
import { buildPlan } from '../../src/workflow/plan.ts';
import { cpuInfo } from '../support/fake-backends.ts';

describe('walkChoices (the strategy and block-size rows of every fit path)', () => {
  it('fit() on resident arrays: the plan decides, the caller gave workflow and chunkSize', () => {
    const plan = buildPlan({ nPoints: 50_000, nParams: 3, memoryLimitGb: 16, chunkSize: 5000, backends: [cpuInfo] });
    const rows = walkChoices({ kind: 'planned', plan, workflow: undefined, chunkSize: 5000 });
    expect(rows.strategy).toEqual({ given: 'auto', used: 'chunked', reason: plan.reason });
    expect(rows.blockSize).toEqual({ given: '5000', used: '5000', reason: 'chunked: 5,000 points per chunk' });
    const standard = buildPlan({ nPoints: 50_000, nParams: 3, memoryLimitGb: 16, backends: [cpuInfo] });
    expect(walkChoices({ kind: 'planned', plan: standard, workflow: 'standard', chunkSize: undefined })).toEqual({
      strategy: { given: 'standard', used: 'standard', reason: standard.reason },
      blockSize: { given: 'default', used: '2048', reason: 'standard: cache-sized blocks over resident data' },
    });
  });

  it('fit() on a data source: always streamed, the source decides its chunks', () => {
    const rows = walkChoices({ kind: 'source', workflow: undefined, chunkSize: undefined, points: 1_234_567, passes: 9, approximate: true });
    expect(rows.strategy).toEqual({ given: 'auto', used: 'streaming', reason: 'a data source is always streamed: 9 passes over 1,234,567 points (one-pass source: mini-batch estimate only)' });
    expect(rows.blockSize).toEqual({ given: 'default', used: 'source chunks', reason: 'the source decides its chunk sizes' });
  });

  it('curveFit: cache-sized blocks or the given height over resident data; one dense block for a covariance sigma', () => {
    expect(walkChoices({ kind: 'blocks', n: 10_000, blockRows: undefined })).toEqual({
      strategy: { given: 'default', used: 'standard', reason: 'all data in memory, one solve over resident arrays' },
      blockSize: { given: 'default', used: '2048', reason: 'standard strategy: cache-sized blocks; the N×p Jacobian is never held whole' },
    });
    expect(walkChoices({ kind: 'blocks', n: 100, blockRows: 7 }).blockSize).toEqual({ given: '7', used: '7', reason: 'block size given by the caller' });
    expect(walkChoices({ kind: 'covariance', n: 100, blockRows: undefined }).blockSize).toEqual({ given: 'default', used: '100 (dense)', reason: 'a covariance sigma couples all residuals: one dense block' });
  });

  it('leastSquares: the residual vector whole', () => {
    expect(walkChoices({ kind: 'vector', m: 40 })).toEqual({
      strategy: { given: 'default', used: 'standard', reason: 'a residual-vector function is evaluated whole, in memory' },
      blockSize: { given: 'default', used: '40', reason: 'dense residual vector' },
    });
  });
});
