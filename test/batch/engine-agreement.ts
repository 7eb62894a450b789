/** The agreement of two batch engines (WASM against the CPU reference), shared by the engine suites. */
import { expect } from 'vitest';
import { fitBatch } from '../../src/fit-batch.ts';
import type { FitBatchData, FitBatchOptions } from '../../src/batch/batch-options.ts';
import type { BatchResult } from '../../src/batch/batch-result.ts';

/** max over entries of |a − b| / max(|b|, 1) (∞ entries must match exactly). */
export function worst(a: Float64Array, b: Float64Array): number {
  let w = 0;
  for (let q = 0; q < a.length; q++) {
    const x = a[q]!;
    const y = b[q]!;
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (!Object.is(x, y)) return Infinity;
      continue;
    }
    w = Math.max(w, Math.abs(x - y) / Math.max(Math.abs(y), 1));
  }
  return w;
}

/** Run the batch on both engines; the WASM engine must run it. */
export async function both(m: Parameters<typeof fitBatch>[0], data: FitBatchData, options: FitBatchOptions): Promise<{ w: BatchResult; c: BatchResult }> {
  const w = await fitBatch(m, data, { ...options, engine: 'wasm' });
  const c = await fitBatch(m, data, { ...options, engine: 'cpu' });
  expect(w.plan.engine).toBe('wasm');
  expect(c.plan.engine).toBe('cpu');
  return { w, c };
}

/** A message with its decimals cut to 8 significant digits (a trial point is printed in full). */
export const digits = (m: string) => m.replace(/-?\d+\.\d+(e[-+]?\d+)?/g, (v) => Number(v).toPrecision(8));

/**
 * Engines agree: popt, perr, cost and χ² to 1e-10 relative for every fit that ends alike (same
 * status and nfev); every fit succeeds or fails alike, failures with the same status, count and
 * message. Among successes the code may differ where MINPACK's tests compare rounding: at the
 * solution actred and prered are rounding-level, so "ratio ≤ 2" in the ftol test (xtol 3 ↔
 * ftol-xtol 4, ftol 2 ↔ 4) and the Δ update that follows the ratio can go either way — a
 * differently rounded fold (the wasm fold sums its dot products in another order, exp is
 * AssemblyScript's) may take one more or one fewer step there. Such a fit agrees to what that
 * last step can move: Δ ≤ xtol·‖D x‖, so 10·xtol relative (found: 2.2e-10 on an 8-point fit
 * at noise 1e-4, fast-check seed −342341508).
 */
export function expectEnginesAgree(w: BatchResult, c: BatchResult, tol = 1e-10, xtol = 1e-8): void {
  const P = w.popt.length / w.status.length;
  const row = (a: Float64Array, i: number, k: number) => a.subarray(i * k, (i + 1) * k);
  let same = 0;
  for (let i = 0; i < w.status.length; i++) {
    const sw = w.status[i]!;
    const sc = c.status[i]!;
    const alike = sw === sc && w.nfev[i] === c.nfev[i];
    const t = alike ? tol : Math.max(tol, 10 * xtol);
    expect([i, worst(row(w.popt, i, P), row(c.popt, i, P)) <= t]).toEqual([i, true]);
    expect([i, worst(row(w.perr, i, P), row(c.perr, i, P)) <= t]).toEqual([i, true]);
    expect([i, worst(row(w.cost, i, 1), row(c.cost, i, 1)) <= t]).toEqual([i, true]);
    expect([i, worst(row(w.chiSquare, i, 1), row(c.chiSquare, i, 1)) <= t]).toEqual([i, true]);
    if (sw <= 0 || sc <= 0) {
      expect([i, sw, w.nfev[i], digits(w.message(i))]).toEqual([i, sc, c.nfev[i], digits(c.message(i))]);
      expect(w.nit[i]).toBe(c.nit[i]);
    } else {
      expect(Math.abs(w.nfev[i]! - c.nfev[i]!)).toBeLessThanOrEqual(1);
      if (alike) same++;
    }
  }
  // rounding flips are rare: at least 90 % of the successes end exactly alike
  const successes = Array.from(c.status).filter((s) => s > 0).length;
  expect(same).toBeGreaterThanOrEqual(Math.floor(0.9 * successes));
}
