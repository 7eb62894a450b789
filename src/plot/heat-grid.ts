/**
 * The grid of a heat map over two variables: per axis, one cell per distinct value when the data
 * lie on a grid of at most `maxCells` values (each value at its cell's centre, so gridded data
 * fill the map without gaps), else `maxCells` equal cells over the data's range. Points are
 * binned by cell and each cell shows the mean of its values, so a map holds at most
 * `maxCells²` rectangles whatever the number of points.
 *
 * @module
 */
import { NlsqRangeError } from '../errors.ts';

/** One axis of the grid: its range and number of cells. */
export interface GridAxis {
  readonly lo: number;
  readonly hi: number;
  readonly cells: number;
}

/** One heat-map cell: its extent on both axes and its value. */
export interface HeatCell {
  readonly x0: number;
  readonly x0e: number;
  readonly x1: number;
  readonly x1e: number;
  readonly value: number;
}

/**
 * The axis of a heat map for one variable's values.
 *
 * @param caller - public function name.
 * @param name - the argument, for the message (`x[0]`).
 * @param values - the variable's values (non-finite ones are skipped).
 * @param maxCells - most cells along the axis.
 * @throws NlsqRangeError naming `x` when no value is finite.
 */
export function gridAxis(caller: string, name: string, values: Float64Array, maxCells: number): GridAxis {
  let lo = Infinity;
  let hi = -Infinity;
  const distinct = new Set<number>();
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (distinct.size <= maxCells) distinct.add(v);
  }
  if (!(lo <= hi)) throw new NlsqRangeError(`${caller}: ${name} must hold at least one finite value`, 'x');
  if (distinct.size === 1) return { lo: lo - 0.5, hi: hi + 0.5, cells: 1 };
  if (distinct.size <= maxCells) {
    const h = (hi - lo) / (distinct.size - 1);
    return { lo: lo - h / 2, hi: hi + h / 2, cells: distinct.size };
  }
  return { lo, hi, cells: maxCells };
}

function cellIndex(axis: GridAxis, v: number): number {
  return Math.min(axis.cells - 1, Math.max(0, Math.floor(((v - axis.lo) / (axis.hi - axis.lo)) * axis.cells)));
}

/** The cell (c0, c1) of the grid with a value. */
export function cellAt(a0: GridAxis, a1: GridAxis, c0: number, c1: number, value: number): HeatCell {
  const h0 = (a0.hi - a0.lo) / a0.cells;
  const h1 = (a1.hi - a1.lo) / a1.cells;
  return { x0: a0.lo + c0 * h0, x0e: a0.lo + (c0 + 1) * h0, x1: a1.lo + c1 * h1, x1e: a1.lo + (c1 + 1) * h1, value };
}

/**
 * Means of `values` per cell (cells without a finite point are left out).
 *
 * @param x0 - first variable.
 * @param x1 - second variable.
 * @param values - the values to average (y, or residuals).
 * @param a0 - the grid's first axis.
 * @param a1 - the grid's second axis.
 * @returns the non-empty cells, row by row.
 */
export function binMeans(x0: Float64Array, x1: Float64Array, values: Float64Array, a0: GridAxis, a1: GridAxis): HeatCell[] {
  const sum = new Float64Array(a0.cells * a1.cells);
  const count = new Int32Array(a0.cells * a1.cells);
  for (let i = 0; i < values.length; i++) {
    const u = x0[i]!, v = x1[i]!, w = values[i]!;
    if (!(Number.isFinite(u) && Number.isFinite(v) && Number.isFinite(w))) continue;
    const k = cellIndex(a1, v) * a0.cells + cellIndex(a0, u);
    sum[k] += w;
    count[k] += 1;
  }
  const out: HeatCell[] = [];
  for (let c1 = 0; c1 < a1.cells; c1++) {
    for (let c0 = 0; c0 < a0.cells; c0++) {
      const k = c1 * a0.cells + c0;
      if (count[k]! > 0) out.push(cellAt(a0, a1, c0, c1, sum[k]! / count[k]!));
    }
  }
  return out;
}

/** The centres of every cell, row by row, as two columns (for evaluating the model there). */
export function cellCentres(a0: GridAxis, a1: GridAxis): [Float64Array, Float64Array] {
  const u = new Float64Array(a0.cells * a1.cells);
  const v = new Float64Array(a0.cells * a1.cells);
  for (let c1 = 0; c1 < a1.cells; c1++) {
    for (let c0 = 0; c0 < a0.cells; c0++) {
      const cell = cellAt(a0, a1, c0, c1, 0);
      u[c1 * a0.cells + c0] = (cell.x0 + cell.x0e) / 2;
      v[c1 * a0.cells + c0] = (cell.x1 + cell.x1e) / 2;
    }
  }
  return [u, v];
}

/**
 * The Vega-Lite rect panel of a heat map.
 *
 * @param name - the unit's name (its SVG marks are `<name>_marks`... with Vega-Lite's naming).
 * @param title - the panel's title.
 * @param cells - the cells.
 * @param axes - the grid, for the scale domains.
 * @param names - the axis titles.
 * @param size - width and height in pixels.
 * @param color - the colour channel's title, scale and legend.
 */
export function heatPanel(name: string, title: string | null, cells: readonly HeatCell[], axes: readonly [GridAxis, GridAxis], names: readonly [string, string], size: number, color: Record<string, unknown>): Record<string, unknown> {
  const [a0, a1] = axes;
  return {
    name,
    ...(title === null ? {} : { title }),
    width: size,
    height: size,
    data: { values: cells.map((c) => ({ ...c })) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: names[0], scale: { domain: [a0.lo, a0.hi], nice: false, zero: false } },
      x2: { field: 'x0e' },
      y: { field: 'x1', type: 'quantitative', title: names[1], scale: { domain: [a1.lo, a1.hi], nice: false, zero: false } },
      y2: { field: 'x1e' },
      color: { field: 'value', type: 'quantitative', ...color },
    },
  };
}
