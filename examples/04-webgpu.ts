/**
 * Fitting on WebGPU from Node: the optional `webgpu` package provides the GPU object. The model
 * must be an expression (it is compiled to WGSL); the default polish finishes on f64.
 * Run: `EGL_PLATFORM=surfaceless npx tsx examples/04-webgpu.ts` (software adapters are allowed
 * here explicitly; they are never chosen automatically).
 */
import { createWebGPUBackend, curveFit, model } from '../src/index.ts';

const { create } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU };
const gpu = create(process.env['NLSQ_WEBGPU_FLAGS']?.split(',') ?? ['backend=opengles']);
const backend = await createWebGPUBackend({ gpu, allowSoftware: true });

const n = 200_000;
const x = Float64Array.from({ length: n }, (_, i) => (5 * i) / n);
const y = Float64Array.from(x, (t, i) => 3 * Math.exp(-1.2 * t) + 0.5 + 0.01 * Math.sin(977 * i));
const r = await curveFit(model('a*exp(-b*x) + c'), x, y, { p0: [1, 1, 0], backend });
console.log('popt', r.popt, '±', r.perr);
console.log(r.report({ full: true }));
backend.destroy();
