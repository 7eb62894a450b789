/**
 * The WGSL generated from real expression models (parsed, differentiated and lowered by
 * `src/model`) against the model package's own f64 kernel: the device's augmented Gram and cost
 * must agree with those of the f64 residual rows within f32 tolerance.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { model } from '../../../src/model/model.ts';
import { lowerToProgram } from '../../../src/model/lower.ts';
import { nodeWebGPUBackend } from './node-device.ts';

const { backend, reason } = await nodeWebGPUBackend();
if (backend === null) console.log(`WebGPU expression-model tests skipped: ${reason}`);
afterAll(() => backend?.destroy());

/** Packed upper triangle of the Gram of the f64 augmented rows the model's kernel writes. */
function cpuGram(rows: Float64Array, m: number, c: number): Float64Array {
  const G = new Float64Array((c * (c + 1)) / 2);
  for (let i = 0; i < m; i++) {
    let e = 0;
    for (let a = 0; a < c; a++) for (let b = a; b < c; b++) G[e++]! += rows[i * c + a]! * rows[i * c + b]!;
  }
  return G;
}

function packedTtT(T: Float64Array, c: number): Float64Array {
  const out = new Float64Array((c * (c + 1)) / 2);
  let e = 0;
  for (let a = 0; a < c; a++) for (let b = a; b < c; b++) {
    let s = 0;
    for (let i = 0; i <= a; i++) s += T[i * c + a]! * T[i * c + b]!;
    out[e++] = s;
  }
  return out;
}

interface Case {
  readonly expr: string;
  readonly variables?: string[];
  readonly theta: number[];
  readonly range: [number, number];
}

const CASES: Case[] = [
  { expr: 'a*exp(-b*x) + c', theta: [2, 0.7, 0.3], range: [0, 6] },
  { expr: 'a*x^7 - b*x^3 + c', theta: [0.3, 1.2, -0.4], range: [-1.5, 1.5] },
  { expr: 'a*erf(b*(x - c))', theta: [1.7, 1.1, 0.4], range: [-3, 3] },
  { expr: 'a*log(1 + b*x) + c*atan(x)', theta: [1.2, 0.8, 0.5], range: [0, 10] },
  { expr: 'a*x^b + c', theta: [1.5, 1.3, 0.2], range: [0.1, 4] },
  { expr: 'a*tanh(b*x) + hypot(x, c) + cbrt(x - 1)', theta: [0.9, 1.4, 0.6], range: [-2, 3] },
  { expr: 'a*x + b*y^2 + c*sin(x*y)', variables: ['x', 'y'], theta: [0.5, -0.3, 1.1], range: [-2, 2] },
];

describe.skipIf(backend === null)('expression models on the device', () => {
  for (const c of CASES) {
    it(`evaluates ${c.expr} like the f64 model kernel`, async () => {
      const mdl = model(c.expr, c.variables ? { variables: c.variables } : {});
      const program = lowerToProgram(mdl);
      const p = program.params.length;
      const cols = p + 1;
      const m = 3000;
      const [lo, hi] = c.range;
      const xs = program.variables.map((_, v) => Float64Array.from({ length: m }, (_, i) => lo + ((hi - lo) * ((i * (v + 1) * 7919) % m)) / m));
      const kernel = mdl.createKernel();
      const theta = Float64Array.from(c.theta);
      const f = new Float64Array(m);
      kernel.residuals(theta, { x: xs, y: new Float64Array(m), w: null }, 0, m, f, 0, 1);
      const y = Float64Array.from(f, (v, i) => v + 0.05 * Math.sin(i));
      const w = Float64Array.from({ length: m }, (_, i) => 1 + (i % 3) / 3);
      const data = { x: xs, y, w };
      const rows = new Float64Array(m * cols);
      kernel.residualRows!(theta, data, 0, m, rows, 0);
      const G = cpuGram(rows, m, cols);
      const prob = await backend!.createModelEvaluator({ program, data });
      const ev = await prob.evaluate(theta, true);
      prob.destroy();
      const rr = G[G.length - 1]!;
      expect(Math.abs(ev.cost - rr / 2)).toBeLessThanOrEqual(1e-3 * (rr / 2));
      expect(ev.T).not.toBeNull();
      const got = packedTtT(ev.T!, cols);
      const diag: number[] = [];
      let e = 0;
      for (let a = 0; a < cols; a++) {
        diag.push(G[e]!);
        e += cols - a;
      }
      e = 0;
      for (let a = 0; a < cols; a++) for (let b = a; b < cols; b++) {
        expect(Math.abs(got[e]! - G[e]!), `entry (${a},${b})`).toBeLessThanOrEqual(1e-4 * Math.sqrt(diag[a]! * diag[b]!));
        e++;
      }
    });
  }
});
