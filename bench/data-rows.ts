/**
 * The rows of the `data` benchmark: y = 2.5·exp(−1.3·t) + 0.5 + 10⁻³·sin(i), t = 4i/N — computed,
 * not random, so the file writer and the in-memory child produce the same values.
 *
 * @param start - first row.
 * @param end - one past the last row.
 * @param total - N, the number of rows of the whole data set (defaults to `end`).
 */
export function dataRows(start: number, end: number, total = end): { t: Float64Array; y: Float64Array } {
  const t = new Float64Array(end - start);
  const y = new Float64Array(end - start);
  for (let i = start; i < end; i++) {
    const v = (4 * i) / total;
    t[i - start] = v;
    y[i - start] = 2.5 * Math.exp(-1.3 * v) + 0.5 + 1e-3 * Math.sin(i);
  }
  return { t, y };
}
