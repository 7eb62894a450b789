/**
 * One conformance suite for every backend that loads here (see backends-under-test.ts): the
 * kernels against ml-matrix and the CPU reference, with tolerances from `info.epsilon`.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { Matrix } from 'ml-matrix';
import type { Backend } from '../../src/backends/backend.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { NlsqRangeError } from '../../src/errors.ts';
import { loadBackendsUnderTest, tolerances } from './backends-under-test.ts';

const loaded = await loadBackendsUnderTest();
const cpu = createCpuBackend();

interface Block {
  m: number;
  c: number;
  data: Float64Array;
}

/**
 * Blocks of m × c values k/100 (|k| ≤ 1000) with a per-column scale 10^e, e ∈ [−4, 4]: realistic
 * ill-conditioning without entries whose squares underflow (scaled and degenerate blocks are in
 * fold-degenerate-conformance.test.ts).
 */
const blockArb = (maxRows = 120, maxCols = 10) =>
  fc
    .record({ m: fc.integer({ min: 1, max: maxRows }), c: fc.integer({ min: 1, max: maxCols }) })
    .chain(({ m, c }) =>
      fc
        .tuple(
          fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: m * c, maxLength: m * c }),
          fc.array(fc.integer({ min: -4, max: 4 }), { minLength: c, maxLength: c }),
        )
        .map(([ks, es]): Block => ({ m, c, data: Float64Array.from(ks, (k, i) => (k / 100) * 10 ** es[i % c]!) })),
    );

/** Fold the rows of `a` into a fresh triangle, block by block in the given order. */
function foldBlocks(b: Backend, a: Block, blocks: readonly (readonly [number, number])[]): Float64Array {
  const cap = Math.max(1, ...blocks.map(([, n]) => n));
  const ws = b.createWorkspace(cap, a.c);
  const T = new Float64Array(a.c * a.c);
  for (const [start, n] of blocks) {
    ws.data().set(a.data.subarray(start * a.c, (start + n) * a.c));
    b.foldRows(T, ws, n);
  }
  b.releaseWorkspace(ws);
  return T;
}

function splitBlocks(m: number, size: number, reverse: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < m; s += size) out.push([s, Math.min(size, m - s)]);
  return reverse ? out.reverse() : out;
}

function ata(a: Block): Matrix {
  const A = new Matrix(a.m, a.c);
  for (let i = 0; i < a.m; i++) for (let j = 0; j < a.c; j++) A.set(i, j, a.data[i * a.c + j]!);
  return A.transpose().mmul(A);
}

function rtr(T: Float64Array, c: number): Matrix {
  const R = new Matrix(c, c);
  for (let i = 0; i < c; i++) for (let j = i; j < c; j++) R.set(i, j, T[i * c + j]!);
  return R.transpose().mmul(R);
}

function maxDiff(X: Matrix, Y: Matrix): number {
  let d = 0;
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.columns; j++) d = Math.max(d, Math.abs(X.get(i, j) - Y.get(i, j)));
  return d;
}

const frob2 = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);

for (const { name, backend, skipReason } of loaded) {
  if (!backend) {
    describe.skip(`${name} conformance (skipped: ${skipReason})`, () => {
      it('loads', () => undefined);
    });
    continue;
  }
  const b = backend;
  const tol = tolerances(b.info.epsilon);

  describe(`${name} conformance`, () => {
    describe('foldRows', () => {
      test.prop([blockArb(), fc.integer({ min: 1, max: 40 }), fc.boolean()], { numRuns: 60 })(
        'gives RᵀR = AᵀA (ml-matrix) whatever the block split and order',
        (a, size, reverse) => {
          const T = foldBlocks(b, a, splitBlocks(a.m, size, reverse));
          expect(maxDiff(rtr(T, a.c), ata(a))).toBeLessThanOrEqual(tol.fold(a.c, frob2(a.data)));
        },
      );

      test.prop([blockArb(200, 10)], { numRuns: 40 })('matches the CPU reference triangle in one block', (a) => {
        const T = foldBlocks(b, a, [[0, a.m]]);
        const ref = foldBlocks(cpu, a, [[0, a.m]]);
        // R is unique up to the sign of each row (a sign flips when a diagonal entry is ≈ 0).
        const bound = tol.fold(a.c, frob2(a.data)) / Math.sqrt(frob2(a.data) || 1) + 1e-300;
        for (let i = 0; i < a.c; i++) {
          let same = 0, flipped = 0;
          for (let j = i; j < a.c; j++) {
            same = Math.max(same, Math.abs(T[i * a.c + j]! - ref[i * a.c + j]!));
            flipped = Math.max(flipped, Math.abs(T[i * a.c + j]! + ref[i * a.c + j]!));
          }
          expect(Math.min(same, flipped)).toBeLessThanOrEqual(4 * bound);
        }
      });

      it('gives the R factor of a tall block independently of the split at full rank', () => {
        const m = 5000, c = 9;
        const data = new Float64Array(m * c).map((_, i) => Math.sin(0.37 * i) + ((i * 7919) % 13) / 13);
        const a = { m, c, data };
        const whole = foldBlocks(b, a, [[0, m]]);
        const split = foldBlocks(b, a, splitBlocks(m, 333, true));
        for (let i = 0; i < c; i++) {
          const s = Math.sign(whole[i * c + i]!) * Math.sign(split[i * c + i]!);
          for (let j = i; j < c; j++) expect(Math.abs(split[i * c + j]! * s - whole[i * c + j]!)).toBeLessThanOrEqual(1e-10 * Math.sqrt(frob2(data)));
        }
      });

      it('leaves T unchanged when folding zero rows, and skips all-zero columns', () => {
        const T = new Float64Array([2, 1, 0, 3]);
        const ws = b.createWorkspace(4, 2);
        b.foldRows(T, ws, 0);
        expect(Array.from(T)).toEqual([2, 1, 0, 3]);
        b.foldRows(T, ws, 4);
        expect(Array.from(T)).toEqual([2, 1, 0, 3]);
        b.releaseWorkspace(ws);
      });

      it('propagates NaN so a failed evaluation is detected', () => {
        const T = foldBlocks(b, { m: 2, c: 2, data: new Float64Array([1, NaN, 2, 3]) }, [[0, 2]]);
        expect(Number.isNaN(T[3]!)).toBe(true);
      });
    });

    describe('mergeTriangles', () => {
      test.prop([blockArb(30, 8), blockArb(30, 8)], { numRuns: 40 })('merging two partial triangles equals folding all rows', (a, c2) => {
        fc.pre(a.c === c2.c);
        const T = foldBlocks(b, a, [[0, a.m]]);
        const S = foldBlocks(b, c2, [[0, c2.m]]);
        b.mergeTriangles(T, S, a.c);
        const all: Block = { m: a.m + c2.m, c: a.c, data: Float64Array.from([...a.data, ...c2.data]) };
        expect(maxDiff(rtr(T, a.c), ata(all))).toBeLessThanOrEqual(tol.fold(a.c, frob2(all.data)));
      });

      it('ignores whatever lies below the diagonal of S', () => {
        const T = new Float64Array([1, 2, 0, 3]);
        const S = new Float64Array([4, 5, 99, 6]);
        b.mergeTriangles(T, S, 2);
        const ref = new Float64Array([1, 2, 0, 3]);
        cpu.mergeTriangles(ref, new Float64Array([4, 5, 0, 6]), 2);
        for (let i = 0; i < 4; i++) expect(T[i]!).toBeCloseTo(ref[i]!, 13);
      });
    });

    describe('gram', () => {
      test.prop([blockArb(700, 10)], { numRuns: 40 })('accumulates the upper triangle of AᵀA and leaves the lower one alone', (a) => {
        const ws = b.createWorkspace(a.m, a.c);
        ws.data().set(a.data);
        const G = new Float64Array(a.c * a.c).fill(1);
        b.gram(G, ws, a.m);
        b.releaseWorkspace(ws);
        const ref = ata(a);
        const absSum = a.data.reduce((s, v) => s + v * v, 0);
        for (let i = 0; i < a.c; i++) {
          for (let j = 0; j < a.c; j++) {
            if (j < i) expect(G[i * a.c + j]).toBe(1);
            else expect(Math.abs(G[i * a.c + j]! - 1 - ref.get(i, j))).toBeLessThanOrEqual(tol.sum(a.m, absSum) + 2 * b.info.epsilon);
          }
        }
      });
    });

    describe('reductions', () => {
      const vecArb = fc.float64Array({ minLength: 0, maxLength: 3000, min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
      test.prop([vecArb, fc.nat(), fc.integer({ min: 1, max: 3 })], { numRuns: 60 })('sumSquares agrees with the reference on plain arrays and own memory', (v, off, stride) => {
        const offset = v.length ? off % v.length : 0;
        const n = v.length ? Math.floor((v.length - offset - 1) / stride) + 1 : 0;
        let ref = 0;
        for (let i = 0; i < n; i++) ref += v[offset + i * stride]! ** 2;
        expect(Math.abs(b.sumSquares(v, offset, n, stride) - ref)).toBeLessThanOrEqual(tol.sum(n, ref));
        const ws = b.createWorkspace(Math.max(1, v.length), 1);
        ws.data().set(v);
        expect(Math.abs(b.sumSquares(ws.data(), offset, n, stride) - ref)).toBeLessThanOrEqual(tol.sum(n, ref));
        b.releaseWorkspace(ws);
      });

      test.prop([vecArb], { numRuns: 40 })('dot and maxAbs agree with the reference', (v) => {
        const w = v.map((x, i) => x * Math.cos(i));
        let ref = 0, abs = 0, mx = 0;
        for (let i = 0; i < v.length; i++) { ref += v[i]! * w[i]!; abs += Math.abs(v[i]! * w[i]!); mx = Math.max(mx, Math.abs(v[i]!)); }
        expect(Math.abs(b.dot(v, w, 0, v.length) - ref)).toBeLessThanOrEqual(tol.sum(v.length, abs));
        expect(b.maxAbs(v, 0, v.length)).toBe(mx);
      });

      it('sums 100 000 terms well beyond one chunk with pairwise accuracy', () => {
        const n = 100_003;
        const v = new Float64Array(n).map((_, i) => 1 + 1e-3 * Math.sin(i));
        expect(b.sumSquares(v, 0, n)).toBeCloseTo(cpu.sumSquares(v, 0, n), 7);
        expect(b.dot(v, v, 2, n - 2)).toBeCloseTo(cpu.dot(v, v, 2, n - 2), 7);
      });

      it('returns NaN from maxAbs when an entry is NaN, and 0 for empty input', () => {
        const v = new Float64Array(50).fill(1);
        v[37] = NaN;
        expect(b.maxAbs(v, 0, 50)).toBeNaN();
        expect(b.maxAbs(v, 0, 0)).toBe(0);
        expect(b.sumSquares(v, 0, 0)).toBe(0);
        expect(b.dot(v, v, 0, 0)).toBe(0);
      });
    });

    describe('workspaces', () => {
      it('are zero-filled with the asked shape, also when memory is reused', () => {
        const ws = b.createWorkspace(100, 3);
        ws.data().fill(7);
        b.releaseWorkspace(ws);
        const again = b.createWorkspace(50, 3);
        expect(again.capacity).toBe(50);
        expect(again.cols).toBe(3);
        expect(again.data().length).toBe(150);
        expect(again.data().every((x) => x === 0)).toBe(true);
        b.releaseWorkspace(again);
      });

      it('keep their contents when a later allocation grows memory (views are rebuilt)', () => {
        const small = b.createWorkspace(10, 4);
        small.data().forEach((_, i, d) => (d[i] = i + 1));
        const big = b.createWorkspace(1 << 20, 4); // 32 MiB: forces a grow on wasm
        expect(small.data().length).toBe(40);
        expect(small.data()[39]).toBe(40);
        const T = new Float64Array(16);
        b.foldRows(T, small, 10);
        const ref = new Float64Array(16);
        const rows = Float64Array.from({ length: 40 }, (_, i) => i + 1);
        const cw = cpu.createWorkspace(10, 4);
        cw.data().set(rows);
        cpu.foldRows(ref, cw, 10);
        for (let i = 0; i < 16; i++) expect(T[i]!).toBeCloseTo(ref[i]!, 10);
        b.releaseWorkspace(big);
        b.releaseWorkspace(small);
      });

      it('reject non-positive or fractional sizes and sizes beyond maxBufferBytes', () => {
        expect(() => b.createWorkspace(0, 3)).toThrow(NlsqRangeError);
        expect(() => b.createWorkspace(1.5, 3)).toThrow(/capacity and cols must be positive integers, got 1.5 × 3/);
        expect(() => b.createWorkspace(4, 0)).toThrow(expect.objectContaining({ code: 'ERR_RANGE', argument: 'cols' }));
        expect(() => b.createWorkspace(Math.ceil(b.info.maxBufferBytes / 8) + 1, 1)).toThrow(expect.objectContaining({ code: 'ERR_RANGE', argument: 'capacity' }));
      });
    });

    it('describes itself consistently', () => {
      expect(b.info.name).toBe(name);
      expect(b.info.epsilon).toBe(b.info.precision === 'f64' ? 2 ** -52 : 2 ** -23);
      expect(b.info.maxBufferBytes).toBeLessThanOrEqual(b.info.memoryBytes);
    });

    // ── Whole-fit conformance ────────────────────────────────────────────────────────────────
    // The lead adds NIST StRD and SciPy-fixture fits here, run through
    // `curveFit(..., { backend: b })` for every backend in `loaded`, with the tolerance from
    // `tolerances(b.info.epsilon)` (or LRE thresholds per precision). Keep them inside this
    // describe so a backend that cannot load is skipped with its reason like the kernels above.
  });
}
