/**
 * Device tests of the WebGPU model evaluator (`createModelEvaluator`) in Node, through the
 * optional `webgpu` package on its OpenGL ES path (a software adapter here). Skipped, with the
 * reason printed, when this runtime has no adapter. The same checks run in Chromium and Deno via `scripts/test-webgpu.mjs`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deviceChecks } from '../../browser/webgpu/checks.ts';
import { NlsqRangeError } from '../../../src/errors.ts';
import { expDecayProgram } from './ir-reference.ts';
import { nodeWebGPUBackend } from './node-device.ts';

const { backend, reason } = await nodeWebGPUBackend();
if (backend === null) console.log(`WebGPU device tests skipped: ${reason}`);
afterAll(() => backend?.destroy());

describe.skipIf(backend === null)('WebGPU model evaluator (Node, webgpu package)', () => {
  const create = async () => {
    const r = await nodeWebGPUBackend();
    if (r.backend === null) throw new Error(r.reason);
    return r.backend;
  };
  for (const check of backend === null ? [] : deviceChecks(backend, create)) {
    it(check.name, () => check.run());
  }

  it('reports itself as an f32, asynchronous, expression-only backend and flags the software adapter', () => {
    expect(backend!.info).toMatchObject({ name: 'webgpu', family: 'webgpu', precision: 'f32', epsilon: 2 ** -23, synchronous: false, runsClosures: false });
    expect(typeof backend!.createModelEvaluator).toBe('function');
    expect(backend!.info.software).toBe(true);
    expect(backend!.info.speedClass).toBe(0.5);
    expect(backend!.info.maxBufferBytes).toBe(backend!.device.limits.maxStorageBufferBindingSize);
  });

  it('rejects robust losses, mismatched data and wrong parameter counts with messages naming the argument', async () => {
    const program = expDecayProgram();
    const x = new Float64Array(10);
    const y = new Float64Array(10);
    await expect(
      backend!.createModelEvaluator({ program, data: { x: [x], y, w: null }, loss: 'tukey' as 'linear' }),
    ).rejects.toThrow(
      "createModelEvaluator: loss must be one of 'linear', 'soft_l1', 'huber', 'cauchy', 'arctan' on the WebGPU device (a loss function runs on an f64 backend), got \"tukey\"",
    );
    await expect(backend!.createModelEvaluator({ program, data: { x: [x], y, w: null }, fScale: 0 })).rejects.toThrow(
      'createModelEvaluator: fScale must be a positive finite number, got 0',
    );
    await expect(backend!.createModelEvaluator({ program, data: { x: [x], y: new Float64Array(9), w: null } })).rejects.toThrow(NlsqRangeError);
    const prob = await backend!.createModelEvaluator({ program, data: { x: [x], y, w: null } });
    await expect(prob.evaluate(Float64Array.of(1, 2), true)).rejects.toThrow('DeviceModelEvaluator.evaluate: theta must have length 3 (one per parameter), got 2');
    prob.destroy();
    await expect(prob.evaluate(Float64Array.of(1, 2, 3), true)).rejects.toThrow('DeviceModelEvaluator.evaluate: the evaluator was destroyed');
  });

  it('serializes concurrent evaluations: each gets the result of its own parameters', async () => {
    const program = expDecayProgram();
    const x = Float64Array.from({ length: 2000 }, (_, i) => i / 400);
    const y = Float64Array.from(x, (v) => Math.exp(-v));
    const prob = await backend!.createModelEvaluator({ program, data: { x: [x], y, w: null } });
    const thetas = [Float64Array.of(1, 1, 0), Float64Array.of(2, 1, 0), Float64Array.of(1, 1, 0.5)];
    const together = await Promise.all(thetas.map((t, i) => prob.evaluate(t, i !== 1)));
    for (let i = 0; i < thetas.length; i++) {
      const alone = await prob.evaluate(thetas[i]!, i !== 1);
      expect(together[i]!.cost).toBe(alone.cost);
      expect(together[i]!.T === null).toBe(i === 1);
    }
    expect(together[0]!.cost).toBeLessThan(1e-6);
    prob.destroy();
  });

  it('shares compiled pipelines between problems of the same model', async () => {
    const program = expDecayProgram();
    const data = { x: [Float64Array.of(1, 2, 3)], y: Float64Array.of(1, 2, 3), w: null };
    const a = await backend!.createModelEvaluator({ program, data });
    const before = backend!.pipelines.compiles;
    const b = await backend!.createModelEvaluator({ program, data });
    expect(backend!.pipelines.compiles).toBe(before);
    a.destroy();
    b.destroy();
  });
});

describe.skipIf(backend === null)('WebGPU grid-stride accumulation', () => {
  it('gives the same Gram when few workgroups loop over many points each', async () => {
    const { referenceGram } = await import('./ir-reference.ts');
    const program = expDecayProgram();
    const m = 50000;
    const x = Float64Array.from({ length: m }, (_, i) => (5 * i) / m);
    const y = Float64Array.from(x, (v) => 1.5 * Math.exp(-0.6 * v) + 0.2 + 0.05 * Math.cos(13 * v));
    const data = { x: [x], y, w: null };
    const th = Float64Array.of(1.4, 0.55, 0.25);
    const prob = await backend!.createModelEvaluator({ program, data, pointsPerThread: 400 });
    const partials = await prob.readPartials(th, true);
    expect(partials.length).toBe(2 * 10); // ceil(50000 / (64·400)) = 2 workgroups
    const ev = await prob.evaluate(th, true);
    const G = referenceGram(program, th, data);
    expect(Math.abs(ev.cost - G[9]! / 2)).toBeLessThanOrEqual(2e-4 * (G[9]! / 2));
    const T = ev.T!;
    // (TᵀT)_00 = Σ J_0² and (TᵀT)_03 = Σ J_0 r
    expect(Math.abs(T[0]! ** 2 - G[0]!)).toBeLessThanOrEqual(2e-4 * G[0]!);
    expect(Math.abs(T[0]! * T[3]! - G[3]!)).toBeLessThanOrEqual(2e-4 * Math.sqrt(G[0]! * G[9]!));
    prob.destroy();
  });
});
