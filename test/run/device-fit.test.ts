import { afterAll, describe, expect, it } from 'vitest';
import { curveFit } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import type { WebGPUBackend } from '../../src/backends/webgpu/webgpu-backend.ts';
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
    await expect(curveFit((t: number, a: number) => a * t, x, y, { p0: [1], backend: device! })).rejects.toThrow(/cannot run JS closure models; use an expression model/);
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
