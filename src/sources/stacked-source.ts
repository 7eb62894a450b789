/**
 * The data of a global fit as one streaming source: the datasets one after the other, each chunk
 * laid out in the columns of the stacked model (`model/global-model.ts`): per dataset j its
 * indicator (1 on dataset j's rows, 0 elsewhere) and its variables (its own values on its rows, a
 * filler value elsewhere — its first point, where its model is finite), then y and σ.
 *
 * A dataset is resident columns (served in chunks) or a re-readable source (read again at every
 * pass; one-pass sources are refused by the caller, since a global fit makes several passes).
 * Each pass reads the datasets in order, so every pass yields the same rows: the streaming
 * strategy's pass check holds.
 *
 * @module
 */
import { DataSourceError } from '../errors.ts';
import type { DataSource, NumericColumn, PassSource, SourceChunk } from './data-source.ts';

/** One dataset's resident columns. */
export interface StackedArrays {
  /** Its variables' columns (each of length n). */
  readonly x: readonly Float64Array[];
  /** Its observations. */
  readonly y: Float64Array;
  /** Per-point σ, or undefined for unit weights. */
  readonly sigma?: Float64Array | undefined;
}

/** One dataset of a {@link stackedSource}. */
export interface StackedPart {
  /** Number of variables of its model. */
  readonly k: number;
  /** Its variables' values on the other datasets' rows (one per variable). */
  readonly filler: readonly number[];
  /** Its data: resident columns, or a re-readable source. */
  readonly data: StackedArrays | PassSource;
}

/** Rows per chunk served from resident columns. */
export const STACKED_CHUNK_ROWS = 65536;

function isPassSource(d: StackedArrays | PassSource): d is PassSource {
  return typeof (d as PassSource).open === 'function';
}

/** A chunk's x as k columns. */
function columnsOf(x: SourceChunk['x'], k: number, where: string): readonly NumericColumn[] {
  const single = ArrayBuffer.isView(x) || (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number'));
  const cols = (single ? [x] : x) as readonly NumericColumn[];
  if (!Array.isArray(cols) || cols.length !== k) {
    throw new DataSourceError(`${where}: x must be ${k === 1 ? 'one column' : `${k} columns`} (one per variable of the dataset's model), got ${Array.isArray(cols) ? `${cols.length} columns` : typeof x}`);
  }
  return cols;
}

/** Lay out dataset i's chunk in the stacked columns. */
function stackChunk(parts: readonly StackedPart[], i: number, x: readonly NumericColumn[], y: NumericColumn, sigma: NumericColumn | null | undefined): SourceChunk {
  const m = y.length;
  const cols: NumericColumn[] = [];
  parts.forEach((part, j) => {
    const indicator = new Float64Array(m);
    if (j === i) indicator.fill(1);
    cols.push(indicator);
    for (let v = 0; v < part.k; v++) cols.push(j === i ? x[v]! : new Float64Array(m).fill(part.filler[v]!));
  });
  return { x: cols, y, sigma: sigma ?? null };
}

/**
 * The datasets as one source of stacked chunks (see the module documentation).
 *
 * @param parts - the datasets, in the stacked model's order.
 * @param caller - public function name for messages.
 * @returns a re-readable source (a function that starts a fresh pass per call).
 */
export function stackedSource(parts: readonly StackedPart[], caller: string): DataSource {
  async function* pass(): AsyncGenerator<SourceChunk> {
    for (let i = 0; i < parts.length; i++) {
      const data = parts[i]!.data;
      if (!isPassSource(data)) {
        const n = data.y.length;
        for (let s = 0; s < n; s += STACKED_CHUNK_ROWS) {
          const e = Math.min(n, s + STACKED_CHUNK_ROWS);
          yield stackChunk(parts, i, data.x.map((c) => c.subarray(s, e)), data.y.subarray(s, e), data.sigma?.subarray(s, e));
        }
        continue;
      }
      const it = await data.open();
      try {
        for (let c = 0; ; c++) {
          const step = await it.next();
          if (step.done === true) break;
          const chunk = step.value;
          const where = `${caller}: datasets[${i}].source chunk ${c}`;
          if (chunk === null || typeof chunk !== 'object' || chunk.y === undefined || chunk.x === undefined) {
            throw new DataSourceError(`${where} must be an object { x, y, sigma? }`);
          }
          yield stackChunk(parts, i, columnsOf(chunk.x, parts[i]!.k, where), chunk.y, chunk.sigma);
        }
      } finally {
        await it.return?.();
      }
    }
  }
  return () => pass();
}
