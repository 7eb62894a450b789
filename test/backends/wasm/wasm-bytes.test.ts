import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { decodeBase64, kernelBytes } from '../../../src/backends/wasm/wasm-module.ts';

const build = await import('../../../scripts/build-wasm.mjs');
let ascReason: string | null = null;
try {
  await import('assemblyscript/asc');
} catch (e) {
  ascReason = `asc is not available: ${(e as Error).message}`;
}

describe('wasm-bytes.generated.ts', () => {
  it.skipIf(ascReason !== null)(`equals a fresh compile of assembly/ by scripts/build-wasm.mjs${ascReason ? ` (skipped: ${ascReason})` : ''}`, async () => {
    const fresh = await build.buildModuleText();
    const current = await readFile(build.GENERATED_PATH, 'utf8');
    expect(current === fresh, 'the generated module is stale: run npm run build:wasm').toBe(true);
  });

  it('embeds two valid modules, the SIMD one using SIMD and the scalar one not', () => {
    const simd = kernelBytes('simd');
    const scalar = kernelBytes('scalar');
    expect(WebAssembly.validate(scalar)).toBe(true);
    expect(WebAssembly.validate(simd)).toBe(true);
    const exportsOf = (bytes: Uint8Array<ArrayBuffer>) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name).sort();
    const kernels = (bytes: Uint8Array<ArrayBuffer>) => exportsOf(bytes).filter((n) => !n.startsWith('math'));
    const math = (bytes: Uint8Array<ArrayBuffer>) => exportsOf(bytes).filter((n) => n.startsWith('math'));
    expect(kernels(simd)).toEqual([
      'dot', 'fold', 'foldColumnMajorDots', 'foldDotsOffset', 'foldScratchDoubles', 'gram', 'gramScratchDoubles', 'heapBase',
      'lmBatch', 'lmLinearizationAt', 'lmRecordDoubles', 'lmWorkBytes', 'maxAbs', 'memory', 'subRows', 'sumSquares', 'svdThin', 'table', 'trfBatch',
      'trfRecordDoubles', 'trfWorkBytes',
    ]);
    // The table is exported and growable: the batch engine puts a model's `cols` in it (assembly/lm-batch.ts).
    const table = WebAssembly.Module.exports(new WebAssembly.Module(simd)).find((e) => e.name === 'table');
    expect(table?.kind).toBe('table');
    // The math functions generated model kernels import (wasm → wasm calls, no JS per point).
    expect(math(simd)).toEqual(['mathAcos', 'mathAsin', 'mathAtan', 'mathAtan2', 'mathCbrt', 'mathCos', 'mathCosh', 'mathErf', 'mathErfc', 'mathExp', 'mathFaddeevaIm', 'mathFaddeevaRe', 'mathHypot', 'mathLog', 'mathLog10', 'mathLog2', 'mathPow', 'mathSin', 'mathSinh', 'mathTan', 'mathTanh']);
    expect(exportsOf(scalar)).toEqual(exportsOf(simd));
    expect(WebAssembly.Module.imports(new WebAssembly.Module(simd))).toEqual([]);
    // 0xfd is the SIMD opcode prefix: the SIMD build must contain it.
    const hasSimdPrefix = (b: Uint8Array) => b.some((x, i) => x === 0xfd && i > 8);
    expect(hasSimdPrefix(simd)).toBe(true);
    expect(scalar.length).toBeLessThan(simd.length);
  });
});

describe('kernelBytes', () => {
  it('decodes each variant once and hands out that array', () => {
    expect(kernelBytes('simd')).toBe(kernelBytes('simd'));
    expect(kernelBytes('scalar')).not.toBe(kernelBytes('simd'));
  });
});

describe('decodeBase64', () => {
  it('inverts Buffer base64 for every length mod 3', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256, 1000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(Array.from(decodeBase64(Buffer.from(bytes).toString('base64')))).toEqual(Array.from(bytes));
    }
  });
});
