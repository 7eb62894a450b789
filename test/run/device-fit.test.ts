import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { curveFit } from '../../src/curve-fit.ts';
import { NlsqRangeError } from '../../src/errors.ts';
import { fit } from '../../src/fit.ts';
import { model } from '../../src/model/model.ts';
import { evaluatesOnDevice } from '../../src/run/device-fit.ts';
import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu-backend.ts';
import { createReferenceDeviceBackend } from '../backends/reference-device-backend.ts';
import { nodeWebGPUBackend } from '../backends/webgpu/node-device.ts';

const { backend: device, reason } = (await nodeWebGPUBackend()) as { backend: WebGPUBackend | null; reason: string };
afterAll(() => device?.destroy?.());

const n = 2000;
const x = Float64Array.from({ length: n }, (_, i) => (5 * i) / n);
const sigma = Float64Array.from(x, (_, i) => 0.05 + 0.01 * (i % 3));
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + sigma[i]! * Math.sin(977 * i));
const seed = model('a*exp(-b*x) + c');

describe(`curveFit on the WebGPU backend${device === null ? ` — skipped: ${reason}` : ''}`, () => {
  it.skipIf(device === null)('refuses a JS closure with a message that says to use an expression model', async () => {
    await expect(curveFit((t: number, a: number) => a * t, x, y, { p0: [1], backend: device!, lift: false })).rejects.toThrow(/cannot run JS closure models; use an expression model/);
  });

  it.skipIf(device === null)('runs a closure lifted to an expression model', async () => {
    const r = await curveFit((t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, x, y, { p0: [1, 1, 0], backend: device! });
    expect([r.backend, r.choices.model?.used]).toEqual(['webgpu', 'expression']);
  });

  it.skipIf(device === null)('polishes on f64 by default: popt and pcov equal the f64 fit', async () => {
    const reference = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, method: 'trf', backend: 'cpu' });
    const r = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, method: 'trf', backend: device! });
    expect(r.backend).toBe('webgpu');
    expect(r.choices.precision.used).toBe('f32 → f64');
    r.popt.forEach((v, j) => expect(Math.abs(v - reference.popt[j]!)).toBeLessThanOrEqual(1e-7 * Math.abs(reference.popt[j]!)));
    r.perr.forEach((v, j) => expect(Math.abs(v - reference.perr[j]!)).toBeLessThanOrEqual(1e-5 * reference.perr[j]!));
  });

  it.skipIf(device === null)('returns the f32 answer with a warning when polish is false', async () => {
    const reference = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, method: 'trf', backend: 'cpu' });
    const r = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, method: 'trf', backend: device!, polish: false });
    expect(r.choices.precision.used).toBe('f32');
    expect(r.warnings.map((w) => w.code)).toContain('f32-result');
    r.popt.forEach((v, j) => expect(Math.abs(v - reference.popt[j]!)).toBeLessThanOrEqual(1e-3 * Math.abs(reference.popt[j]!)));
  });
});

describe('the fit path decides by capability (createModelEvaluator), not by backend family', () => {
  it('evaluatesOnDevice is true exactly when the member is there', () => {
    const cpu = createCpuBackend();
    expect(evaluatesOnDevice(cpu)).toBe(false);
    expect(evaluatesOnDevice({ ...cpu, info: { ...cpu.info, family: 'webgpu' } })).toBe(false);
    expect(evaluatesOnDevice(createReferenceDeviceBackend())).toBe(true);
  });

  it('fits a cpu-family backend that has the member on its device evaluator, then polishes on f64', async () => {
    const reference = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, method: 'trf', backend: 'cpu' });
    const device = createReferenceDeviceBackend();
    const r = await curveFit(seed, x, y, { p0: [1, 1, 0], sigma, method: 'trf', backend: device });
    expect(device.created).toBe(1);
    expect(r.backend).toBe('reference-device');
    expect(r.choices.precision.used).toBe('f64 → f64');
    expect(r.choices.precision.reason).toMatch(/^\d+ iterations on reference-device \(f64, \d+ evaluations\), then polished on (wasm-simd|wasm-scalar|cpu) \(f64/);
    expect(r.choices.blockSize.used).toBe('1 device chunk');
    r.popt.forEach((v, j) => expect(Math.abs(v - reference.popt[j]!)).toBeLessThanOrEqual(1e-9 * Math.abs(reference.popt[j]!)));
  });

  it('names the backend and its precision when polish is false', async () => {
    const device = createReferenceDeviceBackend('my-device', 'f32');
    const r = await curveFit(seed, x, y, { p0: [1, 1, 0], method: 'trf', backend: device, polish: false });
    expect(r.choices.precision).toMatchObject({ used: 'f32', reason: 'every iteration and the covariance on my-device in f32 (not polished)' });
    expect(r.warnings.find((w) => w.code === 'f32-result')?.message).toBe('curveFit: polish is false, so popt and pcov carry f32 accuracy from the my-device device');
  });

  it('refuses a covariance sigma with a message naming the backend', async () => {
    const cov = [[1, 0.5], [0.5, 1]];
    const err = await curveFit(seed, [0, 1], [1, 2], { p0: [1, 1, 0], sigma: cov, method: 'trf', backend: createReferenceDeviceBackend() }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NlsqRangeError);
    expect((err as Error).message).toBe("curveFit: the reference-device backend takes a 1-D sigma at most, got a covariance (2-D) sigma; use backend 'cpu' or 'wasm'");
  });

  it('fit: the chunked strategy runs on the device; streaming passes swap the backend for an f64 host backend', async () => {
    const chunked = createReferenceDeviceBackend();
    const a = await fit(seed, x, y, { p0: [1, 1, 0], backend: chunked, workflow: 'chunked', chunkSize: 700 });
    expect(chunked.created).toBe(1);
    expect(a.backend).toBe('reference-device');
    const streamed = createReferenceDeviceBackend();
    const b = await fit(seed, x, y, { p0: [1, 1, 0], backend: streamed, workflow: 'streaming', chunkSize: 700 });
    expect(streamed.created).toBe(0);
    expect(b.backend).not.toBe('reference-device');
    expect(b.choices.backend.reason).toMatch(/^streaming passes fold on the host, so \S+ \(f64\) runs them instead of reference-device$/);
  });
});
