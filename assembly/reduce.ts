/**
 * Pairwise reductions over f64 vectors in linear memory, AssemblyScript.
 *
 * Same scheme as `src/backends/cpu/pairwise-sum.ts`: blocks of up to {@link BLOCK} terms are
 * summed with several independent accumulators (four f64x2 with SIMD) and blocks are combined
 * recursively, so the rounding error grows as O(ε log n) (Higham, SIAM J. Sci. Comput. 14(4),
 * 1993). `maxAbs` is exact and propagates NaN (wasm `f64.max` / `f64x2.max` return NaN when
 * either operand is NaN). Pointers are byte offsets; strides are in elements.
 */

/** Terms summed directly before the recursion splits. */
const BLOCK: i32 = 256;

function ssqBlockScalar(p: usize, n: i32, strideBytes: usize): f64 {
  let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  let i = 0;
  for (; i + 4 <= n; i += 4, p += strideBytes << 2) {
    const a0 = load<f64>(p), a1 = load<f64>(p + strideBytes);
    const a2 = load<f64>(p + strideBytes * 2), a3 = load<f64>(p + strideBytes * 3);
    s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3;
  }
  for (; i < n; i++, p += strideBytes) s0 += load<f64>(p) * load<f64>(p);
  return (s0 + s1) + (s2 + s3);
}

function ssqBlockSimd(p: usize, n: i32): f64 {
  let v0 = f64x2.splat(0), v1 = f64x2.splat(0), v2 = f64x2.splat(0), v3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8, p += 64) {
    const a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
    v0 = f64x2.add(v0, f64x2.mul(a0, a0)); v1 = f64x2.add(v1, f64x2.mul(a1, a1));
    v2 = f64x2.add(v2, f64x2.mul(a2, a2)); v3 = f64x2.add(v3, f64x2.mul(a3, a3));
  }
  const v = f64x2.add(f64x2.add(v0, v1), f64x2.add(v2, v3));
  let s = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  for (; i < n; i++, p += 8) s += load<f64>(p) * load<f64>(p);
  return s;
}

/** Σ a_i² over n elements at p with the given element stride, pairwise. */
export function sumSquares(p: usize, n: i32, stride: i32): f64 {
  const strideBytes = <usize>stride << 3;
  if (n <= BLOCK) {
    if (ASC_FEATURE_SIMD && stride == 1) return ssqBlockSimd(p, n);
    return ssqBlockScalar(p, n, strideBytes);
  }
  const half = (n >> 1) & ~7;
  return sumSquares(p, half, stride) + sumSquares(p + <usize>half * strideBytes, n - half, stride);
}

function dotBlock(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let s = 0.0;
  if (ASC_FEATURE_SIMD) {
    let v0 = f64x2.splat(0), v1 = f64x2.splat(0), v2 = f64x2.splat(0), v3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8, a += 64, b += 64) {
      v0 = f64x2.add(v0, f64x2.mul(v128.load(a), v128.load(b)));
      v1 = f64x2.add(v1, f64x2.mul(v128.load(a, 16), v128.load(b, 16)));
      v2 = f64x2.add(v2, f64x2.mul(v128.load(a, 32), v128.load(b, 32)));
      v3 = f64x2.add(v3, f64x2.mul(v128.load(a, 48), v128.load(b, 48)));
    }
    const v = f64x2.add(f64x2.add(v0, v1), f64x2.add(v2, v3));
    s = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  } else {
    let s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (; i + 4 <= n; i += 4, a += 32, b += 32) {
      s += load<f64>(a) * load<f64>(b); s1 += load<f64>(a, 8) * load<f64>(b, 8);
      s2 += load<f64>(a, 16) * load<f64>(b, 16); s3 += load<f64>(a, 24) * load<f64>(b, 24);
    }
    s = (s + s1) + (s2 + s3);
  }
  for (; i < n; i++, a += 8, b += 8) s += load<f64>(a) * load<f64>(b);
  return s;
}

/** Σ a_i b_i over n contiguous elements, pairwise. */
export function dot(a: usize, b: usize, n: i32): f64 {
  if (n <= BLOCK) return dotBlock(a, b, n);
  const half = (n >> 1) & ~7;
  const off = <usize>half << 3;
  return dot(a, b, half) + dot(a + off, b + off, n - half);
}

/** max |a_i| over n contiguous elements; NaN if any is NaN; 0 when n = 0. */
export function maxAbs(p: usize, n: i32): f64 {
  let i = 0;
  let m = 0.0;
  if (ASC_FEATURE_SIMD) {
    let v0 = f64x2.splat(0), v1 = f64x2.splat(0);
    for (; i + 4 <= n; i += 4, p += 32) {
      v0 = f64x2.max(v0, f64x2.abs(v128.load(p)));
      v1 = f64x2.max(v1, f64x2.abs(v128.load(p, 16)));
    }
    const v = f64x2.max(v0, v1);
    m = max<f64>(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
  }
  for (; i < n; i++, p += 8) m = max<f64>(m, abs<f64>(load<f64>(p)));
  return m;
}

/** Start of the free heap (after the module's static data). */
export function heapBase(): usize {
  return __heap_base;
}
