import { describe, expect, it } from 'vitest';
import { generateWasmModel } from '../../../src/backends/wasm/codegen-wasm.ts';
import { MAX_INLINE_EXPS, MAX_INTERLEAVED_INSTRUCTIONS, generateWasmModelSimd } from '../../../src/backends/wasm/codegen-wasm-simd.ts';
import { createWasmBackend } from '../../../src/backends/wasm/wasm-backend.ts';
import { createWasmModelKernel } from '../../../src/backends/wasm/wasm-model-kernel.ts';
import { model, type Model } from '../../../src/model/model.ts';
import { column, rng } from './wasm-test-support.ts';

const wasm = await createWasmBackend();
const scalar = await createWasmBackend({ simd: false });

/** Π exp(pᵢ·x) or Π (x + pᵢ) over n parameters. */
function product(kind: 'exp' | 'shift', n: number): Model {
  const params = Array.from({ length: n }, (_, i) => `p${i}`);
  return model(params.map((p) => (kind === 'exp' ? `exp(${p}*x)` : `(x + ${p})`)).join('*'), { params });
}

describe('f64x2 module size', () => {
  it('stays within 10× the scalar module for products of 50–200 factors, 6× past the interleaving limit (issue 21: 23×)', () => {
    for (const kind of ['exp', 'shift'] as const) {
      for (const n of [50, 100, 200]) {
        const program = product(kind, n).program;
        const simd = generateWasmModelSimd(program).bytes.length;
        const plain = generateWasmModel(program).bytes.length;
        const factor = program.instructions.length > MAX_INTERLEAVED_INSTRUCTIONS ? 6 : 10;
        expect(simd, `${kind} ${n}`).toBeLessThanOrEqual(factor * plain);
      }
    }
    expect(generateWasmModelSimd(product('exp', 200).program).bytes.length).toBeLessThan(400_000);
  });

  it(`inlines the vector exp up to ${MAX_INLINE_EXPS} exps and imports the scalar exp past that`, () => {
    expect(generateWasmModelSimd(product('exp', MAX_INLINE_EXPS).program).imports.has('exp')).toBe(false);
    expect(generateWasmModelSimd(product('exp', MAX_INLINE_EXPS + 1).program).imports.get('exp')).toBe('mathExp');
    expect(product('shift', 200).program.instructions.length).toBeGreaterThan(MAX_INTERLEAVED_INSTRUCTIONS);
  });

  it.skipIf(wasm.info.name !== 'wasm-simd')('computes the rows of large programs bit for bit as the scalar module (lane-split exp, one pair per iteration)', () => {
    const rand = rng(21);
    for (const [kind, n] of [['exp', 20], ['exp', 100], ['shift', 200]] as const) {
      const m = product(kind, n);
      const theta = Float64Array.from({ length: n }, () => (kind === 'exp' ? (rand() - 0.5) / n : 0.5 + rand()));
      const points = 37; // pairs and an odd last point
      const data = { x: [column(points, rand, 0, 1)], y: column(points, rand, 0, 1), w: column(points, rand, 0.5, 1.5) };
      const rows = (backend: typeof wasm, simd: boolean): Float64Array => {
        const k = createWasmModelKernel(m.program, backend, { simd })!;
        const out = new Float64Array(points * (n + 1));
        k.residualRows(theta, data, 0, points, out, 0);
        k.dispose();
        return out;
      };
      const a = rows(wasm, true);
      expect(Array.from(a).every(Number.isFinite)).toBe(true);
      expect(a).toEqual(rows(scalar, false));
    }
  });
});
