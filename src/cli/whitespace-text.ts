/**
 * Whitespace-separated text (the `.txt` / `.dat` columns that Fortran programs, gnuplot and
 * `numpy.savetxt` write) turned into comma-separated records, as a byte-stream transform, so the
 * library's streaming CSV parser (`sources/csv-parser.ts`) reads it with all its checks and line
 * numbers: every run of spaces and tabs between two fields becomes one `,`; blanks at the start
 * and end of a line are dropped. Line breaks are kept, so the parser's line numbers are the
 * file's. Memory is one block: the transform carries only "a separator is pending" across blocks.
 *
 * @module
 */

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const COMMA = 44;

/**
 * Rewrite whitespace-separated text as comma-separated text, block by block.
 *
 * @param bytes - the file's bytes in blocks of any size (a run of blanks may span blocks).
 * @returns the same records with one `,` between fields, in blocks of at most the input's size + 1.
 * @example
 * ```ts
 * // "  1.5\t 2  3 \n" → "1.5,2,3\n"
 * ```
 */
export async function* whitespaceToCommas(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  let lineStart = true; // no field yet on this line
  let pending = false; // a blank run follows a field; emit ',' if another field comes
  for await (const block of bytes) {
    const out = new Uint8Array(block.length + 1);
    let o = 0;
    for (let i = 0; i < block.length; i++) {
      const c = block[i]!;
      if (c === SPACE || c === TAB) {
        if (!lineStart) pending = true;
        continue;
      }
      if (c === LF || c === CR) {
        pending = false;
        lineStart = true;
        out[o++] = c;
        continue;
      }
      if (pending) out[o++] = COMMA;
      pending = false;
      lineStart = false;
      out[o++] = c;
    }
    if (o > 0) yield out.subarray(0, o);
  }
}
