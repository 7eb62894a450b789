/**
 * Parse a pasted table for the playground: CSV, TSV, semicolon- or whitespace-separated, with or
 * without a header row. The delimiter is the first of tab, comma, semicolon found in the first
 * data line, else runs of whitespace. A first row with any non-numeric cell is the header;
 * otherwise the columns are named col1, col2, … Lines that are empty or start with `#` are skipped.
 */

/** @param {string} line */
function detectDelimiter(line) {
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  if (line.includes(';')) return ';';
  return null;
}

/** @param {string} line @param {string | null} delimiter */
function splitLine(line, delimiter) {
  const cells = delimiter === null ? line.trim().split(/\s+/) : line.split(delimiter);
  return cells.map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

/** @param {string} cell */
function toNumber(cell) {
  if (cell === '') return NaN;
  const v = Number(cell);
  return v;
}

/**
 * @param {string} text - the pasted table.
 * @returns {{ names: string[], columns: Float64Array[], rows: number, header: boolean }}
 * @throws Error with a message that names the line, when a row has another number of cells or a
 *   cell is not a number.
 */
export function parseTable(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new Error('the table is empty: paste rows of numbers (CSV, TSV or space-separated)');
  const delimiter = detectDelimiter(lines[0]);
  const first = splitLine(lines[0], delimiter);
  const header = first.some((c) => !Number.isFinite(toNumber(c)));
  const width = first.length;
  const names = header ? first.map((c, i) => c || `col${i + 1}`) : first.map((_, i) => `col${i + 1}`);
  const body = header ? lines.slice(1) : lines;
  const columns = names.map(() => new Float64Array(body.length));
  body.forEach((line, r) => {
    const cells = splitLine(line, delimiter);
    const lineNo = r + (header ? 2 : 1);
    if (cells.length !== width) throw new Error(`line ${lineNo} has ${cells.length} cells, the first row has ${width}`);
    cells.forEach((c, j) => {
      const v = toNumber(c);
      if (Number.isNaN(v)) throw new Error(`line ${lineNo}, column ${names[j]}: ${JSON.stringify(c)} is not a number`);
      columns[j][r] = v;
    });
  });
  if (body.length === 0) throw new Error('the table has a header but no rows of numbers');
  return { names, columns, rows: body.length, header };
}
