/**
 * A Euclidean norm that neither underflows nor overflows, on contiguous f64 vectors in linear
 * memory, AssemblyScript: the twin of `src/linalg/scaled-norm.ts`.
 *
 * ‖a‖₂ = M·√Σ(aᵢ/M)² with M = max|aᵢ| (two passes, as LAPACK's reference `dnrm2` scales before
 * squaring — Anderson, "Algorithm 978: Safe scaling in the Level 1 BLAS", ACM TOMS 44(1), 2017,
 * §2): every scaled square lies in [0, 1], so the norm of data near 1e-300 is not 0 and that of
 * data near 1e200 is not ∞. Used by the fold only when the plain sum of squares has left the
 * safe range (`assembly/fold.ts`), so it is written for clarity, not speed.
 */

/**
 * ‖x‖₂ over n doubles at byte offset `x`, scaled so that no square under- or overflows.
 * Returns 0 for n = 0 or an all-zero vector, NaN if an entry is NaN, ∞ if one is ±∞ (as
 * `scaledNorm` in `src/linalg/scaled-norm.ts`).
 */
export function scaledNorm(x: usize, n: i32): f64 {
  let max = 0.0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(load<f64>(x + (<usize>i << 3)));
    if (v > max) max = v;
    else if (v != v) return NaN;
  }
  if (max == 0 || max == Infinity) return max;
  let sum = 0.0;
  for (let i = 0; i < n; i++) {
    const r = load<f64>(x + (<usize>i << 3)) / max;
    sum += r * r;
  }
  return max * Math.sqrt(sum);
}
