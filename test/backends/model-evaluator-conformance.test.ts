/**
 * Conformance of the optional device-evaluation member (`Backend.createModelEvaluator`, contract in
 * `src/backends/model-evaluator.ts`) and of `info.hostDelegated`, on every backend that loads here:
 * the host backends (cpu, wasm: no member, nothing delegated), the f64 reference device backend
 * (always: no GPU needed) and the WebGPU backend when Node has an adapter.
 *
 * References are independent: the packed Gram of the f64 IR interpreter (`webgpu/ir-reference.ts`),
 * and the CPU backend's own kernels for the delegated members.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { BLOCK_MEMBERS, type Backend, type BlockMember } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import type { DeviceModelEvaluator, ModelEvaluatorRequest } from '../../src/backends/model-evaluator.ts';
import { NlsqError, NlsqRangeError } from '../../src/errors.ts';
import { resolveLoss } from '../../src/optim/loss.ts';
import { loadBackendsUnderTest } from './backends-under-test.ts';
import { createReferenceDeviceBackend } from './reference-device-backend.ts';
import { expDecayProgram, referenceGram, referenceRobust } from './webgpu/ir-reference.ts';
import { nodeWebGPUBackend } from './webgpu/node-device.ts';

type DeviceBackend = Backend & { createModelEvaluator(request: ModelEvaluatorRequest): Promise<DeviceModelEvaluator> };

const cpu = createCpuBackend();
const host = await loadBackendsUnderTest();
const gpu = await nodeWebGPUBackend();
if (gpu.backend === null) console.log(`model evaluator conformance on webgpu skipped: ${gpu.reason}`);
afterAll(() => gpu.backend?.destroy());

const devices: { name: string; backend: DeviceBackend | null; skip: string }[] = [
  { name: 'reference-device', backend: createReferenceDeviceBackend(), skip: '' },
  { name: 'webgpu', backend: gpu.backend, skip: gpu.reason },
];

/** Relative tolerance of a Gram entry against √(G_aa·G_bb): the contract's stated error. */
function gramTolerance(b: Backend): number {
  return b.info.precision === 'f32' ? 2e-5 : 1e-12;
}

/** Packed upper triangle of TᵀT. */
function packedTtT(T: Float64Array, c: number): Float64Array {
  const out = new Float64Array((c * (c + 1)) / 2);
  let e = 0;
  for (let a = 0; a < c; a++) {
    for (let b = a; b < c; b++) {
      let s = 0;
      for (let i = 0; i <= a; i++) s += T[i * c + a]! * T[i * c + b]!;
      out[e++] = s;
    }
  }
  return out;
}

function expectGramClose(got: Float64Array, want: Float64Array, c: number, rel: number): void {
  const diag: number[] = [];
  for (let a = 0, e = 0; a < c; e += c - a, a++) diag.push(want[e]!);
  let e = 0;
  for (let a = 0; a < c; a++) {
    for (let b = a; b < c; b++, e++) {
      expect(Math.abs(got[e]! - want[e]!), `entry (${a},${b})`).toBeLessThanOrEqual(rel * Math.sqrt(diag[a]! * diag[b]!));
    }
  }
}

function expDecayData(m: number, weighted: boolean) {
  const x = Float64Array.from({ length: m }, (_, i) => (8 * i) / m);
  const y = Float64Array.from(x, (v, i) => 2.5 * Math.exp(-0.8 * v) + 0.4 + 0.02 * Math.sin(37 * v + i));
  const w = weighted ? Float64Array.from(x, (_, i) => 1 / (0.5 + (i % 7) / 7)) : null;
  return { x: [x], y, w };
}

const theta = Float64Array.of(2.3, 0.75, 0.45);
const program = expDecayProgram();

for (const { name, backend: b, skip } of devices) {
  describe.skipIf(b === null)(`createModelEvaluator conformance: ${name}${b === null ? ` (skipped: ${skip})` : ''}`, () => {
    it('reports p, m and at least one chunk', async () => {
      const ev = await b!.createModelEvaluator({ program, data: expDecayData(700, false) });
      expect([ev.p, ev.m, ev.chunks >= 1]).toEqual([3, 700, true]);
      ev.destroy();
    });

    it('returns ½‖r‖² and a triangle T whose TᵀT is the f64 augmented Gram, within the stated precision', async () => {
      const data = expDecayData(3000, true);
      const ev = await b!.createModelEvaluator({ program, data });
      const G = referenceGram(program, theta, data);
      const rel = gramTolerance(b!);
      const full = await ev.evaluate(theta, true);
      expect(full.m).toBe(3000);
      expect(Math.abs(full.cost - G[9]! / 2)).toBeLessThanOrEqual(5 * rel * (G[9]! / 2));
      expectGramClose(packedTtT(full.T!, 4), G, 4, rel);
      for (let i = 1; i < 4; i++) for (let j = 0; j < i; j++) expect(full.T![i * 4 + j]).toBe(0);
      const costOnly = await ev.evaluate(theta, false);
      expect(costOnly.T).toBeNull();
      expect(Math.abs(costOnly.cost - full.cost)).toBeLessThanOrEqual(rel * full.cost);
      ev.destroy();
    });

    it('applies a robust loss with its scale per point as SciPy does', async () => {
      const data = expDecayData(2000, true);
      for (let i = 0; i < data.y.length; i += 50) data.y[i]! += 0.8;
      const at = Float64Array.of(2.5, 0.8, 0.4);
      const ev = await b!.createModelEvaluator({ program, data, loss: 'cauchy', fScale: 0.1 });
      const ref = referenceRobust(program, at, data, resolveLoss('cauchy', 0.1)!);
      const got = await ev.evaluate(at, true);
      const rel = 5 * gramTolerance(b!);
      expect(Math.abs(got.cost - ref.cost)).toBeLessThanOrEqual(rel * ref.cost);
      expectGramClose(packedTtT(got.T!, 4), ref.G, 4, rel);
      ev.destroy();
    });

    it('copies θ at the call and serves concurrent calls with their own θ, in call order', async () => {
      const ev = await b!.createModelEvaluator({ program, data: expDecayData(1500, false) });
      const thetas = [Float64Array.of(1, 1, 0), Float64Array.of(2, 1, 0), Float64Array.of(1, 1, 0.5)];
      const order: number[] = [];
      const pending = thetas.map((t, i) => ev.evaluate(t, i !== 1).then((r) => (order.push(i), r)));
      thetas[0]![0] = 99; // after the call: must not change its result
      const together = await Promise.all(pending);
      thetas[0]![0] = 1;
      expect(order).toEqual([0, 1, 2]);
      for (let i = 0; i < thetas.length; i++) {
        const alone = await ev.evaluate(thetas[i]!, i !== 1);
        expect(together[i]!.cost).toBe(alone.cost);
        expect(together[i]!.T === null).toBe(i === 1);
      }
      ev.destroy();
    });

    it('gives a NaN cost and no T for non-finite θ; rejects θ of the wrong length and any call after destroy', async () => {
      const ev = await b!.createModelEvaluator({ program, data: expDecayData(200, false) });
      const nan = await ev.evaluate(Float64Array.of(1, Number.POSITIVE_INFINITY, 0), true);
      expect(Number.isNaN(nan.cost) && nan.T === null).toBe(true);
      const short = await ev.evaluate(Float64Array.of(1, 2), true).then(() => null, (e: unknown) => e);
      expect(short).toBeInstanceOf(NlsqRangeError);
      expect((short as NlsqRangeError).argument).toBe('theta');
      ev.destroy();
      ev.destroy();
      const after = await ev.evaluate(theta, true).then(() => null, (e: unknown) => e);
      expect(after).toBeInstanceOf(NlsqError);
      expect((after as NlsqError).code).toBe('ERR_BACKEND_UNAVAILABLE');
    });
  });
}

/** What each block member gives on `k` for the rows A (rows × cols), keyed by member. */
function memberResults(k: Backend, A: Float64Array, rows: number, cols: number): Record<BlockMember, unknown> {
  const fresh = k.createWorkspace(rows, cols);
  const zeros = [...fresh.data()];
  k.releaseWorkspace(fresh);
  const ws = k.createWorkspace(rows, cols);
  ws.data().set(A);
  const G = new Float64Array(cols * cols);
  k.gram(G, ws, rows);
  const T = new Float64Array(cols * cols);
  k.foldRows(T, ws, rows);
  k.releaseWorkspace(ws);
  const merged = Float64Array.from(T);
  k.mergeTriangles(merged, Float64Array.from(T, (v) => v / 3), cols);
  return {
    createWorkspace: zeros,
    releaseWorkspace: null,
    foldRows: [...T],
    mergeTriangles: [...merged],
    gram: [...G],
    sumSquares: [k.sumSquares(A, 0, A.length), k.sumSquares(A, 1, Math.floor((A.length - 1) / 2), 2)],
    dot: k.dot(A, A, 0, A.length),
    maxAbs: k.maxAbs(A, 0, A.length),
  };
}

describe('info.hostDelegated and the capability', () => {
  for (const { name, backend: b } of host.flatMap((h) => (h.backend === null ? [] : [h]))) {
    it(`${name}: a host backend delegates nothing and has no device evaluator`, () => {
      expect(b!.info.hostDelegated ?? []).toEqual([]);
      expect(b!.createModelEvaluator).toBeUndefined();
    });
  }

  for (const { name, backend: b } of devices.flatMap((d) => (d.backend === null ? [] : [d]))) {
    const delegated = b!.info.hostDelegated ?? [];

    it(`${name}: has the device evaluator and names only block members as delegated`, () => {
      expect(typeof b!.createModelEvaluator).toBe('function');
      expect(delegated.length).toBeGreaterThan(0);
      for (const m of delegated) expect(BLOCK_MEMBERS).toContain(m);
    });

    test.prop([fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 })], { numRuns: 15 })(
      `${name}: every delegated member gives the CPU backend's result bit for bit`,
      (rows, cols, seed) => {
        const A = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(seed + 1.37 * i) * 10 ** ((i % 5) - 2));
        const got = memberResults(b!, A, rows, cols);
        const want = memberResults(cpu, A, rows, cols);
        for (const m of delegated) expect(got[m], m).toEqual(want[m]);
      },
    );
  }
});
