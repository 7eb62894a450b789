import { describe, expect, it } from 'vitest';
import { MAX_DEVICE_FREE_PARAMS } from '../../../src/backends/batch-solver.ts';
import { BATCH_CFG_BYTES, generateBatchKernel } from '../../../src/backends/webgpu/batch-lm.wgsl.ts';
import { NlsqRangeError } from '../../../src/errors.ts';
import { lowerToProgram } from '../../../src/model/lower.ts';
import { model } from '../../../src/model/model.ts';

const gauss2d = lowerToProgram(model('a*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + b', { params: ['a', 'x0', 'y0', 's', 'b'], variables: ['x', 'y'] }));
const all = Int32Array.of(0, 1, 2, 3, 4);

describe('generateBatchKernel', () => {
  it('accumulates the (f+1)(f+2)/2 entries of [J r] over the free parameters and reduces them in one round', () => {
    const k = generateBatchKernel({ program: gauss2d, free: all, sharedX: true, weighted: false, workgroup: 32 });
    expect(k.entries).toBe(21);
    expect(k.stride).toBe(5 + 4 + 15);
    expect(k.code).toContain('const WG: u32 = 32u;');
    expect(k.code).toContain('const E: u32 = 21u;');
    expect(k.code).toContain('const EB: u32 = 21u;');
    expect(k.code).toContain('const FREE = array<u32, 5>(0u, 1u, 2u, 3u, 4u);');
    expect(k.code).toContain('acc[0] = acc[0] + j0 * j0;');
    expect(k.code).toContain('acc[20] = acc[20] + r * r;');
    expect(k.code).toContain('let x1 = pts[cfg.sharedOff + 1u * cfg.nShared + q];');
    expect(k.code).toContain('let r = wt * ((');
    expect(k.code).not.toContain('atomic');
    expect(k.label).toBe('nlsq-batch-lm-p5-f5-k2-wg32-sx');
  });

  it('zeroes the accumulators explicitly every iteration and exits the loop on a uniform load', () => {
    const k = generateBatchKernel({ program: gauss2d, free: all, sharedX: true, weighted: false, workgroup: 32 });
    expect(k.code).toContain('var acc = array<f32, E>();');
    expect(k.code).toContain('if (workgroupUniformLoad(&stop) != 0u) { break; }');
  });

  it('keeps held parameters out of the Jacobian and reads per-point x and weights from the point columns', () => {
    const k = generateBatchKernel({ program: gauss2d, free: Int32Array.of(0, 1, 2), sharedX: false, weighted: true, workgroup: 64 });
    expect(k.entries).toBe(10);
    expect(k.stride).toBe(5 + 4 + 6);
    expect(k.code).toContain('const FREE = array<u32, 3>(0u, 1u, 2u);');
    expect(k.code).not.toContain('let j3 ');
    expect(k.code).toContain('let th3 = th[3u];'); // s is held but still read by the model
    expect(k.code).toContain('let x0 = pts[0u * cfg.m + o0 + q];');
    expect(k.code).toContain('let wt = pts[4u * cfg.m + o0 + q];');
    expect(k.label).toBe('nlsq-batch-lm-p5-f3-k2-wg64-w');
  });

  it('splits the reduction into rounds when WG·E floats exceed the workgroup-memory budget', () => {
    const p = 40;
    const params = Array.from({ length: p }, (_, j) => `c${j}`);
    const poly = lowerToProgram(model(params.map((c, j) => `${c}*x^${j}`).join(' + '), { params, variables: ['x'] }));
    const free = Int32Array.from({ length: 31 }, (_, j) => j);
    const k = generateBatchKernel({ program: poly, free, sharedX: true, weighted: false, workgroup: 64 });
    expect(k.entries).toBe((32 * 33) / 2);
    expect(k.code).toContain('const EB: u32 = 32u;');
  });

  it('refuses no or too many free parameters, unsorted ones and a workgroup that is not a power of two', () => {
    const gen = (free: Int32Array, workgroup = 32) => () => generateBatchKernel({ program: gauss2d, free, sharedX: true, weighted: false, workgroup });
    expect(gen(new Int32Array(0))).toThrow(new NlsqRangeError(`generateBatchKernel: free must hold 1 to ${MAX_DEVICE_FREE_PARAMS} parameters, got 0`, 'free'));
    expect(gen(Int32Array.of(2, 1))).toThrow('generateBatchKernel: free must be increasing parameter indices in [0, 4], got [2, 1]');
    expect(gen(Int32Array.of(0, 5))).toThrow(NlsqRangeError);
    expect(gen(all, 48)).toThrow('generateBatchKernel: workgroup must be a power of two, got 48');
  });

  it('declares a uniform Cfg of the size the host writes', () => {
    const k = generateBatchKernel({ program: gauss2d, free: all, sharedX: true, weighted: false, workgroup: 32 });
    const struct = /struct Cfg \{([^}]*)\}/.exec(k.code)![1]!;
    expect(struct.split(',').length * 4).toBe(BATCH_CFG_BYTES);
  });
});
