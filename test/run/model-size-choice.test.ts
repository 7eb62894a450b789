import { describe, expect, it } from 'vitest';
import { MAX_WASM_MODEL_INSTRUCTIONS, resolveBackend, type BackendNeeds } from '../../src/backends/registry.ts';
import { generateWasmModelSimd } from '../../src/backends/wasm/codegen-wasm-simd.ts';
import { wasmSupport } from '../../src/backends/wasm/wasm-backend.ts';
import { curveFit } from '../../src/curve-fit.ts';
import { BackendUnavailableError } from '../../src/errors.ts';
import { model } from '../../src/model/model.ts';
import { modelSizeOf } from '../../src/run/backend-kernel.ts';

const noEnv = { env: (): undefined => undefined };
const support = await wasmSupport();
const needs = (instructions: number): BackendNeeds => ({ closures: false, synchronous: false, model: { name: 'big product', instructions } });

describe('the backend choice and the size of the model it compiles', () => {
  it('measures only models nlsq built', () => {
    const m = model('a*exp(-b*x)', { name: 'decay' });
    expect(modelSizeOf(m)).toEqual({ name: 'decay', instructions: m.program.instructions.length });
    expect(modelSizeOf({ params: ['a'], variables: ['x'], createKernel: () => m.createKernel(), program: m.program })).toBeUndefined();
    expect(modelSizeOf((t: number, a: number) => a * t)).toBeUndefined();
  });

  it.skipIf(!support.simd)('falls back wasm-simd → wasm-scalar → cpu past each limit, and says why', async () => {
    const within = await resolveBackend(undefined, needs(MAX_WASM_MODEL_INSTRUCTIONS['wasm-simd']), noEnv);
    expect(within.backend.info.name).toBe('wasm-simd');
    within.release?.();
    const mid = await resolveBackend(undefined, needs(MAX_WASM_MODEL_INSTRUCTIONS['wasm-simd'] + 1), noEnv);
    expect(mid.backend.info.name).toBe('wasm-scalar');
    expect(mid.reason).toContain("wasm-simd: wasm-simd compiles models of at most 4096 IR instructions (MAX_WASM_MODEL_INSTRUCTIONS), and model 'big product' has 4097");
    mid.release?.();
    const large = await resolveBackend(undefined, needs(MAX_WASM_MODEL_INSTRUCTIONS['wasm-scalar'] + 1), noEnv);
    expect(large.backend.info.name).toBe('cpu');
    expect(large.reason).toMatch(/wasm-scalar: wasm-scalar compiles models of at most 16384 IR instructions .* has 16385/);
    const named = await resolveBackend('wasm', needs(5000), noEnv); // 'wasm' = simd, then scalar
    expect(named.backend.info.name).toBe('wasm-scalar');
    named.release?.();
  });

  it.skipIf(!support.simd)('refuses a named backend for a model past its limit, naming the model and the limit', async () => {
    const refusal = resolveBackend('wasm-simd', needs(5000), noEnv);
    await expect(refusal).rejects.toThrow(BackendUnavailableError);
    await expect(refusal).rejects.toThrow(/model 'big product' has 5000 .*at most 4096|at most 4096 .*model 'big product' has 5000/);
  });

  it('fits a product of 200 exp(pᵢ·x) factors on the default backend with a small program and module', async () => {
    const params = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const m = model(params.map((p) => `exp(${p}*x)`).join('*'), { params, name: 'product of 200 exponentials' });
    expect(m.program.instructions.length).toBeLessThan(1400); // 20,898 before the n-ary product rule
    if (support.simd) expect(generateWasmModelSimd(m.program).bytes.length).toBeLessThan(400_000); // 10.6 MB before
    const x = Float64Array.from({ length: 500 }, (_, i) => i / 500);
    const y = Float64Array.from(x, (t) => Math.exp(-0.5 * t));
    const fit = await curveFit(m, x, y, { p0: new Array(200).fill(-0.002), maxNfev: 10 });
    if (support.simd) expect(fit.backend).toBe('wasm-simd');
    const total = fit.popt.reduce((s, v) => s + v, 0);
    expect(total).toBeCloseTo(-0.5, 6); // only Σpᵢ is determined
  }, 60_000);
});
