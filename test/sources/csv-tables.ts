/**
 * Random CSV tables for the RFC 4180 properties: text fields drawn from an alphabet full of the
 * characters that break naive splitters (delimiters, quotes, CR, LF, blanks, the comment
 * character, multi-byte UTF-8), written by an independent RFC 4180 writer that quotes a field when
 * it must and at random otherwise, with random line endings, blank and comment lines, and read
 * back through byte blocks cut at random points.
 */
import { fc } from '@fast-check/vitest';

/** Delimiters the properties try. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

const ALPHABET = ['a', 'b', '1', '.', '-', ' ', '\t', ',', ';', '|', '"', '""', '\n', '\r', '\r\n', '#', 'é', '😀'];

/** A text field: 0–6 pieces of the alphabet. */
export const textField = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 6 }).map((parts) => parts.join(''));

/** How one field is written: quoted (with blank padding around the quotes) or not. */
export interface FieldStyle {
  readonly quote: boolean;
  readonly padBefore: string;
  readonly padAfter: string;
}

/** A random field style (the writer still quotes where it must). */
export const fieldStyle: fc.Arbitrary<FieldStyle> = fc.record({
  quote: fc.boolean(),
  padBefore: fc.constantFrom('', ' ', '  '),
  padAfter: fc.constantFrom('', ' '),
});

/** How records are separated, and what is put between them. */
export interface LayoutStyle {
  /** Line ending of each record (cycled). */
  readonly endings: readonly ('\n' | '\r\n')[];
  /** Blank or comment lines inserted before record i (cycled; '' for none). */
  readonly fillers: readonly string[];
  /** Whether the last record ends with a line break. */
  readonly finalBreak: boolean;
}

/** A random layout. */
export const layoutStyle: fc.Arbitrary<LayoutStyle> = fc.record({
  endings: fc.array(fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'), { minLength: 1, maxLength: 4 }),
  fillers: fc.array(fc.constantFrom('', '', '\n', '  \r\n', '# a comment, with "quotes\n', '  # indented comment\r\n'), { minLength: 1, maxLength: 4 }),
  finalBreak: fc.boolean(),
});

/** Whether the writer must quote `field` (in column `col` of a record of `width` fields). */
function mustQuote(field: string, col: number, width: number, delimiter: string): boolean {
  if (field.includes(delimiter) || /["\r\n]/.test(field)) return true;
  const lead = field.replace(/^[ \t]+/, '');
  if (col === 0 && lead.startsWith('#')) return true; // would read as a comment line
  if (width === 1 && lead.length === 0) return true; // would read as a blank line
  return false;
}

/**
 * Write a table as CSV (RFC 4180: a quoted field doubles its quotes).
 *
 * @param rows - the records (each a list of fields).
 * @param delimiter - field delimiter.
 * @param styles - per-field styles, cycled.
 * @param layout - line endings and filler lines.
 * @returns the text and the 1-based line each record starts on.
 */
export function writeCsv(rows: readonly (readonly string[])[], delimiter: string, styles: readonly FieldStyle[], layout: LayoutStyle): { text: string; lines: number[] } {
  let text = '';
  let line = 1;
  let s = 0;
  const lines: number[] = [];
  rows.forEach((row, r) => {
    const filler = layout.fillers[r % layout.fillers.length]!;
    text += filler;
    line += (filler.match(/\n/g) ?? []).length;
    lines.push(line);
    const fields = row.map((f, c) => {
      const st = styles[s++ % styles.length]!;
      if (!st.quote && !mustQuote(f, c, row.length, delimiter)) return f;
      return `${st.padBefore}"${f.replace(/"/g, '""')}"${st.padAfter}`;
    });
    const record = fields.join(delimiter);
    text += record;
    line += (record.match(/\n/g) ?? []).length;
    if (r < rows.length - 1 || layout.finalBreak) {
      text += layout.endings[r % layout.endings.length]!;
      line++;
    }
  });
  return { text, lines };
}

/**
 * The UTF-8 bytes of `text` cut into blocks at the given sizes (cycled), so that blocks end inside
 * fields, quotes, `\r\n` pairs and multi-byte characters.
 *
 * @param text - the text.
 * @param sizes - block sizes (≥ 1), cycled.
 */
export async function* byteBlocks(text: string, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    yield bytes.subarray(i, i + n);
    i += n;
  }
}
