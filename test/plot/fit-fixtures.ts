/**
 * Test helper for the plot tests: real fits of a decay and of a 2-D Gaussian on deterministic
 * noisy data, and the model's own formula and gradient, written out independently of nlsq.
 */
import { curveFit, model } from '../../src/index.ts';
import type { CurveFitResult } from '../../src/index.ts';

/** Deterministic standard-normal noise (mulberry32 + Box–Muller). */
export function normalNoise(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** f(t) = a·e^(−b·t) + c, written out. */
export const decay = (t: number, [a, b, c]: readonly number[]): number => a! * Math.exp(-b! * t) + c!;

/** ∂f/∂(a, b, c) at t. */
export const decayGradient = (t: number, [a, b]: readonly number[]): number[] => [Math.exp(-b! * t), -a! * t * Math.exp(-b! * t), 1];

/** A fit of the decay to n points on t ∈ [0, 5] with σ = 0.05. */
export async function decayFit(n = 80): Promise<{ r: CurveFitResult; t: number[]; y: number[]; sigma: number[] }> {
  const noise = normalNoise(7);
  const t = Array.from({ length: n }, (_, i) => (5 * i) / (n - 1));
  const sigma = t.map(() => 0.05);
  const y = t.map((v) => decay(v, [3, 1.2, 0.5]) + 0.05 * noise());
  const r = await curveFit(model('a*exp(-b*t) + c', { variables: ['t'] }), t, y, { p0: [1, 1, 0], sigma });
  return { r, t, y, sigma };
}

/** A fit of a 2-D Gaussian bump on a 24×20 grid of (u, v). */
export async function bumpFit(): Promise<{ r: CurveFitResult; u: number[]; v: number[]; z: number[] }> {
  const noise = normalNoise(11);
  const u: number[] = [];
  const v: number[] = [];
  const z: number[] = [];
  for (let j = 0; j < 20; j++) {
    for (let i = 0; i < 24; i++) {
      u.push(i / 8);
      v.push(j / 8);
      z.push(2 * Math.exp(-((i / 8 - 1.5) ** 2 + (j / 8 - 1.2) ** 2)) + 0.02 * noise());
    }
  }
  const r = await curveFit(model('A*exp(-((u-u0)^2 + (v-v0)^2))', { variables: ['u', 'v'] }), [u, v], z, { p0: [1, 1, 1] });
  return { r, u, v, z };
}
