/**
 * The block structure of a stacked model (src/model/kernel-blocks.ts): the fill closure against a
 * dense QR fold (fast-check), the blocks of a global model, and the fallbacks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { gatherTriangle, scatterTriangle, type BlockFold } from '../../src/evaluate/block-folds.ts';
import { buildGlobalModel } from '../../src/model/global-model.ts';
import { closeUnderFill, indicatorBlocks } from '../../src/model/kernel-blocks.ts';
import { model } from '../../src/model/model.ts';
import type { KernelBlock } from '../../src/model/model-kernel.ts';
import { substituteModel, layoutParams } from '../../src/model/tie-params.ts';
import { params } from '../../src/model/params.ts';

const backend = createCpuBackend();

/** (TᵀT) of a cols × cols triangle, row-major. */
function gram(T: Float64Array, cols: number): Float64Array {
  const G = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) for (let b = 0; b < cols; b++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += T[i * cols + a]! * T[i * cols + b]!;
    G[a * cols + b] = s;
  }
  return G;
}

describe('closeUnderFill', () => {
  it('adds the columns the fold would fill: {mu}, {s}, {mu, s} with mu < s', () => {
    expect(closeUnderFill([[0], [1], [0, 1]], 2)).toEqual([[0, 1], [1], [0, 1]]);
    // own columns first, shared last: nothing to add
    expect(closeUnderFill([[0, 3, 4], [1, 3, 4], [2, 3, 4]], 5)).toEqual([[0, 3, 4], [1, 3, 4], [2, 3, 4]]);
  });

  it('folding each block into its closed sub-triangle equals the dense fold of the zero-padded rows (random patterns and rows)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }).chain((p) =>
          fc.tuple(
            fc.constant(p),
            fc.array(fc.tuple(fc.uniqueArray(fc.integer({ min: 0, max: p - 1 }), { minLength: 1, maxLength: p }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 6 }),
            fc.integer({ min: 1, max: 1 << 30 }),
          ),
        ),
        ([p, blocks, seed]) => {
          const sets = blocks.map(([s]) => [...s].sort((a, b) => a - b));
          const closed = closeUnderFill(sets, p);
          closed.forEach((c, b) => expect(sets[b]!.every((j) => c.includes(j))).toBe(true));
          const cols = p + 1;
          let state = seed;
          const rand = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
          const Tdense = new Float64Array(cols * cols);
          const Tblock = new Float64Array(cols * cols);
          blocks.forEach(([, rows], b) => {
            const set = sets[b]!;
            const c = closed[b]!;
            const full = backend.createWorkspace(rows, cols);
            const part = backend.createWorkspace(rows, c.length + 1);
            for (let i = 0; i < rows; i++) {
              const row = new Float64Array(cols);
              for (const j of set) row[j] = rand();
              row[p] = rand();
              full.data().set(row, i * cols);
              c.forEach((j, q) => (part.data()[i * (c.length + 1) + q] = row[j]!));
              part.data()[i * (c.length + 1) + c.length] = row[p]!;
            }
            backend.foldRows(Tdense, full, rows);
            const f = { index: Int32Array.from([...c, p]), T: new Float64Array((c.length + 1) ** 2) } as unknown as BlockFold;
            gatherTriangle(f, Tblock, cols);
            backend.foldRows(f.T, part, rows);
            scatterTriangle(f, Tblock, cols);
          });
          const want = gram(Tdense, cols);
          const got = gram(Tblock, cols);
          const scale = Math.max(1, ...Array.from(want, Math.abs));
          for (let e = 0; e < want.length; e++) expect(Math.abs(got[e]! - want[e]!)).toBeLessThanOrEqual(1e-12 * scale);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('without the closure the block fold is wrong (the property above can fail)', () => {
    // {mu} then {mu, s}: R's row mu has a non-zero in s, so a fold of {mu}-rows into the mu-only
    // sub-triangle misses the fill in s.
    const cols = 3;
    const T = new Float64Array(cols * cols);
    const wsBoth = backend.createWorkspace(2, cols);
    wsBoth.data().set([1, 2, 0.5, 3, -1, 0.25]);
    backend.foldRows(T, wsBoth, 2);
    const dense = Float64Array.from(T);
    const wsMu = backend.createWorkspace(1, cols);
    wsMu.data().set([2, 0, 1]);
    backend.foldRows(dense, wsMu, 1);
    const f = { index: Int32Array.of(0, 2), T: new Float64Array(4) } as unknown as BlockFold;
    gatherTriangle(f, T, cols);
    const wsSub = backend.createWorkspace(1, 2);
    wsSub.data().set([2, 1]);
    backend.foldRows(f.T, wsSub, 1);
    scatterTriangle(f, T, cols);
    const a = gram(T, cols);
    const b = gram(dense, cols);
    expect(Math.max(...Array.from(a, (v, e) => Math.abs(v - b[e]!)))).toBeGreaterThan(0.1);
  });
});

describe('indicatorBlocks', () => {
  const m = model('A*exp(-(x - mu)^2/(2*s^2)) + c');
  const parts = [0, 1, 2].map(() => ({ model: m, params: { A: 'own', c: 'own' } as const }));

  it('gives each dataset its own and the shared columns, own parameters ordered first', () => {
    const g = buildGlobalModel('test', parts);
    expect(g.model.params).toEqual(['A_0', 'c_0', 'A_1', 'c_1', 'A_2', 'c_2', 'mu', 's']);
    expect(g.model.indicators).toEqual(['d__0', 'd__1', 'd__2']);
    const kernel = g.model.createKernel();
    const blocks = kernel.blocks!;
    expect(blocks.map((b) => b.columns)).toEqual([[0, 1, 6, 7], [2, 3, 6, 7], [4, 5, 6, 7]]);
    expect(blocks.map((b) => b.variables.map((v) => g.model.variables[v]))).toEqual([['x__0'], ['x__1'], ['x__2']]);
    expect(blocks.map((b) => b.model.params)).toEqual([['A_0', 'c_0', 'mu', 's'], ['A_1', 'c_1', 'mu', 's'], ['A_2', 'c_2', 'mu', 's']]);
    // the blocks are shared between two builds of the same global model
    expect(buildGlobalModel('test', parts).model.createKernel().blocks![1]!.model).toBe(blocks[1]!.model);
  });

  it('keeps the blocks through fixed parameters and ties, and has none when a dataset keeps no free parameter', () => {
    const g = buildGlobalModel('test', parts);
    const tied = substituteModel(g.model, layoutParams('test', params({ A_0: 1, c_0: 0, A_1: { expr: '2*A_0' }, c_1: 0, A_2: 1, c_2: { value: 0.1, vary: false }, mu: 0, s: 1 }), g.model.params));
    expect(tied.indicators).toEqual(['d__0', 'd__1', 'd__2']);
    const cols = (tied.createKernel().blocks as readonly KernelBlock[]).map((b) => b.columns.map((j) => tied.params[j]));
    // A_1 = 2·A_0 puts A_0 in dataset 1's block; eliminating A_0 then fills c_1 into block 0's rows
    // of R and c_0 into block 1's, so the closure adds them (zero columns in those rows).
    expect(cols).toEqual([['A_0', 'c_0', 'c_1', 'mu', 's'], ['A_0', 'c_0', 'c_1', 'mu', 's'], ['A_2', 'mu', 's']]);
    const one = buildGlobalModel('test', [{ model: model('A*x'), params: { A: 'own' } }, { model: model('B*x'), params: { B: 'own' } }]);
    const fixed = substituteModel(one.model, layoutParams('test', params({ A_0: 1, B_1: { value: 2, vary: false } }), one.model.params));
    expect(fixed.createKernel().blocks).toBeUndefined();
    expect(indicatorBlocks(fixed.ast, fixed.params.length, [0, 2])).toBeUndefined();
  });

  it('rejects indicators that are not variables of the model', () => {
    expect(() => model('a*d + b*x', { variables: ['d', 'x'], indicators: ['q'] })).toThrow(/model: indicators must name variables of the model \(d, x\), got "q"/);
    expect(() => model('a*d + b*x', { variables: ['d', 'x'], indicators: 'd' as never })).toThrow(/model: indicators must be an array of the model's variable names, got "d"/);
  });
});
