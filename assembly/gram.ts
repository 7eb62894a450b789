/**
 * Gram accumulation G += AᵀA (upper triangle) over a row-major block, AssemblyScript.
 *
 * Same blocked summation as `src/backends/cpu/gram.ts`: rows are taken in groups of
 * {@link GROUP}; each group's products are summed locally and then added to G, so the error
 * grows with n / GROUP + GROUP instead of n. Each group is copied into a column-major scratch
 * (see `transpose` in fold.ts), and the entries G_jk, G_j,k+1 are computed two at a time as dot
 * products of contiguous columns with register accumulators (f64x2 over rows in the SIMD build).
 */
import { dotv, transpose } from './fold';

/** Rows summed locally before being added to G. */
const GROUP: i32 = 256;

/** Doubles of scratch {@link gram} needs for c columns. */
export function gramScratchDoubles(c: i32): i32 {
  return c * GROUP;
}

/** Σ x_i y1_i and Σ x_i y2_i over n (even) doubles, added to out[0] and out[1]. */
function dot2Add(x: usize, y1: usize, y2: usize, n: i32, out: usize): void {
  if (ASC_FEATURE_SIMD) {
    let s1 = f64x2.splat(0), s2 = f64x2.splat(0);
    for (let i = 0; i < n; i += 2, x += 16, y1 += 16, y2 += 16) {
      const xv = v128.load(x);
      s1 = f64x2.add(s1, f64x2.mul(xv, v128.load(y1)));
      s2 = f64x2.add(s2, f64x2.mul(xv, v128.load(y2)));
    }
    store<f64>(out, load<f64>(out) + (f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1)));
    store<f64>(out, load<f64>(out, 8) + (f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1)), 8);
    return;
  }
  store<f64>(out, load<f64>(out) + dotv(x, y1, n));
  store<f64>(out, load<f64>(out, 8) + dotv(x, y2, n), 8);
}

/**
 * Add AᵀA to the upper triangle of the c × c row-major G at `G`, for `m` rows at `A`.
 * `scratch` (16-byte aligned) holds {@link gramScratchDoubles}(c) doubles.
 */
export function gram(G: usize, A: usize, m: i32, c: i32, scratch: usize): void {
  const X = scratch;
  for (let start = 0; start < m; start += GROUP) {
    const rows = min(GROUP, m - start);
    const ms = (rows + 1) & ~1;
    const colBytes = <usize>ms << 3;
    transpose(A, start, rows, c, X, ms);
    for (let j = 0; j < c; j++) {
      const xj = X + <usize>j * colBytes;
      const gj = G + (<usize>(j * c) << 3);
      let k = j;
      for (; k + 1 < c; k += 2) dot2Add(xj, X + <usize>k * colBytes, X + <usize>(k + 1) * colBytes, ms, gj + (<usize>k << 3));
      if (k < c) {
        const g = gj + (<usize>k << 3);
        store<f64>(g, load<f64>(g) + dotv(xj, X + <usize>k * colBytes, ms));
      }
    }
  }
}
