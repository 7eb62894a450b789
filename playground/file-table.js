/**
 * Open a dropped or chosen file as the playground's table: Parquet (hyparquet, with
 * hyparquet-compressors) and Arrow IPC (apache-arrow, file or stream format) by their magic
 * bytes, anything else as text. The readers are separate chunks, loaded by `preloadReaders` once
 * the page is up (or by the first such file). Numeric columns
 * only (INT64 as Number); other columns are left out, and a file with fewer than two numeric
 * columns is refused with the list of its columns.
 */
import { parseTable } from './table.js';

const PAR1 = [0x50, 0x41, 0x52, 0x31];
const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

function startsWith(bytes, magic) {
  return magic.every((b, i) => bytes[i] === b);
}

function toFloat64(values) {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'bigint' ? Number(v) : v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

function numericTable(kind, candidates, rows) {
  const numeric = candidates.filter((c) => c.numeric);
  if (numeric.length < 2) {
    throw new Error(`the ${kind} file has ${numeric.length} numeric column(s) (columns: ${candidates.map((c) => c.name).join(', ')}); x and y need two`);
  }
  return { names: numeric.map((c) => c.name), columns: numeric.map((c) => toFloat64(c.values())), rows, header: true, format: kind };
}

const loadParquet = () => Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
const loadArrow = () => import('apache-arrow');

/** Load the Parquet and Arrow readers now (after the page is up), so that no file needs the network. */
export async function preloadReaders() {
  await Promise.all([loadParquet(), loadArrow()]);
}

async function readParquet(buffer) {
  const [{ parquetMetadata, parquetReadObjects }, { compressors }] = await loadParquet();
  const meta = parquetMetadata(buffer);
  const rows = await parquetReadObjects({ file: buffer, compressors });
  const names = meta.schema.slice(1).filter((s) => s.num_children === undefined).map((s) => s.name);
  const candidates = names.map((name) => ({
    name,
    numeric: rows.length > 0 && (typeof rows[0][name] === 'number' || typeof rows[0][name] === 'bigint'),
    values: () => rows.map((r) => r[name]),
  }));
  return numericTable('Parquet', candidates, rows.length);
}

async function readArrow(bytes) {
  const { tableFromIPC } = await loadArrow();
  const table = tableFromIPC(bytes);
  const candidates = table.schema.fields.map((f) => {
    const column = table.getChild(f.name);
    const sample = table.numRows > 0 ? column.get(0) : null;
    return { name: f.name, numeric: typeof sample === 'number' || typeof sample === 'bigint', values: () => column.toArray() };
  });
  return numericTable('Arrow', candidates, table.numRows);
}

/**
 * @param {File | Blob} file
 * @returns {Promise<{ names: string[], columns: Float64Array[], rows: number, header: boolean, format: string, text?: string }>}
 *   the table; `text` is the file's text for a text file (shown in the table box).
 */
export async function readFileTable(file) {
  const buffer = await file.arrayBuffer();
  const bytes = new Uint8Array(buffer);
  if (startsWith(bytes, PAR1)) return readParquet(buffer);
  // An Arrow IPC file starts with ARROW1; a stream starts with a continuation marker (0xFFFFFFFF).
  if (startsWith(bytes, ARROW1) || (bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff)) return readArrow(bytes);
  const text = new TextDecoder().decode(bytes);
  return { ...parseTable(text), format: 'text', text };
}
