/**
 * `nlsq/node`: Node-only helpers — streaming file readers for the streaming strategy.
 *
 * @module
 */
export { csvFileSource, float64FileSource, type FileReadOptions } from './file-sources.ts';
export type { CsvOptions, ColumnRef } from '../workflow/csv-parser.ts';
export type { Float64Options } from '../workflow/float64-parser.ts';
export type { SourceChunk } from '../workflow/data-source.ts';
