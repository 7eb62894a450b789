import { describe, expect, it } from 'vitest';
import { kernelForBackend, kernelForBackendSync, type BackendKernel } from '../../src/run/backend-kernel.ts';
import type { WasmModelKernel } from '../../src/backends/wasm/wasm-model-kernel.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { createWasmBackend, wasmSupport } from '../../src/backends/wasm/wasm-backend.ts';
import { curveFit } from '../../src/curve-fit.ts';
import { model } from '../../src/model/model.ts';
import { resolveCurveFitOptions } from '../../src/options/resolve-curve-fit.ts';

const n = 5000;
const x = Float64Array.from({ length: n }, (_, i) => (5 * i) / n);
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.02 * Math.sin(977 * i));
const seed = model('a*exp(-b*x) + c');
const support = await wasmSupport();

describe('kernelForBackend', () => {
  it.skipIf(!support.scalar)('compiles an expression model to WASM on a wasm backend, and keeps JS elsewhere', async () => {
    const wasm = await createWasmBackend();
    const resolved = resolveCurveFitOptions('curveFit', seed, x, y, { p0: [1, 1, 0] });
    const onWasm = await kernelForBackend(resolved, wasm);
    expect(onWasm.kind).toBe('wasm');
    expect(onWasm.resolved.kernel).not.toBe(resolved.kernel);
    onWasm.dispose();
    expect((await kernelForBackend(resolved, createCpuBackend())).kind).toBe('js');
    const closure = resolveCurveFitOptions('curveFit', (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, x, y, { p0: [1, 1, 0] });
    expect((await kernelForBackend(closure, wasm)).kind).toBe('js');
  });

  it.skipIf(!support.scalar)('keeps the fit\'s data resident in wasm memory by default, and copies windows with resident: false', async () => {
    const wasm = await createWasmBackend();
    const resolved = resolveCurveFitOptions('curveFit', seed, x, y, { p0: [1, 1, 0] });
    const resident = await kernelForBackend(resolved, wasm);
    const copied = await kernelForBackend(resolved, wasm, { resident: false });
    const bytes = (k: BackendKernel) => (k.resolved.kernel as WasmModelKernel).residentBytes;
    expect(bytes(resident)).toBeGreaterThanOrEqual(2 * n * 8);
    expect(bytes(copied)).toBe(0);
    const rows = [new Float64Array(4 * n), new Float64Array(4 * n)];
    resident.resolved.kernel.residualRows!(Float64Array.of(2, 1, 0.3), resolved.data, 0, n, rows[0]!, 0);
    copied.resolved.kernel.residualRows!(Float64Array.of(2, 1, 0.3), resolved.data, 0, n, rows[1]!, 0);
    expect(Array.from(rows[0]!)).toEqual(Array.from(rows[1]!));
    resident.dispose();
    copied.dispose();
    expect(() => resident.resolved.kernel.residuals(Float64Array.of(2, 1, 0.3), resolved.data, 0, 1, new Float64Array(1), 0, 1)).toThrow(/after dispose/);
  });

  it.skipIf(!support.scalar)('gives the fit of the JS kernel on the CPU backend (popt 1e-10, perr 1e-8)', async () => {
    const onWasm = await curveFit(seed, x, y, { p0: [1, 1, 0], backend: 'wasm' });
    const onCpu = await curveFit(seed, x, y, { p0: [1, 1, 0], backend: 'cpu' });
    onWasm.popt.forEach((v, j) => expect(Math.abs(v - onCpu.popt[j]!)).toBeLessThanOrEqual(1e-10 * Math.abs(onCpu.popt[j]!)));
    onWasm.perr.forEach((v, j) => expect(Math.abs(v - onCpu.perr[j]!)).toBeLessThanOrEqual(1e-8 * onCpu.perr[j]!));
    expect(onWasm.nfev).toBe(onCpu.nfev);
  });
});

describe('kernelForBackendSync', () => {
  it.skipIf(!support.scalar)('swaps in the WASM kernel once the model compiler is loaded, as kernelForBackend does, and keeps JS elsewhere', async () => {
    const wasm = await createWasmBackend();
    const resolved = resolveCurveFitOptions('curveFitSync', seed, x, y, { p0: [1, 1, 0] });
    await kernelForBackend(resolved, wasm).then((k) => k.dispose()); // loads the compiler (so does every library-made wasm backend)
    const onWasm = kernelForBackendSync(resolved, wasm);
    expect(onWasm.kind).toBe('wasm');
    expect((onWasm.resolved.kernel as WasmModelKernel).residentBytes).toBeGreaterThanOrEqual(2 * n * 8);
    onWasm.dispose();
    expect(kernelForBackendSync(resolved, createCpuBackend()).kind).toBe('js');
    const closure = resolveCurveFitOptions('curveFitSync', (t: number, a: number, b: number, c: number) => a * Math.exp(-b * t) + c, x, y, { p0: [1, 1, 0] });
    expect(kernelForBackendSync(closure, wasm).kind).toBe('js');
  });
});
