/**
 * Gram accumulation G += AᵀA over a row-major block (upper triangle only).
 *
 * Rows are taken in groups of {@link GRAM_GROUP}; each group's products are summed in a local
 * triangle and then added to G, a two-level blocked summation whose error grows with
 * n / GRAM_GROUP + GRAM_GROUP instead of n.
 *
 * @module
 */

/** Rows summed locally before being added to the output. */
const GRAM_GROUP = 256;

/**
 * Add AᵀA to the upper triangle of G (c × c, row-major) for `m` rows of A starting at `offset`.
 * @param scratch - length ≥ c².
 */
export function gramAccumulate(
  G: Float64Array,
  A: Float64Array,
  offset: number,
  m: number,
  c: number,
  scratch: Float64Array,
): void {
  for (let start = 0; start < m; start += GRAM_GROUP) {
    const stop = Math.min(m, start + GRAM_GROUP);
    scratch.fill(0, 0, c * c);
    for (let row = offset + start * c, end = offset + stop * c; row < end; row += c) {
      for (let j = 0; j < c; j++) {
        const aj = A[row + j]!;
        if (aj === 0) continue;
        const base = j * c;
        for (let k = j; k < c; k++) scratch[base + k] = scratch[base + k]! + aj * A[row + k]!;
      }
    }
    for (let j = 0; j < c; j++) {
      for (let k = j; k < c; k++) G[j * c + k] = G[j * c + k]! + scratch[j * c + k]!;
    }
  }
}
