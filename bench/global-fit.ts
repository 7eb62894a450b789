/**
 * `fitGlobal` and its block structure, measured: k datasets of one Gaussian-plus-offset model
 * (own amplitude and offset per dataset, shared centre and width; and all four shared), fitted
 *
 * - `stacked, blocks`: `fit()` of the stacked model `fitGlobal` builds, with its blocks (each
 *   dataset's rows evaluated by its own term and folded into its own columns,
 *   `evaluate/block-folds.ts`);
 * - `stacked, no blocks`: the same stacked model without declared indicators — every row
 *   evaluates all k terms and folds all 2k + 2 columns (the path before the blocks);
 * - `fitGlobal`: the whole call (building and compiling the stacked model, stacking the data,
 *   per-dataset statistics) on top of `stacked, blocks`;
 * - `concatenated`: one model over the concatenated data (all parameters shared; the peer of
 *   the all-shared global fit, which gives the same result).
 *
 * Round-robin timing on each backend (cpu, wasm-simd), so the ratios hold on a shared machine.
 *
 * `npm run bench -- stacked`.
 */
import type { Backend } from '../src/backends/backend.ts';
import { fit } from '../src/fit.ts';
import { fitGlobal, type GlobalDataset } from '../src/fit-global.ts';
import { buildGlobalModel, globalParams, stackData } from '../src/model/global-model.ts';
import { Model, model } from '../src/model/model.ts';
import { type BenchRow, measureRoundRobin } from './harness.ts';

const K = 8;
const N_EACH = 25_000;

function datasets(sharing: 'own' | 'shared'): GlobalDataset[] {
  const m = model('A*exp(-(x - mu)^2/(2*s^2)) + c');
  return Array.from({ length: K }, (_, k) => {
    const x = Float64Array.from({ length: N_EACH }, (_, i) => -6 + (12 * i) / N_EACH + 0.001 * k);
    const A = sharing === 'own' ? 1 + 0.3 * k : 2;
    const c = sharing === 'own' ? 0.05 * k : 0.1;
    const y = Float64Array.from(x, (t, i) => A * Math.exp(-((t - 0.3) ** 2) / (2 * 1.1 * 1.1)) + c + 0.01 * Math.sin(12.9898 * i + k));
    return { model: m, x, y, ...(sharing === 'own' ? { params: { A: 'own', c: 'own' } as const } : {}) };
  });
}

const P = { A: 1.5, c: 0, mu: 0, s: { value: 1, min: 0 } };

/**
 * The stacked, concatenated and block-structured fits on each backend, timed round-robin.
 * @param backends - the backends to run on.
 * @returns the rows (peer: the concatenated fit).
 */
export async function benchStacked(backends: readonly Backend[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const sharing of ['own', 'shared'] as const) {
    const ds = datasets(sharing);
    const g = buildGlobalModel('bench', ds);
    const dense = new Model(g.model.source, { params: g.model.params, variables: g.model.variables });
    const stacked = stackData(ds.map((d) => ({ x: [Float64Array.from(d.x as Float64Array)], y: Float64Array.from(d.y) })));
    const set = globalParams('bench', P, g);
    const xcat = Float64Array.from(ds.flatMap((d) => Array.from(d.x as Float64Array)));
    const ycat = Float64Array.from(ds.flatMap((d) => Array.from(d.y)));
    const m = ds[0]!.model;
    for (const backend of backends) {
      const impl = backend.info.name;
      const nfev: Record<string, number> = {};
      const bodies = [
        async () => (nfev['concatenated'] = (await fit(m, xcat, ycat, { params: P, backend, workflow: 'standard' })).nfev),
        async () => (nfev['blocks'] = (await fit(g.model, stacked.x, stacked.y, { params: set, backend, workflow: 'standard' })).nfev),
        async () => (nfev['dense'] = (await fit(dense, stacked.x, stacked.y, { params: set, backend, workflow: 'standard' })).nfev),
        async () => (nfev['fitGlobal'] = (await fitGlobal(ds, { params: P, backend, workflow: 'standard' })).result.nfev),
      ];
      const [cat, blocked, before, whole] = await measureRoundRobin(bodies, { warmup: 1, minRuns: 7, maxRuns: 9 });
      const section = `stacked ${sharing} ${impl}`;
      const concatName = `${section}: concatenated (${K}×${N_EACH} points, p = 4)`;
      const p = sharing === 'own' ? 2 * K + 2 : 4;
      rows.push(
        { section, name: concatName, impl, ...cat!, extra: { nfev: nfev['concatenated']! } },
        { section, name: `${section}: stacked, blocks (p = ${p})`, impl, ...blocked!, peer: concatName, extra: { nfev: nfev['blocks']! } },
        { section, name: `${section}: stacked, no blocks (p = ${p})`, impl, ...before!, peer: concatName, extra: { nfev: nfev['dense']! } },
        { section, name: `${section}: fitGlobal, whole call (p = ${p})`, impl, ...whole!, peer: concatName, extra: { nfev: nfev['fitGlobal']! } },
      );
    }
  }
  return rows;
}
