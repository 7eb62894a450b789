/**
 * Entry point of the nlsq WebAssembly kernels (AssemblyScript). Compiled twice by
 * `scripts/build-wasm.mjs`: with `--enable simd` (f64x2 paths) and without (scalar paths);
 * `ASC_FEATURE_SIMD` selects the branch at compile time. No runtime, no allocation: the host
 * manages linear memory and passes byte offsets.
 */
export { fold, foldColumnMajorDots, foldDotsOffset, foldScratchDoubles, subRows } from './fold';
export { gram, gramScratchDoubles } from './gram';
export { lmBatch, lmLinearizationAt, lmRecordDoubles, lmWorkBytes } from './lm-batch';
export { thinSvd as svdThin } from './svd';
export { trfBatch, trfRecordDoubles, trfWorkBytes } from './trf-batch';
export { dot, heapBase, maxAbs, sumSquares } from './reduce';
export { mathAcos, mathAsin, mathAtan, mathAtan2, mathCbrt, mathCos, mathCosh, mathErf, mathErfc, mathExp, mathFaddeevaIm, mathFaddeevaRe, mathHypot, mathLog, mathLog10, mathLog2, mathPow, mathSin, mathSinh, mathTan, mathTanh } from './math';
