/**
 * The fingerprint of a pass: what a full pass over a streaming source read, summarised cheaply
 * enough to take on every pass — the number of points m and the sums Σy, Σx_j (each variable)
 * and Σw (w = 1/σ, 1 without σ), each a plain sum over the points of each chunk, chunk after
 * chunk: the chunk's sums come with it from the validation that read every value anyway
 * (`NormalizedChunk.sums`, two interleaved accumulators, one add and one abs per value — a
 * compensated sum cost 40% of a 1M-point wasm-simd streaming fit, a separate read 20% more).
 * Plain recursive summation errs by at most (m−1)·ε·Σ|v| (Higham, *Accuracy and Stability of
 * Numerical Algorithms*, §4.2), so two passes over the same values agree within 2·m·ε·Σ|v| whatever
 * the order; the comparison allows that plus {@link FINGERPRINT_RTOL}·Σ|v|. How passes are compared
 * is in `pass-check.ts`.
 *
 * @module
 */
import type { NormalizedChunk } from '../sources/data-source.ts';

/** Relative tolerance of the fingerprint sums (of Σ|v| of the column). */
export const FINGERPRINT_RTOL = 1e-13;

/** A cheap summary of the data one pass read: the point count and per-column sums. */
export class PassFingerprint {
  /** Points read. */
  points = 0;
  /** Per column (y, x_0 … x_{k−1}, w): running sum and Σ|v|. */
  private readonly sums: Float64Array;
  private readonly scales: Float64Array;

  /** @param k - number of independent variables (x columns). */
  constructor(private readonly k: number) {
    this.sums = new Float64Array(k + 2);
    this.scales = new Float64Array(k + 2);
  }

  /**
   * Add the points of one validated chunk.
   *
   * @param chunk - a chunk from the reader (finite values, w = 1/σ or null).
   */
  add(chunk: NormalizedChunk): void {
    this.points += chunk.n;
    const s = chunk.sums;
    for (let c = 0; c < this.sums.length; c++) {
      this.sums[c]! += s[2 * c]!;
      this.scales[c]! += s[2 * c + 1]!;
    }
  }

  /** Σy / m of the points read (NaN before any point). */
  mean(): number {
    return this.sums[0]! / this.points;
  }

  /**
   * The first column whose sum differs from `reference` beyond the tolerance, as a message
   * fragment (`Σy = …, the first full pass had …`), or null when the sums agree.
   *
   * @param reference - the fingerprint of the first full pass (same k).
   */
  differenceFrom(reference: PassFingerprint): string | null {
    for (let c = 0; c < this.sums.length; c++) {
      const a = this.sums[c]!;
      const b = reference.sums[c]!;
      const tol = FINGERPRINT_RTOL * Math.max(this.scales[c]!, reference.scales[c]!) + 2 * Number.EPSILON * Math.max(this.points, 1) * Math.max(this.scales[c]!, reference.scales[c]!);
      if (!(Math.abs(a - b) <= tol)) return `Σ${this.name(c)} = ${a}, the first full pass had ${b}`;
    }
    return null;
  }

  private name(c: number): string {
    if (c === 0) return 'y';
    if (c === this.k + 1) return 'w (w = 1/σ)';
    return this.k === 1 ? 'x' : `x[${c - 1}]`;
  }
}

